// Replays fuzz inputs through the targets without libFuzzer: `longrope_fuzz_replay TARGET
// FILE|DIR...`.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <vector>

#include "tests/fuzz/fuzz_util.h"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: longrope_fuzz_replay TARGET FILE|DIR...\ntargets:";
    for (const auto& [name, fn] : lr::fuzz::registry()) std::cerr << " " << name;
    std::cerr << "\n";
    return 2;
  }
  const auto it = lr::fuzz::registry().find(argv[1]);
  if (it == lr::fuzz::registry().end()) {
    std::cerr << "longrope_fuzz_replay: unknown target " << argv[1] << "\n";
    return 2;
  }
  std::vector<fs::path> files;
  for (int i = 2; i < argc; ++i) {
    if (fs::is_directory(argv[i])) {
      for (const auto& e : fs::directory_iterator(argv[i]))
        if (e.is_regular_file()) files.push_back(e.path());
    } else {
      files.emplace_back(argv[i]);
    }
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    const std::vector<char> bytes((std::istreambuf_iterator<char>(in)), {});
    std::cout << argv[1] << ": " << f.filename().string() << " (" << bytes.size() << " bytes)"
              << std::endl;
    it->second(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  }
  std::cout << argv[1] << ": " << files.size() << " inputs replayed cleanly\n";
  fs::remove_all(lr::fuzz::scratch_dir());
  return 0;
}

// llama2.c checkpoint facts: where its tokenizer.bin sits, and a checkpoint told from a tokenizer.
#include "core/formats/llama2c.h"

#include <cstdint>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace lr {

std::string find_llama2c_tokenizer(const std::string& model_path) {
  const fs::path dir = fs::path(model_path).parent_path();
  std::error_code ec;
  if (fs::exists(dir / "tokenizer.bin", ec)) return (dir / "tokenizer.bin").string();
  std::string found;
  for (const auto& e : fs::directory_iterator(dir.empty() ? fs::path(".") : dir, ec)) {
    const std::string name = e.path().filename().string();
    if (name.rfind("tok", 0) == 0 && e.path().extension() == ".bin") {
      if (!found.empty()) return "";  // ambiguous
      found = e.path().string();
    }
  }
  return found;
}

bool looks_like_llama2c_checkpoint(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  int32_t h[2] = {0, 0};
  in.read(reinterpret_cast<char*>(h), 8);
  std::error_code ec;
  return in.gcount() == 8 && h[1] > 4 && fs::file_size(path, ec) > 4096 &&
         fs::path(path).filename().string().rfind("tok", 0) != 0;
}

}  // namespace lr

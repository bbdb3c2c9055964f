// Shared harness of the fuzz targets: the target macro, a temp file per process, the contract.
#pragma once
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

#include "core/util/error.h"

namespace lr::fuzz {

using TargetFn = int (*)(const uint8_t*, size_t);

// Targets by name, for the replay driver (the normal build runs the regression inputs).
inline std::map<std::string, TargetFn>& registry() {
  static std::map<std::string, TargetFn> r;
  return r;
}
struct Registrar {
  Registrar(const char* name, TargetFn fn) { registry()[name] = fn; }
};

// A private folder per process under $TMPDIR (parsers take paths, so inputs go through files).
inline const std::string& scratch_dir() {
  static const std::string dir = [] {
    const char* t = std::getenv("TMPDIR");
    std::string d =
        std::string(t && *t ? t : "/tmp") + "/longrope-fuzz-" + std::to_string(getpid());
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

// Writes `data` to scratch_dir()/name and returns the path.
inline std::string write_file(const std::string& name, const uint8_t* data, size_t size) {
  const std::string path = scratch_dir() + "/" + name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  out.close();
  if (!out) {
    std::fprintf(stderr, "fuzz: cannot write %s\n", path.c_str());
    std::abort();
  }
  return path;
}

// The contract under test: a parser either succeeds or throws lr::Error (the CLI's one-line
// error). Anything else (another exception, a crash, a sanitizer report) is a finding.
template <typename F>
int expect_clean(F&& f) {
  try {
    f();
  } catch (const lr::Error& e) {
    static const bool verbose = std::getenv("LONGROPE_FUZZ_VERBOSE") != nullptr;
    if (verbose) std::fprintf(stderr, "  lr::Error: %s\n", e.what());
  }
  return 0;
}

// The shared assets folder (../shared from the source tree, LONGROPE_SHARED overrides).
inline std::string shared_dir() {
  const char* s = std::getenv("LONGROPE_SHARED");
  if (s && *s) return s;
  return std::string(LONGROPE_SOURCE_DIR) + "/../shared";
}

}  // namespace lr::fuzz

#ifdef LONGROPE_LIBFUZZER
#define LONGROPE_FUZZ_TARGET(name) \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
#else
#define LONGROPE_FUZZ_TARGET(name)                                      \
  static int fuzz_##name(const uint8_t* data, size_t size);             \
  static const lr::fuzz::Registrar register_##name(#name, fuzz_##name); \
  static int fuzz_##name(const uint8_t* data, size_t size)
#endif

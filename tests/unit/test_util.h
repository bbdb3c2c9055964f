// Test helpers: where ../shared and the goldens live; skip when assets are missing.
#pragma once
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "core/util/error.h"

namespace lr::test {

inline std::string repo_root() { return LONGROPE_SOURCE_DIR; }
inline std::string shared_dir() {
  if (const char* e = std::getenv("LONGROPE_SHARED")) return e;
  return repo_root() + "/../shared";
}
inline std::string shared(const std::string& rel) { return shared_dir() + "/" + rel; }
inline bool have(const std::string& rel) { return std::filesystem::exists(shared(rel)); }
// The message of the lr::Error `f` throws ("" when it does not throw).
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}
inline std::string tmp_dir() {
  auto p = std::filesystem::temp_directory_path() / "longrope-tests";
  std::filesystem::create_directories(p);
  return p.string();
}

}  // namespace lr::test

#define REQUIRE_SHARED(rel)                                           \
  do {                                                                \
    if (!lr::test::have(rel))                                         \
      GTEST_SKIP() << "test asset missing: " << lr::test::shared(rel) \
                   << " (set LONGROPE_SHARED or place ../shared)";    \
  } while (0)

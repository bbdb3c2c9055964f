// Fuzz target: a Hugging Face folder's config.json and model.safetensors.index.json.
#include <filesystem>

#include "core/model/model.h"
#include "tests/fuzz/fuzz_util.h"

LONGROPE_FUZZ_TARGET(hf_json) {
  const std::string dir = lr::fuzz::scratch_dir() + "/hf";
  std::filesystem::create_directories(dir);
  const std::string cfg = lr::fuzz::write_file("hf/config.json", data, size);
  lr::fuzz::write_file("hf/model.safetensors.index.json", data, size);
  lr::fuzz::expect_clean([&] { lr::read_hf_config(cfg); });
  return lr::fuzz::expect_clean([&] {
    for (const auto& f : lr::hf_weight_files(dir))  // shard names stay inside the folder
      if (std::filesystem::path(f).parent_path() != std::filesystem::path(dir)) __builtin_trap();
  });
}

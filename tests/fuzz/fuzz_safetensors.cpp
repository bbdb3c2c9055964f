// Fuzz target: a .safetensors header (length prefix, JSON directory, data offsets).
#include "core/formats/safetensors.h"
#include "tests/fuzz/fuzz_util.h"

LONGROPE_FUZZ_TARGET(safetensors) {
  const std::string path = lr::fuzz::write_file("in.safetensors", data, size);
  return lr::fuzz::expect_clean([&] {
    lr::TensorMap tensors;
    auto map = lr::read_safetensors(path, tensors);
    for (const auto& [name, t] : tensors) {  // every tensor must lie inside the map
      if (t.nbytes && (t.data < map->data() || t.data + t.nbytes > map->data() + map->size()))
        __builtin_trap();
    }
  });
}

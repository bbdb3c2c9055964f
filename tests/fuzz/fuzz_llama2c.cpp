// Fuzz target: a llama2.c checkpoint (7-int header, tensor sizes against the file size).
#include "core/model/model.h"
#include "tests/fuzz/fuzz_util.h"

LONGROPE_FUZZ_TARGET(llama2c) {
  const std::string path = lr::fuzz::write_file("model.bin", data, size);
  return lr::fuzz::expect_clean([&] { lr::load_llama2c_model(path); });
}

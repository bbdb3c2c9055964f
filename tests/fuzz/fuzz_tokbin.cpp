// Fuzz target: a llama2.c tokenizer.bin (max length, then score/length/bytes records).
#include "core/tokenizer/tokenizer_factory.h"
#include "tests/fuzz/fuzz_util.h"

LONGROPE_FUZZ_TARGET(tokbin) {
  const std::string path = lr::fuzz::write_file("tokenizer.bin", data, size);
  return lr::fuzz::expect_clean([&] {
    auto tok = lr::load_llama2c_tokenizer(path);
    for (int id : tok->encode("Once upon a time, 42 ÿ\n")) tok->decode_piece(id);
  });
}

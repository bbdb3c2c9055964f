// Fuzz target: a SentencePiece .model (protobuf, parsed by libsentencepiece) and encoding.
#include "core/tokenizer/tokenizer_factory.h"
#include "tests/fuzz/fuzz_util.h"

LONGROPE_FUZZ_TARGET(spm) {
  const std::string path = lr::fuzz::write_file("tokenizer.model", data, size);
  return lr::fuzz::expect_clean([&] {
    auto tok = lr::load_sentencepiece(path);
    for (int id : tok->encode("Once upon a time, 42 ÿ\n")) tok->decode_piece(id);
    tok->fingerprint();
  });
}

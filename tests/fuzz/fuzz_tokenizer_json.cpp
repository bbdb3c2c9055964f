// Fuzz target: a Hugging Face tokenizer.json (byte-level BPE: vocab, merges, pre-tokenizer).
#include "core/tokenizer/bpe_tokenizer.h"
#include "tests/fuzz/fuzz_util.h"

LONGROPE_FUZZ_TARGET(tokenizer_json) {
  const std::string path = lr::fuzz::write_file("tokenizer.json", data, size);
  return lr::fuzz::expect_clean([&] {
    auto tok = lr::load_hf_bpe(path);
    for (int id : tok->encode("Hello world, 12 tokens\n\tÿ  x")) tok->decode_piece(id);
    tok->fingerprint();
  });
}

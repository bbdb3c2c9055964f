// Fuzz target: arbitrary text (any bytes) through the byte-level BPE tokenizer of the Qwen2
// fixture (../shared) or, when absent, a small built-in vocabulary; ids stay in range.
#include <filesystem>

#include "core/tokenizer/bpe_tokenizer.h"
#include "tests/fuzz/fuzz_util.h"

namespace {
const lr::Tokenizer& tokenizer() {
  static const std::unique_ptr<lr::Tokenizer> tok = [] {
    const std::string p = lr::fuzz::shared_dir() + "/models/qwen2-random-fixture/tokenizer.json";
    if (std::filesystem::exists(p)) return lr::load_hf_bpe(p);
    lr::BpeVocab v;
    for (int b = 0; b < 256; ++b) v.pieces.push_back(lr::byte_to_piece_char(b));
    v.types.assign(v.pieces.size(), lr::kTokenNormal);
    v.merges = {{"h", "e"}, {"l", "l"}, {"he", "ll"}, {"Ġ", "w"}};
    for (const auto& [a, b] : v.merges) v.pieces.push_back(a + b);
    v.types.resize(v.pieces.size(), lr::kTokenNormal);
    v.pre = lr::pretokenizer_spec("gpt2", "built-in");
    return std::unique_ptr<lr::Tokenizer>(
        std::make_unique<lr::BpeTokenizer>(v, "hf-bpe", "built-in"));
  }();
  return *tok;
}
}  // namespace

LONGROPE_FUZZ_TARGET(bpe_text) {
  const lr::Tokenizer& tok = tokenizer();
  const std::string text(reinterpret_cast<const char*>(data), size);
  return lr::fuzz::expect_clean([&] {
    for (int id : tok.encode(text)) {
      if (id < 0 || id >= tok.vocab_size()) __builtin_trap();
      tok.decode_piece(id);
    }
  });
}

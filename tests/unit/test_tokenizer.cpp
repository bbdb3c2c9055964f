// Tokenizers: llama2.c and GGUF vocabularies against an independent (Python) encoding,
// the merge tokenizer against libsentencepiece, and fingerprints across file formats.
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/tokenizer/spm_tokenizer.h"
#include "core/tokenizer/tokenizer_factory.h"
#include "core/util/mapped_file.h"
#include "tests/unit/test_util.h"

namespace lr {
namespace {

std::vector<int> golden_tokens(const std::string& golden, size_t seq) {
  std::ifstream in(test::repo_root() + "/tests/golden/" + golden);
  const auto g = nlohmann::json::parse(in);
  return g["sequences"][seq]["tokens"].get<std::vector<int>>();
}

// The stories goldens were tokenized by tests/reference/make_goldens.py, a transcription of
// llama2.c's encode(), on the first 12000 characters of doc01.txt.
void expect_matches_llama2c_python(const Tokenizer& t) {
  const std::string text = read_text_file(test::shared("data/tinystories-like/doc01.txt"));
  // Python slices code points; the document is ASCII, so bytes == code points.
  const auto ids = t.encode(text.substr(0, 12000));
  const auto ref = golden_tokens("stories260K.json", 1);  // [BOS] + 1023 tokens
  ASSERT_GE(ids.size(), ref.size() - 1);
  for (size_t i = 1; i < ref.size(); ++i) ASSERT_EQ(ids[i - 1], ref[i]) << "token " << i;
}

TEST(Tokenizer, Llama2cBinMatchesReference) {
  REQUIRE_SHARED("models/stories260K/tok512.bin");
  expect_matches_llama2c_python(*load_tokenizer(test::shared("models/stories260K/tok512.bin")));
}

TEST(Tokenizer, GgufEmbeddedVocabMatchesReference) {
  REQUIRE_SHARED("models/stories260K/stories260K.gguf");
  expect_matches_llama2c_python(
      *load_tokenizer(test::shared("models/stories260K/stories260K.gguf")));
}

TEST(Tokenizer, SentencePieceMatchesPythonGolden) {
  REQUIRE_SHARED("models/fixture-llama-5m/tokenizer.model");
  auto sp = load_tokenizer(test::shared("models/fixture-llama-5m"));
  EXPECT_EQ(sp->kind(), "sentencepiece");
  EXPECT_EQ(sp->bos_id(), 1);
  const std::string text = read_text_file(test::shared("data/pg19-like/valid/pg3261.txt"));
  // make_goldens.py: [1] + sp.encode(text[:40000]) (ASCII-only prefix check below)
  const auto ref = golden_tokens("fixture-llama-5m.json", 2);
  std::string prefix;  // 40000 code points
  size_t cps = 0, i = 0;
  while (i < text.size() && cps < 40000) {
    const unsigned char c = text[i];
    const size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
    prefix += text.substr(i, len);
    i += len;
    ++cps;
  }
  const auto ids = sp->encode(prefix);
  for (size_t k = 1; k < ref.size(); ++k) ASSERT_EQ(ids[k - 1], ref[k]) << k;
}

TEST(Tokenizer, MergeTokenizerAgreesWithSentencePieceOnNormalisedText) {
  // The GGUF vocab of the fixture is its SentencePiece BPE vocab; on text the NFKC normaliser
  // leaves alone (ASCII, single spaces, no newlines) both must produce the same ids.
  REQUIRE_SHARED("models/fixture-llama-5m.f32.gguf");
  auto sp = load_tokenizer(test::shared("models/fixture-llama-5m"));
  auto gg = load_tokenizer(test::shared("models/fixture-llama-5m.f32.gguf"));
  EXPECT_EQ(gg->kind(), "gguf-llama");
  const std::string raw = read_text_file(test::shared("data/pg19-like/valid/pg14263.txt"));
  std::string text;
  for (char ch : raw.substr(5000, 20000)) {
    const unsigned char u = ch;
    const char c = (ch == '\n' || ch == '\r' || ch == '\t') ? ' ' : ch;
    if (u >= 0x80) continue;
    if (c == ' ' && (!text.empty() && text.back() == ' ')) continue;
    text += c;
  }
  while (!text.empty() && text.back() == ' ') text.pop_back();
  while (!text.empty() && text.front() == ' ') text.erase(text.begin());
  EXPECT_EQ(gg->encode(text), sp->encode(text));
}

TEST(Tokenizer, FingerprintIsPerTokenizerBehaviourNotPerFile) {
  REQUIRE_SHARED("models/fixture-llama-5m.f32.gguf");
  REQUIRE_SHARED("models/stories260K/stories260K.gguf");
  const auto spm = load_tokenizer(test::shared("models/fixture-llama-5m"));
  const auto g32 = load_tokenizer(test::shared("models/fixture-llama-5m.f32.gguf"));
  const auto a = spm->fingerprint();
  const auto b = load_tokenizer(test::shared("models/fixture-llama-5m.f16.gguf"))->fingerprint();
  const auto c = load_tokenizer(test::shared("models/stories260K/tok512.bin"))->fingerprint();
  const auto d = load_tokenizer(test::shared("models/stories260K/stories260K.gguf"))->fingerprint();
  EXPECT_EQ(b, g32->fingerprint());  // same vocabulary, same llama.cpp text path
  EXPECT_EQ(c, d);                   // llama2.c and llama.cpp tokenize alike
  // Same vocabulary, but libsentencepiece's nmt_nfkc normaliser turns newlines into spaces
  // while the GGUF path keeps them: different ids, so different fingerprints.
  EXPECT_NE(spm->encode("a\nb"), g32->encode("a\nb"));
  EXPECT_NE(a, b);
  EXPECT_NE(a, c);
  EXPECT_EQ(a.size(), 64u);
}

// A vocabulary as llama.cpp reads it: '▁' pieces, scores, byte pieces, token types.
TEST(Tokenizer, SpmFollowsLlamaCppVocabularyRules) {
  const std::string sp = kSpacePiece;
  std::vector<std::string> pieces = {"<unk>", "<s>",   "</s>",  sp,   "a",      "b", sp + "a",
                                     "ab",    "<|u|>", "<|c|>", "ab", "<0x0A>", "x"};
  std::vector<float> scores(pieces.size(), 0.0f);
  scores[7] = scores[10] = 5.0f;  // "ab" twice: the last id (10) wins
  scores[6] = 4.0f;
  std::vector<int> types(pieces.size(), SpmTokenizer::kNormal);
  types[0] = SpmTokenizer::kUnknown;
  types[1] = types[2] = types[9] = SpmTokenizer::kControl;
  types[8] = SpmTokenizer::kUserDefined;
  types[11] = SpmTokenizer::kByte;
  SpmTokenizer t(pieces, scores, 1, 2, 0, true, "test", types);
  EXPECT_EQ(t.encode("ab"), (std::vector<int>{3, 10}));  // '▁' + "ab" (last duplicate id)
  // User-defined tokens are split out first; the fragment after one gets the space prefix
  // again; control-token text is plain text (here: unknown characters -> <unk>).
  EXPECT_EQ(t.encode("a<|u|>b"), (std::vector<int>{6, 8, 3, 5}));
  EXPECT_EQ(t.encode("<|u|>"), (std::vector<int>{8}));
  EXPECT_EQ(t.encode("\n")[1], 11);  // byte piece <0x0A>
  // No <0x78> piece: llama.cpp falls back to the one-character piece "x".
  const auto x = t.encode("x");
  EXPECT_EQ(x.back(), 12);
}

TEST(Tokenizer, DecodePiece) {
  REQUIRE_SHARED("models/stories260K/tok512.bin");
  auto t = load_tokenizer(test::shared("models/stories260K/tok512.bin"));
  std::string out;
  for (int id : t->encode("Once upon a time\nthere was")) out += t->decode_piece(id);
  EXPECT_EQ(out, " Once upon a time\nthere was");
}

}  // namespace
}  // namespace lr

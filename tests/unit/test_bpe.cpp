// Byte-level BPE and GGUF vocabularies against llama.cpp's own tokenizer test vectors.
#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/tokenizer/bpe_tokenizer.h"
#include "core/tokenizer/tokenizer_factory.h"
#include "core/util/error.h"
#include "core/util/mapped_file.h"
#include "tests/unit/test_util.h"

namespace lr {
namespace {

struct Case {
  std::string text;
  std::vector<int> ids;
};

std::vector<int> parse_ids(const std::string& line) {
  std::vector<int> ids;
  std::istringstream in(line);
  for (int id; in >> id;) ids.push_back(id);
  return ids;
}

// MANIFEST.md: inputs separated by "\n__ggml_vocab_test__\n", one line of ids per input.
std::vector<Case> read_cases(const std::string& gguf) {
  const std::string inp = read_text_file(gguf + ".inp");
  const std::string sep = "\n__ggml_vocab_test__\n";
  std::vector<std::string> texts;
  for (size_t pos = 0; pos < inp.size();) {
    const size_t next = inp.find(sep, pos);
    if (next == std::string::npos) {
      texts.push_back(inp.substr(pos));
      break;
    }
    texts.push_back(inp.substr(pos, next - pos));
    pos = next + sep.size();
  }
  std::ifstream out(gguf + ".out");
  std::vector<Case> cases;
  std::string line;
  for (const auto& t : texts) {
    if (!std::getline(out, line)) break;
    cases.push_back({t, parse_ids(line)});
  }
  EXPECT_EQ(cases.size(), texts.size()) << gguf;
  return cases;
}

// Cases of `name` our tokenizer gets exactly right, printed with the total.
int count_matches(const std::string& name) {
  const std::string path = test::shared("data/vocab-tests/ggml-vocab-" + name + ".gguf");
  const auto tok = load_gguf_tokenizer(path);
  const auto cases = read_cases(path);
  int ok = 0;
  for (const auto& c : cases) {
    const auto ids = tok->encode(c.text);
    if (ids == c.ids)
      ++ok;
    else
      ADD_FAILURE() << name << ": mismatch on \"" << c.text << "\"";
  }
  std::cout << "[ vocab    ] " << name << ": " << ok << "/" << cases.size()
            << " cases match llama.cpp\n";
  EXPECT_GT(cases.size(), 30u);
  return ok;
}

class GgufVocabTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GgufVocabTest, EveryCaseMatchesLlamaCpp) {
  REQUIRE_SHARED("data/vocab-tests/ggml-vocab-" + GetParam() + ".gguf");
  count_matches(GetParam());  // every mismatch is a failure
}

// Five byte-level BPE vocabularies and two SentencePiece ones (the GGUF llama path).
INSTANTIATE_TEST_SUITE_P(Bpe, GgufVocabTest,
                         ::testing::Values("gpt-2", "deepseek-llm", "deepseek-coder", "falcon",
                                           "starcoder", "llama-spm", "phi-3"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n)
                             if (c == '-') c = '_';
                           return n;
                         });

std::vector<int> excerpt_ids(const std::string& file) {
  return parse_ids(read_text_file(test::shared("data/vocab-tests/" + file)));
}

void expect_excerpt(const std::string& model, const std::string& ids_file, double* seconds) {
  const auto tok = load_gguf_tokenizer(test::shared("models/" + model));
  const std::string text = read_text_file(test::shared("data/vocab-tests/qwen2-excerpt.txt"));
  const auto t0 = std::chrono::steady_clock::now();
  const auto ids = tok->encode(text);
  *seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const auto ref = excerpt_ids(ids_file);
  ASSERT_EQ(ids.size(), ref.size()) << model;
  for (size_t i = 0; i < ref.size(); ++i) ASSERT_EQ(ids[i], ref[i]) << model << " token " << i;
}

TEST(Bpe, Qwen2ExcerptMatchesLlamaCpp) {
  REQUIRE_SHARED("models/qwen2-random-fixture.f16.gguf");
  double s = 0;
  expect_excerpt("qwen2-random-fixture.f16.gguf", "qwen2-excerpt.ids", &s);
  std::cout << "[ timing   ] qwen2 pre-tokenizer, 200 kB: " << s << " s\n";
  EXPECT_LT(s, 1.0);  // ranked merges on a heap: well under a second on one core
}

TEST(Bpe, Llama3ExcerptMatchesLlamaCpp) {
  REQUIRE_SHARED("models/llama3-random-fixture.f16.gguf");
  double s = 0;
  expect_excerpt("llama3-random-fixture.f16.gguf", "llama3-excerpt.ids", &s);
  std::cout << "[ timing   ] llama-bpe pre-tokenizer, 200 kB: " << s << " s\n";
  EXPECT_LT(s, 1.0);
}

TEST(Bpe, HfTokenizerJsonEqualsGguf) {
  // The qwen2 fixture's HF folder holds the same vocabulary, merges and split regex (in HF's
  // spelling) as its GGUF: same ids, same fingerprint, so shards serve both files.
  REQUIRE_SHARED("models/qwen2-random-fixture/tokenizer.json");
  const auto hf = load_tokenizer(test::shared("models/qwen2-random-fixture"));
  const auto gg = load_tokenizer(test::shared("models/qwen2-random-fixture.f16.gguf"));
  EXPECT_EQ(hf->kind(), "hf-bpe");
  EXPECT_EQ(gg->kind(), "gguf-bpe");
  EXPECT_EQ(dynamic_cast<const BpeTokenizer&>(*hf).pre_name(), "qwen2");
  EXPECT_EQ(hf->vocab_size(), 50257);
  EXPECT_EQ(hf->fingerprint(), gg->fingerprint());
  EXPECT_EQ(hf->eos_id(), 50256);
  const std::string text = read_text_file(test::shared("data/vocab-tests/qwen2-excerpt.txt"));
  EXPECT_EQ(hf->encode(text), excerpt_ids("qwen2-excerpt.ids"));
}

TEST(Bpe, FingerprintCoversThePreTokenizer) {
  // gpt-2, qwen2 and llama3 fixtures: one vocabulary and merge list, three pre-tokenizers.
  REQUIRE_SHARED("models/llama3-random-fixture.f16.gguf");
  REQUIRE_SHARED("data/vocab-tests/ggml-vocab-gpt-2.gguf");
  const auto a = load_tokenizer(test::shared("data/vocab-tests/ggml-vocab-gpt-2.gguf"));
  const auto b = load_tokenizer(test::shared("models/qwen2-random-fixture.f16.gguf"));
  const auto c = load_tokenizer(test::shared("models/llama3-random-fixture.f16.gguf"));
  EXPECT_EQ(a->vocab_size(), b->vocab_size());
  EXPECT_NE(a->fingerprint(), b->fingerprint());
  EXPECT_NE(b->fingerprint(), c->fingerprint());
  EXPECT_NE(a->fingerprint(), c->fingerprint());
  EXPECT_TRUE(dynamic_cast<const BpeTokenizer&>(*c).add_bos());
  EXPECT_FALSE(dynamic_cast<const BpeTokenizer&>(*b).add_bos());
  // The ids differ too: qwen2 splits digits one by one, llama3 in threes, gpt-2 not at all.
  EXPECT_EQ(a->encode("12345").size(), 2u);  // "123" "45" are GPT-2 tokens
  EXPECT_EQ(b->encode("12345").size(), 5u);
  EXPECT_EQ(c->encode("12345").size(), 2u);
  EXPECT_EQ(a->decode_piece(a->encode(" hello")[0]), " hello");
}

// A small tokenizer.json written here: merges as [a, b] pairs, added tokens, ranks.
std::string write_tokenizer_json(const std::string& name, const nlohmann::json& pre,
                                 const nlohmann::json& merges) {
  nlohmann::json vocab = {{"a", 0}, {"b", 1}, {"c", 2}, {"ab", 3}, {"bc", 4}, {"Ġ", 5}};
  nlohmann::json t = {{"model", {{"type", "BPE"}, {"vocab", vocab}, {"merges", merges}}},
                      {"normalizer", nullptr},
                      {"pre_tokenizer", pre},
                      {"decoder", {{"type", "ByteLevel"}}},
                      {"added_tokens",
                       {{{"id", 6}, {"content", "<|end|>"}, {"special", true}},
                        {{"id", 7}, {"content", "cab"}, {"special", false}},
                        {{"id", 8}, {"content", "ca"}, {"special", false}}}}};
  const std::string dir = test::tmp_dir() + "/" + name;
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/tokenizer.json") << t.dump();
  return dir;
}

TEST(Bpe, MergeRanksAndAddedTokens) {
  const nlohmann::json split = {
      {"type", "Sequence"},
      {"pretokenizers",
       {{{"type", "Split"}, {"pattern", {{"Regex", " ?\\p{L}+|\\s+"}}}, {"behavior", "Isolated"}},
        {{"type", "ByteLevel"}, {"use_regex", false}}}}};
  const auto bc_first = load_tokenizer(
      write_tokenizer_json("bc", split, nlohmann::json::array({{"b", "c"}, {"a", "b"}})));
  const auto ab_first =
      load_tokenizer(write_tokenizer_json("ab", split, nlohmann::json::array({"a b", "b c"})));
  EXPECT_EQ(bc_first->kind(), "hf-bpe");
  EXPECT_EQ(bc_first->vocab_size(), 9);
  EXPECT_EQ(bc_first->encode("abc"), (std::vector<int>{0, 4}));  // rank 0 "b c" wins
  EXPECT_EQ(ab_first->encode("abc"), (std::vector<int>{3, 2}));
  EXPECT_NE(bc_first->fingerprint(), ab_first->fingerprint());
  // User-defined tokens are split out first, longest first; control-token text is plain text.
  EXPECT_EQ(ab_first->encode("abcab"), (std::vector<int>{3, 7}));
  EXPECT_EQ(ab_first->encode("cac"), (std::vector<int>{8, 2}));
  const auto end = ab_first->encode("<|end|>");
  EXPECT_EQ(std::count(end.begin(), end.end(), 6), 0);
  EXPECT_EQ(ab_first->decode_piece(7), "cab");
  EXPECT_EQ(ab_first->decode_piece(5), " ");  // 'Ġ' is the byte 0x20
}

TEST(Bpe, UnsupportedInputsAreRefusedByName) {
  try {
    pretokenizer_spec("gpt-9", "x.gguf");
    FAIL() << "unknown pre-tokenizer accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Unsupported);
    EXPECT_NE(std::string(e.what()).find("x.gguf: pre-tokenizer 'gpt-9'"), std::string::npos);
  }
  const nlohmann::json meta = {{"type", "Metaspace"}, {"replacement", "_"}};
  const std::string dir = write_tokenizer_json("metaspace", meta, nlohmann::json::array());
  try {
    load_tokenizer(dir);
    FAIL() << "Metaspace accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Unsupported);
    EXPECT_NE(std::string(e.what()).find("'Metaspace'"), std::string::npos) << e.what();
  }
}

TEST(Bpe, InvalidUtf8BecomesReplacementCharacters) {
  EXPECT_EQ(sanitize_utf8("ok \xc3\xa9"), "ok \xc3\xa9");
  EXPECT_EQ(sanitize_utf8("a\xff"
                          "b"),
            "a\xef\xbf\xbd"
            "b");
  EXPECT_EQ(sanitize_utf8("\xe2\x82"), "\xef\xbf\xbd\xef\xbf\xbd");  // truncated: one per byte
  EXPECT_EQ(sanitize_utf8("\xc1\x81"), "A");                         // overlong, re-encoded
  REQUIRE_SHARED("data/vocab-tests/ggml-vocab-gpt-2.gguf");
  const auto t = load_tokenizer(test::shared("data/vocab-tests/ggml-vocab-gpt-2.gguf"));
  EXPECT_EQ(t->encode("a\xff"), t->encode("a\xef\xbf\xbd"));
}

}  // namespace
}  // namespace lr

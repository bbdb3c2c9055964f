// Passkey evaluation pieces: llama.cpp's prompt text, depth mapping, answers, length fitting.
#include <gtest/gtest.h>

#include "core/model/model.h"
#include "core/tokenizer/tokenizer_factory.h"
#include "core/util/error.h"
#include "eval/passkey.h"
#include "tests/unit/test_util.h"

namespace lr {
namespace {

TEST(Passkey, PromptIsLlamaCppTextByteForByte) {
  const std::string head =
      "There is an important info hidden inside a lot of irrelevant text. Find it and memorize "
      "them. I will quiz you about the important information there.";
  const std::string fill =
      " The grass is green. The sky is blue. The sun is yellow. Here we go. There and back again.";
  const std::string key = " The pass key is 4711. Remember it. 4711 is the pass key.";
  const std::string tail = " What is the pass key? The pass key is";
  EXPECT_EQ(passkey_prompt(3, 1, 4711), head + fill + key + fill + fill + tail);
  EXPECT_EQ(passkey_prompt(2, 0, 4711), head + key + fill + fill + tail);
  EXPECT_EQ(passkey_prompt(2, 2, 4711), head + fill + fill + key + tail);  // depth 100
  EXPECT_EQ(passkey_prompt(1, 0, 7),
            "There is an important info hidden inside a lot of irrelevant text. Find it and "
            "memorize them. I will quiz you about the important information there. The pass key "
            "is 7. Remember it. 7 is the pass key. The grass is green. The sky is blue. The sun is "
            "yellow. Here we go. There and back again. What is the pass key? The pass key is");
  EXPECT_THROW(passkey_prompt(3, 4, 1), Error);
  EXPECT_THROW(passkey_prompt(0, 0, 1), Error);
}

TEST(Passkey, DepthToInsertionRound) {
  EXPECT_EQ(depth_round(0, 7), 0);
  EXPECT_EQ(depth_round(25, 7), 2);  // 1.75
  EXPECT_EQ(depth_round(50, 7), 4);  // 3.5, halves away from zero
  EXPECT_EQ(depth_round(75, 8), 6);
  EXPECT_EQ(depth_round(100, 7), 7);  // after the last round
  EXPECT_EQ(depth_round(10, 83), 8);  // 8.3
  EXPECT_THROW(depth_round(101, 7), Error);
  EXPECT_THROW(depth_round(-1, 7), Error);
}

TEST(Passkey, AnswerIsTheFirstInteger) {
  EXPECT_EQ(parse_answer("12345."), 12345);
  EXPECT_EQ(parse_answer(" 123 is"), 123);
  EXPECT_EQ(parse_answer(" the key: 0042 and 7"), 42);
  EXPECT_EQ(parse_answer("-5"), 5);
  EXPECT_FALSE(parse_answer(" green. The pass key is").has_value());
  EXPECT_FALSE(parse_answer("").has_value());
  EXPECT_EQ(parse_answer("1234567890123456789012"), std::numeric_limits<long long>::max());
}

TEST(Passkey, CellGeneratorIsFixedAcrossPlatforms) {
  auto rng = passkey_cell_rng(3, 256, -1);
  EXPECT_EQ(1 + rng() % 50000, 36041u);  // first key of `--seed 3 --num-tokens 256`
  auto a = passkey_cell_rng(3, 256, 25), b = passkey_cell_rng(3, 256, 50);
  EXPECT_NE(a(), b());  // cells draw different keys
}

TEST(Passkey, RoundsFitTheRequestedLengthWithinOneRound) {
  REQUIRE_SHARED("models/fixture-passkey-3m");
  auto model = load_model(test::shared("models/fixture-passkey-3m"));
  auto tok = load_tokenizer(model->tokenizer_path);
  const ModelConfig& c = model->config;
  auto count = [&](int n) {
    return static_cast<int>(passkey_tokens(*tok, c, passkey_prompt(n, 0, 50000)).size());
  };
  const int per_round = count(11) - count(10);
  EXPECT_GT(per_round, 15);
  for (int len : {120, 256, 1024, 2048}) {
    const int n = rounds_for_length(*tok, c, len);
    EXPECT_LE(count(n), len);
    EXPECT_GT(count(n + 1), len);
    EXPECT_LT(len - count(n), per_round) << len;
  }
  const auto ids = passkey_tokens(*tok, c, passkey_prompt(2, 1, 3));
  EXPECT_EQ(ids.front(), c.bos_id);
  EXPECT_THROW(rounds_for_length(*tok, c, 40), Error);  // the skeleton alone is longer
}

TEST(Passkey, HfAndGgufTokenizePromptsAlike) {
  REQUIRE_SHARED("models/fixture-passkey-3m");
  REQUIRE_SHARED("models/fixture-passkey-3m.f32.gguf");
  auto hf = load_model(test::shared("models/fixture-passkey-3m"));
  auto sp = load_tokenizer(hf->tokenizer_path);
  auto gg = load_gguf_tokenizer(test::shared("models/fixture-passkey-3m.f32.gguf"));
  const std::string p = passkey_prompt(12, 5, 40917);
  EXPECT_EQ(sp->encode(p), gg->encode(p));
}

}  // namespace
}  // namespace lr

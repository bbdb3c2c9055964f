// Scoring rules of the perplexity modes, checked against direct engine calls; the stage timers.
#include <cmath>

#include "core/engine/forward.h"
#include "core/util/error.h"
#include "eval/perplexity.h"
#include "tests/unit/test_util.h"

namespace lr {
namespace {

Shard synthetic_shard(const std::vector<int>& lengths, int vocab) {
  Shard s;
  s.offsets.push_back(0);
  int k = 0;
  for (int len : lengths) {
    for (int i = 0; i < len; ++i) s.tokens.push_back(3 + (k++ * 7919 + i * i) % (vocab - 3));
    s.offsets.push_back(static_cast<int64_t>(s.tokens.size()));
    s.names.push_back("doc" + std::to_string(s.names.size()));
    s.sources_sha256.push_back("");
  }
  return s;
}

class PerplexityModes : public ::testing::Test {
 protected:
  void SetUp() override {
    REQUIRE_SHARED("models/stories260K/stories260K.bin");
    model_ = load_model(test::shared("models/stories260K/stories260K.bin"));
    engine_ = std::make_unique<Engine>(*model_);
  }
  double mean_nll(const std::vector<int>& seq, int from) {
    double s = 0;
    const auto lp = engine_->logprobs(seq, RopeScaling{}, from);
    for (double v : lp) s -= v;
    return s / lp.size();
  }
  std::unique_ptr<Model> model_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(PerplexityModes, TruncateUsesBosPlusFirstTokensAndSkipsShortDocs) {
  const Shard sh = synthetic_shard({70, 20, 80}, 512);  // doc1 is too short for 64
  PplOptions o;
  o.quiet = true;
  const auto r = evaluate_length(*engine_, sh, o, 64);
  ASSERT_EQ(r.docs.size(), 2u);
  EXPECT_EQ(r.docs[0].name, "doc0");
  EXPECT_EQ(r.docs[1].name, "doc2");
  double expect = 0;
  for (int d : {0, 2}) {
    std::vector<int> seq = {1};
    seq.insert(seq.end(), sh.doc(d).begin(), sh.doc(d).begin() + 63);
    expect += mean_nll(seq, 0);
    EXPECT_EQ(r.docs[d == 0 ? 0 : 1].tokens, 63);
  }
  EXPECT_NEAR(std::log(r.ppl), expect / 2, 1e-9);
  o.samples = 1;
  EXPECT_EQ(evaluate_length(*engine_, sh, o, 64).docs.size(), 1u);
  EXPECT_THROW(evaluate_length(*engine_, sh, o, 200), Error);
}

TEST_F(PerplexityModes, SlidingWindowScoresEveryTokenOnce) {
  const Shard sh = synthetic_shard({100}, 512);
  PplOptions o;
  o.quiet = true;
  o.mode = PplMode::Sliding;
  o.stride = 16;
  const auto r = evaluate_length(*engine_, sh, o, 41);  // windows of BOS + 40 tokens
  EXPECT_EQ(r.docs[0].tokens, 100);                     // every document token scored exactly once
  // First window [0,40): all 40 scored; second [16,56): the 16 new ones; ... last [80,100).
  double window_means = 0;
  int windows = 0;
  long prev_end = 0;
  for (long b = 0; b < 100; b += 16) {
    const long e = std::min(b + 40, 100L);
    std::vector<int> seq = {1};
    seq.insert(seq.end(), sh.tokens.begin() + b, sh.tokens.begin() + e);
    const int trg = static_cast<int>(e - prev_end);
    window_means += mean_nll(seq, static_cast<int>(seq.size()) - 1 - trg);
    ++windows;
    prev_end = e;
    if (e == 100) break;
  }
  EXPECT_NEAR(std::log(r.ppl), window_means / windows, 1e-9);
}

TEST_F(PerplexityModes, LlamaCppChunksScoreTheSecondHalf) {
  const Shard sh = synthetic_shard({70, 90}, 512);  // BOS + 160 tokens: 2 chunks of 64
  PplOptions o;
  o.quiet = true;
  o.mode = PplMode::LlamaCpp;
  const auto r = evaluate_length(*engine_, sh, o, 64);
  ASSERT_EQ(r.docs.size(), 2u);
  std::vector<int> stream = {1};  // llama.cpp tokenizes its file with BOS at the head
  stream.insert(stream.end(), sh.tokens.begin(), sh.tokens.end());
  double nll = 0;
  long n = 0;
  for (int c = 0; c < 2; ++c) {
    std::vector<int> seq(stream.begin() + 64 * c, stream.begin() + 64 * (c + 1));
    seq[0] = 1;  // BOS replaces the first token
    const double m = mean_nll(seq, 32);
    nll += m * 31;  // positions 32..62 predict 33..63
    n += 31;
    EXPECT_EQ(r.docs[c].tokens, 31);
  }
  EXPECT_NEAR(std::log(r.ppl), nll / n, 1e-9);
}

TEST_F(PerplexityModes, StageTimersCountThePrefillFlopsAndSplitTheTime) {
  const Shard sh = synthetic_shard({300, 300}, 512);
  PplOptions o;
  o.quiet = true;
  const auto r = evaluate_length(*engine_, sh, o, 256);
  // The stages' FLOPs are prefill_flops' terms: every product and causal attention, to rounding.
  double flops = 0;
  for (double f : r.stages.flops) flops += f;
  EXPECT_NEAR(flops, r.flops, 1e-9 * r.flops);
  const auto at = [&](Stage s) { return r.stages.seconds[static_cast<int>(s)]; };
  for (Stage s : {Stage::QkvProj, Stage::Attention, Stage::FfnGemm, Stage::Head, Stage::Norm})
    EXPECT_GT(at(s), 0.0) << stage_name(s);
  EXPECT_LE(r.stages.total_seconds(), r.seconds);
  EXPECT_EQ(r.stages.flops[static_cast<int>(Stage::Rope)], 0.0);
  // Reset at the start of each length: a second length counts only its own passes.
  const auto r2 = evaluate_length(*engine_, sh, o, 128);
  double f2 = 0;
  for (double f : r2.stages.flops) f2 += f;
  EXPECT_NEAR(f2, r2.flops, 1e-9 * r2.flops);
}

TEST(AttentionPairs, WholeCachedAndWindowed) {
  EXPECT_EQ(attention_pairs(0, 100, 0), 5000.0);            // n²/2
  EXPECT_EQ(attention_pairs(100, 1, 0), 100.5);             // a decode step after 100 tokens
  EXPECT_EQ(attention_pairs(0, 100, 200), 5000.0);          // the window never binds
  EXPECT_EQ(attention_pairs(0, 100, 40), 800.0 + 60 * 40);  // W²/2, then W per query
  EXPECT_EQ(attention_pairs(50, 10, 40), 400.0);            // every query sees W keys
  EXPECT_EQ(attention_pairs(30, 20, 40), (1600.0 - 900.0) / 2 + 10 * 40);
  // The pieces add up: a sequence split into a prefill and cached chunks counts alike.
  EXPECT_DOUBLE_EQ(
      attention_pairs(0, 70, 40) + attention_pairs(70, 30, 40) + attention_pairs(100, 1, 40),
      attention_pairs(0, 101, 40));
}

}  // namespace
}  // namespace lr

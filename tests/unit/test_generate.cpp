// KV-cache generation: prefill + one-token decode steps reproduce one full forward pass.
#include <cmath>
#include <random>

#include "core/engine/generate.h"
#include "core/model/model.h"
#include "tests/unit/test_util.h"

namespace lr {
namespace {

constexpr double kTolNats = 1e-4;  // max |Δ log p| per token, incremental vs full pass

std::vector<int> random_tokens(int n, int vocab, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<int> t(n);
  t[0] = 1;  // BOS
  for (int i = 1; i < n; ++i) t[i] = 3 + static_cast<int>(rng() % (vocab - 3));
  return t;
}

// Prefill tokens[0..k) in one pass, then decode the rest one token at a time; returns the
// n-1 log-probs log p(tokens[t+1] | tokens[0..t]) in the order Engine::logprobs gives them.
std::vector<double> incremental(Engine& e, const std::vector<int>& tokens, const RopeScaling& r,
                                int select_len, int k) {
  const ModelConfig& c = e.model().config;
  const int n = static_cast<int>(tokens.size());
  const SequenceRope sr = sequence_rope(c, r, select_len);
  KvCache cache;
  cache.reset(c, n);
  std::vector<double> out;
  std::vector<float> logits = e.extend(tokens.data(), k, sr, cache, &out);
  out.push_back(log_softmax_at(logits.data(), c.vocab_size, tokens[k]));
  for (int t = k; t < n - 1; ++t) {
    logits = e.extend(&tokens[t], 1, sr, cache);
    out.push_back(log_softmax_at(logits.data(), c.vocab_size, tokens[t + 1]));
  }
  EXPECT_EQ(cache.len, n - 1);
  return out;
}

double max_abs_diff(const std::vector<double>& a, const std::vector<double>& b) {
  double m = 0;
  for (size_t i = 0; i < a.size(); ++i) m = std::max(m, std::abs(a[i] - b[i]));
  return m;
}

struct Case {
  std::string name;
  RopeScaling rope;
  int select_len = 310;  // selection length handed to rope_freqs (prompt + new tokens)
};

std::vector<Case> cases(const ModelConfig& c) {
  std::vector<Case> out;
  out.push_back({"none", {}});
  RopeScaling yarn;
  yarn.kind = RopeKind::Yarn;
  yarn.factor = 4.0;
  out.push_back({"yarn s=4", yarn});
  RopeScaling lr;
  lr.kind = RopeKind::LongRope;
  lr.factor = 4.0;
  lr.factors = {ntk_factors(c.head_dim, 4.0)};
  lr.start_tokens = 8;
  out.push_back({"longrope n^=8", lr});
  RopeScaling per_layer = lr;
  per_layer.factors.clear();
  for (int l = 0; l < c.n_layers; ++l)
    per_layer.factors.push_back(ntk_factors(c.head_dim, 2.0 + l));
  per_layer.start_tokens = 2;
  out.push_back({"longrope per-layer", per_layer});
  RopeScaling deployed = lr;  // HF rule: short factors while the selection length fits L
  deployed.short_factors = {ntk_factors(c.head_dim, 1.5)};
  deployed.target_length = 1024;
  out.push_back({"deployed short", deployed, 200});
  out.push_back({"deployed long", deployed, 310});
  RopeScaling dyn;
  dyn.kind = RopeKind::DynamicNtk;  // depends on the selection length: fixed for the sequence
  out.push_back({"dynamic-ntk", dyn});
  return out;
}

class IncrementalDecode : public ::testing::TestWithParam<std::string> {};

TEST_P(IncrementalDecode, PrefillPlusDecodeEqualsFullPass) {
  REQUIRE_SHARED(GetParam());
  auto model = load_model(test::shared(GetParam()));
  Engine engine(*model);
  const ModelConfig& c = model->config;
  const int n = 300, k = 150;  // past the trained 256; k spans two tiles
  const auto tokens = random_tokens(n, c.vocab_size, 7);
  std::vector<double> none_lp;
  for (const auto& cs : cases(c)) {
    const auto full = engine.logprobs(tokens, cs.rope, 0, cs.select_len);
    const auto inc = incremental(engine, tokens, cs.rope, cs.select_len, k);
    ASSERT_EQ(inc.size(), full.size()) << cs.name;
    EXPECT_LE(max_abs_diff(inc, full), kTolNats) << cs.name;
    if (cs.name == "none")
      none_lp = full;
    else  // the scaling really changes the log-probs, so the comparison above means something
      EXPECT_GT(max_abs_diff(full, none_lp), 1e-2) << cs.name;
  }
}

TEST_P(IncrementalDecode, SlidingWindowAndOneTokenPrefill) {
  REQUIRE_SHARED(GetParam());
  auto model = load_model(test::shared(GetParam()));
  model->config.sliding_window = 40;  // Mistral-style local attention, in both paths
  Engine engine(*model);
  const auto tokens = random_tokens(120, model->config.vocab_size, 11);
  RopeScaling r;
  r.kind = RopeKind::Linear;
  r.factor = 2.0;
  const auto full = engine.logprobs(tokens, r, 0, 130);
  for (int k : {1, 70}) {
    const auto inc = incremental(engine, tokens, r, 130, k);
    EXPECT_LE(max_abs_diff(inc, full), kTolNats) << "k=" << k;
  }
}

INSTANTIATE_TEST_SUITE_P(Models, IncrementalDecode,
                         ::testing::Values("models/fixture-llama-5m",            // HalfSplit
                                           "models/fixture-llama-5m.f32.gguf"),  // Adjacent
                         [](const auto& info) {
                           return info.param.find("gguf") != std::string::npos ? "gguf" : "hf";
                         });

TEST(Generate, GreedyStopsAtEosOrAfterNTokens) {
  REQUIRE_SHARED("models/fixture-llama-5m");
  auto model = load_model(test::shared("models/fixture-llama-5m"));
  Engine engine(*model);
  const auto prompt = random_tokens(40, model->config.vocab_size, 3);
  GenerateOptions opt;
  opt.max_new_tokens = 6;
  const Generation g = generate_greedy(engine, prompt, {}, opt);
  ASSERT_EQ(g.tokens.size(), 6u);
  EXPECT_FALSE(g.stopped_at_eos);
  // Each generated token is the argmax of a full pass over the prompt and the tokens before it.
  std::vector<int> seq = prompt;
  for (int t : g.tokens) {
    seq.push_back(t);
    const auto lp = engine.logprobs(seq, {}, static_cast<int>(seq.size()) - 2);
    EXPECT_GT(lp.back(), std::log(0.5 / model->config.vocab_size)) << "not a likely token";
  }
  opt.eos_id = g.tokens[2];
  const Generation s = generate_greedy(engine, prompt, {}, opt);
  const size_t first = std::find(g.tokens.begin(), g.tokens.end(), opt.eos_id) - g.tokens.begin();
  EXPECT_TRUE(s.stopped_at_eos);
  EXPECT_EQ(s.tokens.size(), first + 1);
  EXPECT_EQ(s.tokens.back(), opt.eos_id);
}

}  // namespace
}  // namespace lr

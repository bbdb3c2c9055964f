// Every architecture against the PyTorch reference (tiny seeded models written by
// tests/reference/arch_models.py: HF F32/BF16 and GGUF) and the shared random fixtures.
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>

#include "core/engine/forward.h"
#include "core/model/arch.h"
#include "core/util/error.h"
#include "tests/unit/test_util.h"

namespace fs = std::filesystem;

namespace lr {
namespace {

constexpr double kRefTolNats = 1e-3;     // engine (F32) vs float64 reference, per token
constexpr double kSameTolNats = 1e-5;    // two files holding the same values
constexpr double kDecodeTolNats = 1e-4;  // KV-cache decode vs prefill

double max_abs_diff(const std::vector<double>& a, const std::vector<double>& b) {
  EXPECT_EQ(a.size(), b.size());
  double m = 0;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) m = std::max(m, std::abs(a[i] - b[i]));
  return m;
}

std::vector<int> random_tokens(int n, int vocab, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<int> t(n);
  for (int& x : t) x = 3 + static_cast<int>(rng() % (vocab - 3));
  return t;
}

// Writes the models once for the suite; skips when python3-torch is missing.
class ArchReference : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = test::tmp_dir() + "/arch-models-" + std::to_string(getpid());
    const std::string cmd = "/usr/bin/python3 " + test::repo_root() +
                            "/tests/reference/arch_models.py " + dir_ + " " + test::shared_dir() +
                            " > " + dir_ + ".log 2>&1";
    const int rc = std::system(cmd.c_str());
    status_ = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  }
  static void TearDownTestSuite() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
    fs::remove(dir_ + ".log", ec);
  }
  void SetUp() override {
    if (status_ == 77) GTEST_SKIP() << "python3-torch missing: no reference";
    ASSERT_EQ(status_, 0) << "arch_models.py failed; see " << dir_ << ".log";
  }
  static std::string path(const std::string& m) {
    if (m.rfind("shared:", 0) == 0) return test::shared("models/" + m.substr(7));
    return dir_ + "/" + m;
  }
  static inline std::string dir_;
  static inline int status_ = -1;
};

TEST_F(ArchReference, LogprobsMatchReference) {
  std::ifstream in(dir_ + "/expected.json");
  const auto cases = nlohmann::json::parse(in);
  int compared = 0;
  for (const auto& c : cases) {
    const std::string m = c["model"];
    auto model = load_model(path(m));
    Engine e(*model);
    const auto tokens = c["tokens"].get<std::vector<int>>();
    const auto got = e.logprobs(tokens, RopeScaling{}, 0);
    EXPECT_LE(max_abs_diff(got, c["logprobs"].get<std::vector<double>>()), kRefTolNats)
        << m << " n=" << tokens.size();
    ++compared;
  }
  EXPECT_GE(compared, 18);  // 5 archs x (F32, BF16, GGUF), phi3 at two lengths, fixtures
}

TEST_F(ArchReference, TableFeaturesLoaded) {
  auto qwen2 = load_model(path("qwen2.gguf"));
  EXPECT_EQ(qwen2->config.rope_layout, RopeLayout::HalfSplit);  // NEOX, not permuted
  EXPECT_NE(qwen2->weights.layers[1].bv, nullptr);
  EXPECT_EQ(qwen2->weights.output.data, qwen2->weights.tok_embd.data);  // tied
  EXPECT_EQ(load_model(path("llama.gguf"))->config.rope_layout, RopeLayout::Adjacent);
  auto qwen3 = load_model(path("qwen3-f32"));
  EXPECT_EQ(qwen3->config.head_dim, 16);  // explicit, not 48 / 4
  EXPECT_NE(qwen3->weights.layers[0].k_norm, nullptr);
  EXPECT_EQ(qwen3->weights.layers[0].bq, nullptr);
  // LLaMA-3.1 factors from HF rope_scaling equal those the GGUF carries as rope_freqs.
  auto l3h = load_model(path("llama3-f32")), l3g = load_model(path("llama3.gguf"));
  ASSERT_EQ(l3h->config.rope_freq_factors.size(), 6u);
  for (int i = 0; i < 6; ++i)
    EXPECT_NEAR(l3h->config.rope_freq_factors[i], l3g->config.rope_freq_factors[i], 1e-5);
  EXPECT_FLOAT_EQ(l3h->config.rope_freq_factors[5], 8.0f);
  EXPECT_FLOAT_EQ(l3h->config.rope_freq_factors[0], 1.0f);
  for (const char* m : {"phi3-f32", "phi3.gguf"}) {
    auto p = load_model(path(m));
    const ModelConfig& c = p->config;
    EXPECT_EQ(c.max_position, 32) << m;
    EXPECT_EQ(c.context_length, 256) << m;
    EXPECT_NEAR(c.rope_attn_factor, std::sqrt(1 + std::log(8.0) / std::log(32.0)), 1e-6) << m;
    EXPECT_EQ(c.rope_short_factors.size(), 6u) << m;
    // fused qkv / gate_up: views into one buffer, no copies
    const LayerWeights& L = p->weights.layers[0];
    EXPECT_EQ(L.wk.data, L.wq.row(c.q_dim())) << m;
    EXPECT_EQ(L.wv.data, L.wk.row(c.kv_dim())) << m;
    EXPECT_EQ(L.w_up.data, L.w_gate.row(c.hidden_dim)) << m;
    EXPECT_EQ(L.wq.rows, c.q_dim()) << m;
    EXPECT_EQ(L.w_up.rows, c.hidden_dim) << m;
  }
  EXPECT_TRUE(load_model(path("phi3-f32"))->weights.owned.empty());  // F32: mapped
}

// Prefill and the KV-cache decode path share run_layers: biases and q/k norm in both.
TEST_F(ArchReference, DecodeMatchesPrefill) {
  for (const char* m : {"qwen2-f32", "qwen3.gguf", "phi3-bf16", "llama3.gguf"}) {
    auto model = load_model(path(m));
    const ModelConfig& c = model->config;
    Engine e(*model);
    const auto tokens = random_tokens(48, c.vocab_size, 5);
    const auto full = e.logprobs(tokens, RopeScaling{}, 0);
    const int n = static_cast<int>(tokens.size()), k = 10;
    const SequenceRope sr = sequence_rope(c, RopeScaling{}, n);
    KvCache cache;
    cache.reset(c, n);
    std::vector<double> inc;
    auto logits = e.extend(tokens.data(), k, sr, cache, &inc);
    inc.push_back(log_softmax_at(logits.data(), c.vocab_size, tokens[k]));
    for (int t = k; t < n - 1; ++t) {
      logits = e.extend(&tokens[t], 1, sr, cache);
      inc.push_back(log_softmax_at(logits.data(), c.vocab_size, tokens[t + 1]));
    }
    EXPECT_LE(max_abs_diff(full, inc), kDecodeTolNats) << m;
  }
}

// The HF folder and the GGUF of a shared fixture hold the same F16 values: same log-probs.
void expect_same(const std::string& hf, const std::string& gguf, std::vector<int> lengths) {
  auto a = load_model(test::shared(hf)), b = load_model(test::shared(gguf));
  Engine ea(*a), eb(*b);
  for (int n : lengths) {
    const auto tokens = random_tokens(n, a->config.vocab_size, 11);
    EXPECT_LE(
        max_abs_diff(ea.logprobs(tokens, RopeScaling{}, 0), eb.logprobs(tokens, RopeScaling{}, 0)),
        kSameTolNats)
        << hf << " n=" << n;
  }
}

TEST(ArchFixtures, Qwen2HfEqualsGguf) {
  REQUIRE_SHARED("models/qwen2-random-fixture.f16.gguf");
  expect_same("models/qwen2-random-fixture", "models/qwen2-random-fixture.f16.gguf", {200});
  auto h = load_model(test::shared("models/qwen2-random-fixture"));
  auto g = load_model(test::shared("models/qwen2-random-fixture.f16.gguf"));
  EXPECT_FALSE(h->config.add_bos);  // Qwen adds no BOS (tokenizer_config / GGUF key)
  EXPECT_FALSE(g->config.add_bos);
  EXPECT_EQ(g->config.rope_theta, 1e6);
}

TEST(ArchFixtures, Phi3HfEqualsGgufShortAndLong) {
  REQUIRE_SHARED("models/phi3-random-fixture.f16.gguf");
  // 200 tokens: short factors (<= 256); 300: long ones
  expect_same("models/phi3-random-fixture", "models/phi3-random-fixture.f16.gguf", {200, 300});
  auto g = load_model(test::shared("models/phi3-random-fixture.f16.gguf"));
  EXPECT_TRUE(g->config.add_bos);
  EXPECT_NEAR(g->config.rope_attn_factor, 1.172604, 1e-6);
  const RopeFreqs s = rope_freqs(g->config, RopeScaling{}, 0, 256),
                  l = rope_freqs(g->config, RopeScaling{}, 0, 257);
  EXPECT_NEAR(s.base_inv_freq[15] * 1.25, std::pow(1e4, -30.0 / 32), 1e-12);  // short
  EXPECT_NEAR(l.base_inv_freq[15] * 8.0, std::pow(1e4, -30.0 / 32), 1e-12);   // long
}

TEST(ArchFixtures, Llama3FileFactorsAreHfLlama3RuleAndAppliedOnce) {
  REQUIRE_SHARED("models/llama3-random-fixture.f16.gguf");
  auto m = load_model(test::shared("models/llama3-random-fixture.f16.gguf"));
  const ModelConfig& c = m->config;
  EXPECT_TRUE(c.add_bos);  // llama-bpe pre-tokenizer
  const auto hf = llama3_rope_factors(32, 5e5, 8, 1, 4, 8192);
  ASSERT_EQ(c.rope_freq_factors.size(), hf.size());
  for (size_t i = 0; i < hf.size(); ++i) EXPECT_NEAR(c.rope_freq_factors[i], hf[i], 1e-4 * hf[i]);
  const RopeFreqs f = rope_freqs(c, RopeScaling{}, 0, 256);
  for (int i = 0; i < 16; ++i)
    EXPECT_NEAR(f.inv_freq[i] * c.rope_freq_factors[i], std::pow(5e5, -2.0 * i / 32), 1e-12);
}

TEST(ArchTable, RefusesOtherArchitecturesByName) {
  try {
    arch_from_hf("GPT2LMHeadModel", "gpt2", "cfg");
    FAIL() << "no throw";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("GPT2LMHeadModel"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("Qwen3ForCausalLM"), std::string::npos);
  }
  EXPECT_THROW(arch_from_gguf("gemma2", "f.gguf"), Error);
  EXPECT_EQ(arch_from_hf("MistralForCausalLM", "mistral", "c").id, Arch::Llama);
  EXPECT_FALSE(gguf_default_add_bos("gpt2", "qwen2"));
  EXPECT_TRUE(gguf_default_add_bos("gpt2", "llama-bpe"));
  EXPECT_TRUE(gguf_default_add_bos("llama", ""));
}

}  // namespace
}  // namespace lr

// Deployed LongRoPE: short/long factor selection by length, mscale from the target, and the
// factors a model file carries (HF rope_scaling, GGUF rope_freqs + attn_factor).
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/engine/forward.h"
#include "core/model/model.h"
#include "core/rope/rope.h"
#include "core/util/error.h"
#include "tests/unit/test_util.h"

namespace lr {
namespace {

ModelConfig cfg(int L = 256) {
  ModelConfig c;
  c.dim = 64;
  c.hidden_dim = 128;
  c.n_layers = 2;
  c.n_heads = 2;
  c.n_kv_heads = 2;
  c.head_dim = 8;
  c.vocab_size = 10;
  c.max_position = L;
  return c;
}

RopeScaling deployed(int target) {
  RopeScaling r;
  r.kind = RopeKind::LongRope;
  r.factors = {{1.0, 2.0, 4.0, 8.0}};
  r.short_factors = {{1.0, 1.1, 1.2, 1.3}};
  r.target_length = target;
  r.factor = 1.0;  // ignored by the deployed rule
  return r;
}

TEST(Deployed, ShortFactorsUpToOriginalLengthThenLong) {
  const ModelConfig c = cfg(256);
  const RopeScaling r = deployed(2048);
  const double su = std::sqrt(1.0 + std::log(8.0) / std::log(256.0));  // s = 2048 / 256
  for (int n : {1, 100, 256}) {
    const auto f = rope_freqs(c, r, 0, n);
    for (int i = 0; i < 4; ++i)
      EXPECT_NEAR(f.inv_freq[i] * r.short_factors[0][i], f.base_inv_freq[i], 1e-15) << n;
    EXPECT_NEAR(f.mscale, su, 1e-12) << "mscale from the target at short lengths too";
  }
  for (int n : {257, 1000, 4096}) {
    const auto f = rope_freqs(c, r, 0, n);
    for (int i = 0; i < 4; ++i)
      EXPECT_NEAR(f.inv_freq[i] * r.factors[0][i], f.base_inv_freq[i], 1e-15) << n;
    EXPECT_NEAR(f.mscale, su, 1e-12);
  }
}

TEST(Deployed, WithoutTargetLengthLongRopeIsUnchanged) {
  RopeScaling r = deployed(0);
  r.factor = 2.0;
  const auto f = rope_freqs(cfg(256), r, 0, 100);  // short length, but no deployed rule
  for (int i = 0; i < 4; ++i)
    EXPECT_NEAR(f.inv_freq[i] * r.factors[0][i], f.base_inv_freq[i], 1e-15);
  EXPECT_NEAR(f.mscale, std::sqrt(1.0 + std::log(2.0) / std::log(256.0)), 1e-12);
}

TEST(Deployed, FileFactorsAreTheModelsOwnRope) {
  ModelConfig c = cfg(256);
  c.rope_freq_factors = {1.0f, 2.0f, 4.0f, 8.0f};
  c.rope_short_factors = {1.0f, 1.5f, 1.5f, 2.0f};
  c.rope_attn_factor = 1.25;
  for (int n : {10, 256, 257}) {
    const auto& row = n <= 256 ? c.rope_short_factors : c.rope_freq_factors;
    const auto f = rope_freqs(c, RopeScaling{}, 0, n);
    for (int i = 0; i < 4; ++i)
      EXPECT_NEAR(f.inv_freq[i], std::pow(10000.0, -2.0 * i / 8) / row[i], 1e-15) << n;
    EXPECT_DOUBLE_EQ(f.mscale, 1.25);
    EXPECT_DOUBLE_EQ(f.base_mscale, 1.25);  // start tokens keep the model's own RoPE
  }
  RopeScaling replace;
  replace.replace_file_factors = true;
  const auto f = rope_freqs(c, replace, 0, 1000);
  for (int i = 0; i < 4; ++i) EXPECT_DOUBLE_EQ(f.inv_freq[i], std::pow(10000.0, -2.0 * i / 8));
  EXPECT_DOUBLE_EQ(f.mscale, 1.0);
}

TEST(Deployed, RopeTableAppliesModelAttentionFactorToStartTokens) {
  ModelConfig c = cfg(256);
  c.rope_freq_factors = {1.0f, 1.0f, 1.0f, 1.0f};
  c.rope_attn_factor = 2.0;
  RopeScaling r = deployed(1024);
  r.replace_file_factors = false;
  r.start_tokens = 2;
  RopeTable t;
  t.build(rope_freqs(c, r, 0, 600), 4);
  EXPECT_NEAR(t.cos[0], 2.0, 1e-6);  // position 0, start token: cos 0 × the file's factor
  const double su = std::sqrt(1.0 + std::log(4.0) / std::log(256.0));
  EXPECT_NEAR(std::hypot(t.cos[3 * 4], t.sin[3 * 4]), 2.0 * su, 1e-5);  // past n̂
}

// An HF folder whose config.json carries rope_scaling "longrope" is read back as the same
// model evaluated with --rope longrope under the deployed rule.
TEST(Deployed, HfRopeScalingReadBackEqualsCommandLineScaling) {
  REQUIRE_SHARED("models/fixture-llama-5m");
  namespace fs = std::filesystem;
  const std::string src = lr::test::shared("models/fixture-llama-5m");
  const fs::path dir = fs::path(lr::test::tmp_dir()) / "deployed-hf";
  fs::remove_all(dir);
  fs::create_directories(dir);
  fs::create_symlink(fs::absolute(src) / "model.safetensors", dir / "model.safetensors");
  nlohmann::json j = nlohmann::json::parse(std::ifstream(src + "/config.json"));
  const auto base = load_model(src);
  const int half = base->config.head_dim / 2, L = base->config.max_position, T = 4 * L;
  std::vector<double> lng(half), shrt(half);
  for (int i = 0; i < half; ++i) {
    lng[i] = 1.0 + 3.0 * i / (half - 1);
    shrt[i] = 1.0 + 0.5 * i / (half - 1);
  }
  j["original_max_position_embeddings"] = L;
  j["max_position_embeddings"] = T;
  j["rope_scaling"] = {{"rope_type", "longrope"},
                       {"long_factor", lng},
                       {"short_factor", shrt},
                       {"factor", 4.0}};  // attention_factor left to the default (su)
  std::ofstream(dir / "config.json") << j.dump(1);
  const auto exported = load_model(dir.string());
  EXPECT_EQ(exported->config.max_position, L);
  EXPECT_EQ(exported->config.context_length, T);
  EXPECT_NEAR(exported->config.rope_attn_factor,
              std::sqrt(1.0 + std::log(4.0) / std::log(static_cast<double>(L))), 1e-12);

  RopeScaling cli;
  cli.kind = RopeKind::LongRope;
  cli.factors = {lng};
  cli.short_factors = {shrt};
  cli.target_length = T;
  std::vector<int> tokens;
  for (int i = 0; i < L + 40; ++i) tokens.push_back(1 + (i * 7919) % 4000);
  for (int n : {L / 2, L + 40}) {  // short set, then long set
    const std::vector<int> seq(tokens.begin(), tokens.begin() + n);
    Engine a(*exported), b(*base);
    const auto la = a.logprobs(seq, RopeScaling{});
    const auto lb = b.logprobs(seq, cli);
    const auto lnone = b.logprobs(seq, RopeScaling{});
    double max_diff = 0, max_vs_none = 0;
    for (size_t t = 0; t < la.size(); ++t) {
      max_diff = std::max(max_diff, std::abs(la[t] - lb[t]));
      max_vs_none = std::max(max_vs_none, std::abs(la[t] - lnone[t]));
    }
    // float factors in the file vs double on the CLI; the GEMM's summation order also varies
    // with buffer alignment (measured up to 1.25e-5 after other tests ran in the process)
    EXPECT_LT(max_diff, 5e-5) << n;
    EXPECT_GT(max_vs_none, 1e-3) << n;  // and the scaling really changes the result
  }
}

TEST(Deployed, HfRopeScalingOfOtherTypesIsRefused) {
  REQUIRE_SHARED("models/fixture-llama-5m");
  namespace fs = std::filesystem;
  const std::string src = lr::test::shared("models/fixture-llama-5m");
  const fs::path cfg_path = fs::path(lr::test::tmp_dir()) / "yarn-config.json";
  nlohmann::json j = nlohmann::json::parse(std::ifstream(src + "/config.json"));
  j["rope_scaling"] = {{"rope_type", "yarn"}, {"factor", 4.0}};
  std::ofstream(cfg_path) << j.dump();
  try {
    read_hf_config(cfg_path.string());
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Unsupported);
    EXPECT_NE(std::string(e.what()).find("'yarn'"), std::string::npos);
  }
}

}  // namespace
}  // namespace lr

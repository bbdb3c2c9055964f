// RoPE formulas against closed forms: PI, NTK, dynamic NTK, YaRN, LongRoPE, mscale, start tokens.
#include <cmath>

#include "core/rope/rope.h"
#include "core/util/error.h"
#include "tests/unit/test_util.h"

namespace lr {
namespace {

ModelConfig cfg(int head_dim = 64, int L = 256) {
  ModelConfig c;
  c.dim = 256;
  c.hidden_dim = 768;
  c.n_layers = 2;
  c.n_heads = 4;
  c.n_kv_heads = 2;
  c.head_dim = head_dim;
  c.vocab_size = 10;
  c.max_position = L;
  c.rope_theta = 10000.0;
  return c;
}

TEST(Rope, NoneIsBaseFrequencies) {
  const auto f = rope_freqs(cfg(), RopeScaling{}, 0, 100);
  for (int i = 0; i < 32; ++i) EXPECT_DOUBLE_EQ(f.inv_freq[i], std::pow(10000.0, -2.0 * i / 64));
  EXPECT_EQ(f.mscale, 1.0);
}

TEST(Rope, LinearDividesEveryFrequency) {
  RopeScaling r;
  r.kind = RopeKind::Linear;
  r.factor = 8;
  const auto f = rope_freqs(cfg(), r, 0, 2048);
  for (int i = 0; i < 32; ++i) EXPECT_NEAR(f.inv_freq[i] * 8, f.base_inv_freq[i], 1e-15);
}

TEST(Rope, NtkEqualsLargerBase) {
  RopeScaling r;
  r.kind = RopeKind::Ntk;
  r.factor = 8;
  const auto f = rope_freqs(cfg(), r, 0, 2048);
  const double base = 10000.0 * std::pow(8.0, 64.0 / 62.0);
  for (int i = 0; i < 32; ++i)
    EXPECT_NEAR(f.inv_freq[i] / std::pow(base, -2.0 * i / 64), 1.0, 1e-12);
  EXPECT_NEAR(f.inv_freq[0], 1.0, 1e-15);  // highest frequency unchanged
  EXPECT_NEAR(f.base_inv_freq[31] / f.inv_freq[31], std::pow(8.0, 62.0 / 62.0), 1e-9);
}

TEST(Rope, DynamicNtkOnlyBeyondTrainedLength) {
  RopeScaling r;
  r.kind = RopeKind::DynamicNtk;
  const auto short_f = rope_freqs(cfg(), r, 0, 256);
  for (int i = 0; i < 32; ++i) EXPECT_DOUBLE_EQ(short_f.inv_freq[i], short_f.base_inv_freq[i]);
  const auto long_f = rope_freqs(cfg(), r, 0, 1024);  // factor 1: alpha = n / L = 4
  const double base = 10000.0 * std::pow(4.0, 64.0 / 62.0);
  EXPECT_NEAR(long_f.inv_freq[20] / std::pow(base, -40.0 / 64), 1.0, 1e-12);
}

TEST(Rope, YarnKeepsHighAndInterpolatesLowFrequencies) {
  // L=256, base 1e4, d=64: corr_dim(32) = 64 ln(256/(64π)) / (2 ln 1e4) = 0.7..., floor -> 0;
  // corr_dim(1) = 64 ln(256/2π) / (2 ln 1e4) = 12.87 -> ceil 13.
  const auto f = yarn_factors(64, 10000.0, 8.0, 256, 32, 1);
  EXPECT_DOUBLE_EQ(f[0], 1.0);
  for (int i = 13; i < 32; ++i) EXPECT_NEAR(f[i], 8.0, 1e-12);
  const double ramp = 6.0 / 13.0;  // i = 6
  EXPECT_NEAR(1.0 / f[6], (1.0 / 8.0) * ramp + (1.0 - ramp), 1e-12);
  for (int i = 1; i < 32; ++i) EXPECT_GE(f[i], f[i - 1]);
  RopeScaling r;
  r.kind = RopeKind::Yarn;
  r.factor = 8;
  EXPECT_NEAR(rope_freqs(cfg(), r, 0, 2048).mscale, 0.1 * std::log(8.0) + 1.0, 1e-15);
}

TEST(Rope, MscalePolicies) {
  EXPECT_NEAR(mscale_su(8.0, 256), std::sqrt(std::log(2048.0) / std::log(256.0)), 1e-15);
  EXPECT_EQ(mscale_su(0.5, 256), 1.0);
  EXPECT_EQ(mscale_yarn(1.0), 1.0);
  RopeScaling r;
  r.kind = RopeKind::LongRope;
  r.factor = 8;
  r.factors = {std::vector<double>(32, 2.0)};
  EXPECT_NEAR(rope_freqs(cfg(), r, 0, 2048).mscale, mscale_su(8.0, 256), 1e-15);
  parse_mscale("yarn", r);
  EXPECT_NEAR(rope_freqs(cfg(), r, 0, 2048).mscale, mscale_yarn(8.0), 1e-15);
  parse_mscale("1.5", r);
  EXPECT_EQ(rope_freqs(cfg(), r, 0, 2048).mscale, 1.5);
  EXPECT_THROW(parse_mscale("abc", r), Error);
  EXPECT_THROW(parse_mscale("-1", r), Error);
}

TEST(Rope, LongRopePerLayerAndStartTokens) {
  RopeScaling r;
  r.kind = RopeKind::LongRope;
  r.factor = 4;
  r.start_tokens = 3;
  r.factors = {std::vector<double>(32, 2.0), std::vector<double>(32, 4.0)};
  EXPECT_FALSE(rope_layer_invariant(r));
  const auto f1 = rope_freqs(cfg(), r, 1, 1024);
  EXPECT_NEAR(f1.inv_freq[5] * 4.0, f1.base_inv_freq[5], 1e-15);
  RopeTable t;
  t.build(f1, 6);
  const double m = f1.mscale;
  ASSERT_GT(m, 1.0);
  for (int p = 0; p < 6; ++p) {
    const bool start = p < 3;
    const double ang = p * (start ? f1.base_inv_freq[5] : f1.inv_freq[5]);
    const double scale = start ? 1.0 : m;
    EXPECT_NEAR(t.cos[p * 32 + 5], std::cos(ang) * scale, 1e-6) << p;
    EXPECT_NEAR(t.sin[p * 32 + 5], std::sin(ang) * scale, 1e-6) << p;
  }
}

TEST(Rope, ParseKinds) {
  EXPECT_EQ(parse_rope_kind("yarn"), RopeKind::Yarn);
  EXPECT_EQ(parse_rope_kind("pi"), RopeKind::Linear);
  EXPECT_THROW(parse_rope_kind("rotary"), Error);
}

}  // namespace
}  // namespace lr

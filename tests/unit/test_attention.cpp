// Tiled online-softmax attention against the naive reference twin.
#include <random>

#include "core/engine/attention.h"
#include "core/engine/forward.h"
#include "core/engine/row_ops.h"
#include "tests/unit/test_util.h"

namespace lr {
namespace {

void compare(int n, int heads, int kv, int hd, int window) {
  std::mt19937 rng(1234 + n);
  std::normal_distribution<float> N(0.0f, 1.5f);
  std::vector<float> q(static_cast<size_t>(n) * heads * hd), k(static_cast<size_t>(n) * kv * hd),
      v(k.size()), a(q.size()), b(q.size());
  for (auto* vec : {&q, &k, &v})
    for (float& x : *vec) x = N(rng);
  const AttentionShape s{n, heads, kv, hd, window};
  attention_tiled(q.data(), k.data(), v.data(), a.data(), s);
  attention_naive(q.data(), k.data(), v.data(), b.data(), s);
  float md = 0;
  for (size_t i = 0; i < a.size(); ++i) md = std::max(md, std::abs(a[i] - b[i]));
  EXPECT_LT(md, 2e-5) << "n=" << n << " heads=" << heads << "/" << kv << " window=" << window;
}

TEST(Attention, TiledMatchesNaive) {
  for (int n : {1, 2, 63, 64, 65, 127, 128, 129, 300}) compare(n, 4, 2, 16, 0);
  compare(200, 8, 8, 8, 0);
  compare(257, 4, 1, 64, 0);
}

TEST(Attention, SlidingWindowMatchesNaive) {
  for (int w : {1, 5, 64, 100, 1000}) compare(333, 4, 2, 16, w);
}

TEST(Memory, ActivationsGrowLinearly) {
  // The fixture's shape: activations at 8192 tokens must stay far below 128 MiB, and
  // doubling n must at most double them (no n×n or n×vocab buffer).
  ModelConfig c;
  c.dim = 256;
  c.hidden_dim = 768;
  c.n_layers = 4;
  c.n_heads = 4;
  c.n_kv_heads = 2;
  c.head_dim = 64;
  c.vocab_size = 4096;
  Activations a, b;
  a.reserve(c, 4096);
  b.reserve(c, 8192);
  EXPECT_LT(b.bytes(), 64u << 20);
  EXPECT_LE(b.bytes(), 2 * a.bytes());
}

}  // namespace
}  // namespace lr

// --compute int8 attention: the same bits on every path and thread count, error against the
// double reference at int8's level, exact averages of constant values, NaN kept.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <vector>

#include "core/engine/attention.h"
#include "core/kernels/attn_i8.h"
#include "core/kernels/compute.h"
#include "core/kernels/gemm_i8.h"
#include "core/util/parallel.h"
#include "tests/unit/gemm_test_util.h"

namespace lr {
namespace {

using test::randn;

struct Case {
  int n, heads, kv_heads, hd, window;
};

AttentionShape shape(const Case& c) {
  AttentionShape s;
  s.n = c.n, s.n_heads = c.heads, s.n_kv_heads = c.kv_heads, s.head_dim = c.hd;
  s.window = c.window;
  return s;
}

// Paths with an int8 attention kernel here (scalar always).
std::vector<std::string> int8_paths() {
  std::vector<std::string> out{"scalar"};
  for (KernelPath p : supported_kernel_paths()) {
    if (p == KernelPath::Scalar) continue;
    set_kernel_path(kernel_path_name(p));
    if (int8_supported()) out.push_back(kernel_path_name(p));
  }
  set_kernel_path("auto");
  return out;
}

std::vector<float> run_int8(const Case& c, const std::vector<float>& q, const std::vector<float>& k,
                            const std::vector<float>& v) {
  std::vector<float> out(q.size());
  set_compute_precision(Compute::Int8);
  attention_tiled(q.data(), k.data(), v.data(), out.data(), shape(c));
  set_compute_precision(Compute::F32);
  return out;
}

struct Inputs {
  std::vector<float> q, k, v;
  explicit Inputs(const Case& c, uint64_t seed)
      : q(randn(static_cast<size_t>(c.n) * c.heads * c.hd, seed)),
        k(randn(static_cast<size_t>(c.n) * c.kv_heads * c.hd, seed + 1)),
        v(randn(static_cast<size_t>(c.n) * c.kv_heads * c.hd, seed + 2)) {
    for (float& x : q) x *= 2.0f;  // peaked enough that the softmax matters
  }
};

// Partial key tiles, head_dim not a multiple of 4 (6) or 16 (12), stories260K's 8, GQA, a
// sliding window, a single token.
const Case kCases[] = {{300, 4, 2, 64, 0}, {200, 2, 1, 8, 0},  {333, 2, 2, 128, 100},
                       {130, 3, 3, 6, 0},  {129, 2, 1, 12, 0}, {1, 1, 1, 64, 0}};

TEST(AttentionInt8, SameBitsOnEveryPathAndThreadCount) {
  for (const Case& c : kCases) {
    const Inputs in(c, static_cast<uint64_t>(c.n + c.hd));
    set_kernel_path("scalar");
    set_threads(1);
    const auto ref = run_int8(c, in.q, in.k, in.v);
    for (const std::string& p : int8_paths())
      for (int threads : {1, 2}) {
        set_kernel_path(p);
        set_threads(threads);
        const auto got = run_int8(c, in.q, in.k, in.v);
        ASSERT_EQ(std::memcmp(got.data(), ref.data(), 4 * ref.size()), 0)
            << p << " threads " << threads << " n " << c.n << " head_dim " << c.hd;
      }
  }
  set_kernel_path("auto");
  set_threads(0);
}

// Relative RMS error against attention in double: int8's level (about 1 %), not 0.
TEST(AttentionInt8, CloseToTheDoubleReference) {
  for (const Case& c : kCases) {
    const Inputs in(c, 11);
    std::vector<float> ref(in.q.size());
    attention_naive(in.q.data(), in.k.data(), in.v.data(), ref.data(), shape(c));
    const auto got = run_int8(c, in.q, in.k, in.v);
    double num = 0, den = 0;
    for (size_t i = 0; i < ref.size(); ++i)
      num += (got[i] - ref[i]) * (got[i] - ref[i]), den += ref[i] * ref[i];
    const double rel = std::sqrt(num / den);
    EXPECT_LT(rel, 0.03) << "n " << c.n << " head_dim " << c.hd;
    if (c.n > 1) {
      EXPECT_GT(rel, 1e-4) << "n " << c.n << " head_dim " << c.hd;  // really int8
    }
  }
}

// Constant values per channel: the output is that constant to float rounding, whatever the
// probabilities, because the normaliser sums the same u8 probabilities as the output.
TEST(AttentionInt8, ConstantValuesComeBackExactly) {
  const Case c{500, 2, 1, 16, 0};
  Inputs in(c, 21);
  for (int j = 0; j < c.n; ++j)
    for (int t = 0; t < c.hd; ++t) in.v[static_cast<size_t>(j) * c.hd + t] = 0.25f + t;
  const auto got = run_int8(c, in.q, in.k, in.v);
  for (int i = 0; i < c.n; ++i)
    for (int h = 0; h < c.heads; ++h)
      for (int t = 0; t < c.hd; ++t) {
        const float want = 0.25f + t, o = got[(static_cast<size_t>(i) * c.heads + h) * c.hd + t];
        ASSERT_NEAR(o, want, 4e-6 * want) << "row " << i << " head " << h << " channel " << t;
      }
}

// A NaN in one query row makes that row NaN and leaves the others finite, on every path.
TEST(AttentionInt8, NanStaysInItsRow) {
  const Case c{150, 2, 1, 64, 0};
  Inputs in(c, 31);
  in.q[(70 * c.heads + 1) * c.hd + 5] = NAN;  // row 70, head 1
  for (const std::string& p : int8_paths()) {
    set_kernel_path(p);
    const auto got = run_int8(c, in.q, in.k, in.v);
    for (int i = 0; i < c.n; ++i)
      for (int h = 0; h < c.heads; ++h) {
        const float o = got[(static_cast<size_t>(i) * c.heads + h) * c.hd];
        EXPECT_EQ(std::isnan(o), i == 70 && h == 1) << p << " row " << i << " head " << h;
      }
  }
  set_kernel_path("auto");
}

}  // namespace
}  // namespace lr

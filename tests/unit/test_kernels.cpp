// Every kernel path this CPU runs against the scalar twin (bit for bit), and the scalar kernels
// against double-precision references (stated tolerances).
#include <cmath>
#include <cstring>
#include <limits>
#include <random>

#include "core/engine/attention.h"
#include "core/engine/forward.h"
#include "core/engine/kv_cache.h"
#include "core/kernels/kernels.h"
#include "core/model/config.h"
#include "core/model/model.h"
#include "core/util/error.h"
#include "tests/unit/test_util.h"

namespace lr {
namespace {

const KernelTable& scalar() { return kernel_table(KernelPath::Scalar); }

// The SIMD paths to check here (the scalar path is the reference).
std::vector<KernelPath> simd_paths() {
  std::vector<KernelPath> out;
  for (KernelPath p : supported_kernel_paths())
    if (p != KernelPath::Scalar) out.push_back(p);
  return out;
}

// Bitwise equality, reporting the first difference.
template <class T>
void expect_same_bits(const std::vector<T>& a, const std::vector<T>& b, const std::string& what) {
  ASSERT_EQ(a.size(), b.size()) << what;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::memcmp(&a[i], &b[i], sizeof(T)) != 0) {
      ADD_FAILURE() << what << ": element " << i << " differs: " << a[i] << " vs " << b[i];
      return;
    }
}

std::vector<float> randn(size_t n, float sd, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> N(0.0f, sd);
  std::vector<float> v(n);
  for (float& x : v) x = N(rng);
  return v;
}

// Forces a path for the whole engine while in scope.
struct ForcePath {
  explicit ForcePath(KernelPath p) { set_kernel_path(kernel_path_name(p)); }
  ~ForcePath() { set_kernel_path("auto"); }
};

TEST(Kernels, ScalarExpWithinTwoUlp) {
  // Truncation of the degree-7 Taylor polynomial on |r| <= 0.35 is < 6e-9 relative (0.1 ulp),
  // plus the final rounding and the rounding of r: measured worst 0.83 ulp (to the exact value)
  // over this grid and [-1, 1] in steps of 1e-5; we allow 2.
  const auto& k = scalar();
  std::vector<float> x;
  for (float v = -87.0f; v <= 88.0f; v += 0.0137f) x.push_back(v);
  std::vector<float> y(x.size());
  k.exp(x.data(), y.data(), static_cast<long>(x.size()));
  double worst = 0;
  for (size_t i = 0; i < x.size(); ++i) {
    const double ref = std::exp(static_cast<double>(x[i]));
    const double ulp = std::nextafter(static_cast<float>(ref), INFINITY) - static_cast<float>(ref);
    worst = std::max(worst, std::abs(y[i] - ref) / ulp);
  }
  EXPECT_LE(worst, 2.0);
  const float specials[] = {-INFINITY, -200.0f, -104.0f, 0.0f, -0.0f, 89.0f, 100.0f, INFINITY};
  float out[8];
  k.exp(specials, out, 8);
  EXPECT_EQ(out[0], 0.0f);
  EXPECT_EQ(out[1], 0.0f);
  EXPECT_EQ(out[3], 1.0f);
  EXPECT_EQ(out[4], 1.0f);
  EXPECT_TRUE(std::isinf(out[5]) && std::isinf(out[6]) && std::isinf(out[7]));
  const float nan = std::numeric_limits<float>::quiet_NaN();
  k.exp(&nan, out, 1);
  EXPECT_TRUE(std::isnan(out[0]));
}

TEST(Kernels, LogF64WithinOneUlp) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> U(-30.0, 30.0);
  for (int i = 0; i < 20000; ++i) {
    const double x = std::exp(U(rng));
    const double a = kern::log_f64(x), b = std::log(x);
    EXPECT_LE(std::abs(a - b), 2.0 * std::abs(std::nextafter(b, 1e300) - b) + 1e-300) << x;
  }
  EXPECT_EQ(kern::log_f64(1.0), 0.0);
}

TEST(Kernels, ScalarLogSoftmaxMatchesDouble) {
  // exp in float (2 ulp) summed in double: the log-prob is within ~3e-7 relative of the sum.
  for (int V : {1, 5, 17, 4096, 4099}) {
    const auto lg = randn(V, 4.0f, V);
    double mx = lg[0];
    for (float v : lg) mx = std::max<double>(mx, v);
    double z = 0;
    for (float v : lg) z += std::exp(v - mx);
    const int tok = V / 3;
    const double ref = lg[tok] - mx - std::log(z);
    EXPECT_NEAR(scalar().log_softmax_at(lg.data(), V, tok), ref, 1e-6) << V;
  }
}

TEST(Kernels, SimdElementwiseEqualsScalar) {
  std::vector<float> x;
  for (float v = -120.0f; v <= 95.0f; v += 0.173f) x.push_back(v);
  for (float v : {-INFINITY, INFINITY, 0.0f, -0.0f, -104.0f, 89.0f, 88.72f, -87.4f}) x.push_back(v);
  for (KernelPath p : simd_paths()) {
    const auto& k = kernel_table(p);
    const std::string name = kernel_path_name(p);
    for (long n : {1L, 7L, 16L, 33L, static_cast<long>(x.size())}) {
      std::vector<float> a(n), b(n);
      scalar().exp(x.data(), a.data(), n);
      k.exp(x.data(), b.data(), n);
      expect_same_bits(a, b, name + " exp n=" + std::to_string(n));
    }
    for (long n : {1L, 5L, 17L, 1000L, 4099L}) {
      auto g = randn(n, 6.0f, 11 + n), u = randn(n, 1.0f, 12 + n);
      if (n > 3) g[0] = -150.0f, g[1] = 120.0f, g[2] = 0.0f;
      auto ga = g, gb = g;
      scalar().swiglu(ga.data(), u.data(), n);
      k.swiglu(gb.data(), u.data(), n);
      expect_same_bits(ga, gb, name + " swiglu n=" + std::to_string(n));
    }
    for (int dim : {1, 7, 16, 64, 100, 256, 896}) {
      const auto xr = randn(dim, 3.0f, dim), w = randn(dim, 1.0f, dim + 1);
      std::vector<float> ya(dim), yb(dim);
      scalar().rmsnorm_row(xr.data(), w.data(), ya.data(), dim, 1e-5f);
      k.rmsnorm_row(xr.data(), w.data(), yb.data(), dim, 1e-5f);
      expect_same_bits(ya, yb, name + " rmsnorm dim=" + std::to_string(dim));
    }
    for (RopeLayout layout : {RopeLayout::HalfSplit, RopeLayout::Adjacent})
      for (int hd : {2, 6, 8, 16, 24, 64, 128}) {
        const int heads = 3;
        const auto v = randn(heads * hd, 2.0f, hd), ang = randn(hd / 2, 3.0f, hd + 5);
        std::vector<float> c(hd / 2), s(hd / 2);
        for (int i = 0; i < hd / 2; ++i)
          c[i] = std::cos(ang[i]) * 1.1f, s[i] = std::sin(ang[i]) * 1.1f;
        auto va = v, vb = v;
        scalar().rope_row(va.data(), c.data(), s.data(), heads, hd, layout);
        k.rope_row(vb.data(), c.data(), s.data(), heads, hd, layout);
        expect_same_bits(va, vb, name + " rope hd=" + std::to_string(hd));
      }
    for (int V : {1, 5, 16, 17, 100, 4096, 4099}) {
      const auto lg = randn(V, 5.0f, 100 + V);
      for (int tok : {0, V / 2, V - 1}) {
        const double a = scalar().log_softmax_at(lg.data(), V, tok);
        const double b = k.log_softmax_at(lg.data(), V, tok);
        EXPECT_EQ(std::memcmp(&a, &b, sizeof a), 0)
            << name << " log_softmax V=" << V << ": " << a << " vs " << b;
      }
    }
  }
}

void attention_case(int n, int heads, int kv, int hd, int window) {
  const auto q = randn(static_cast<size_t>(n) * heads * hd, 1.5f, n + hd),
             k = randn(static_cast<size_t>(n) * kv * hd, 1.5f, n + hd + 1),
             v = randn(k.size(), 1.5f, n + hd + 2);
  const AttentionShape s{n, heads, kv, hd, window};
  std::vector<float> ref(q.size()), naive(q.size());
  {
    ForcePath f(KernelPath::Scalar);
    attention_tiled(q.data(), k.data(), v.data(), ref.data(), s);
  }
  attention_naive(q.data(), k.data(), v.data(), naive.data(), s);
  float md = 0;
  for (size_t i = 0; i < ref.size(); ++i) md = std::max(md, std::abs(ref[i] - naive[i]));
  EXPECT_LT(md, 2e-5) << "scalar vs naive n=" << n << " hd=" << hd << " window=" << window;
  for (KernelPath p : simd_paths()) {
    std::vector<float> got(q.size());
    ForcePath f(p);
    attention_tiled(q.data(), k.data(), v.data(), got.data(), s);
    expect_same_bits(ref, got,
                     std::string(kernel_path_name(p)) + " attention n=" + std::to_string(n) +
                         " hd=" + std::to_string(hd) + " window=" + std::to_string(window));
  }
}

TEST(Kernels, SimdAttentionEqualsScalar) {
  for (int n : {1, 2, 63, 65, 129, 300}) attention_case(n, 4, 2, 16, 0);
  attention_case(200, 8, 8, 8, 0);
  attention_case(150, 2, 1, 64, 0);
  attention_case(140, 3, 1, 20, 0);  // head_dim not a multiple of the register tile
  for (int w : {1, 5, 100}) attention_case(333, 4, 2, 16, w);
}

TEST(Kernels, SimdDecodeEqualsScalar) {
  ModelConfig c;
  c.n_layers = 1;
  for (int hd : {8, 20, 64}) {
    c.n_heads = 4;
    c.n_kv_heads = 2;
    c.head_dim = hd;
    c.dim = c.n_heads * hd;
    KvCache cache;
    const int n = 77;
    cache.reset(c, n);
    const auto k = randn(static_cast<size_t>(n) * c.kv_dim(), 1.5f, hd),
               v = randn(k.size(), 1.5f, hd + 1);
    std::copy(k.begin(), k.end(), cache.k_at(0, 0));
    std::copy(v.begin(), v.end(), cache.v_at(0, 0));
    const int rows = 3, pos0 = n - rows;
    const auto q = randn(static_cast<size_t>(rows) * c.q_dim(), 1.5f, hd + 2);
    for (int window : {0, 10}) {
      std::vector<float> ref(q.size()), naive(q.size());
      {
        ForcePath f(KernelPath::Scalar);
        attention_cached(q.data(), ref.data(), rows, pos0, cache, 0, c.n_heads, c.n_kv_heads, hd,
                         window);
      }
      // the naive twin over the whole sequence, compared on the last rows
      std::vector<float> qall(static_cast<size_t>(n) * c.q_dim(), 0.0f), all(qall.size());
      std::copy(q.begin(), q.end(), qall.begin() + static_cast<long>(pos0) * c.q_dim());
      attention_naive(qall.data(), k.data(), v.data(), all.data(),
                      AttentionShape{n, c.n_heads, c.n_kv_heads, hd, window});
      float md = 0;
      for (size_t i = 0; i < ref.size(); ++i)
        md = std::max(md, std::abs(ref[i] - all[static_cast<long>(pos0) * c.q_dim() + i]));
      EXPECT_LT(md, 2e-5) << "scalar decode vs naive hd=" << hd;
      for (KernelPath p : simd_paths()) {
        std::vector<float> got(q.size());
        ForcePath f(p);
        attention_cached(q.data(), got.data(), rows, pos0, cache, 0, c.n_heads, c.n_kv_heads, hd,
                         window);
        expect_same_bits(ref, got,
                         std::string(kernel_path_name(p)) + " decode hd=" + std::to_string(hd));
      }
    }
  }
}

TEST(Kernels, ForcingAPath) {
  EXPECT_THROW(set_kernel_path("sse9"), Error);
  try {
    set_kernel_path("sse9");
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument);
  }
  for (KernelPath p :
       {KernelPath::Scalar, KernelPath::Avx2, KernelPath::Avx512, KernelPath::Neon}) {
    bool supported = false;
    for (KernelPath q : supported_kernel_paths()) supported |= q == p;
    if (supported) {
      set_kernel_path(kernel_path_name(p));
      EXPECT_EQ(active_kernel_path(), p);
    } else {
      EXPECT_THROW(set_kernel_path(kernel_path_name(p)), Error) << kernel_path_name(p);
    }
  }
  set_kernel_path("auto");
  EXPECT_EQ(active_kernel_path(), supported_kernel_paths().back());
  EXPECT_EQ(numerics_signature().rfind("kernels-v2 ", 0), 0u);
  EXPECT_NE(numerics_signature().find("packed gemm"), std::string::npos);
}

TEST(Kernels, EngineLogprobsIdenticalOnEveryPath) {
  REQUIRE_SHARED("models/fixture-llama-5m.f32.gguf");
  auto model = load_model(test::shared("models/fixture-llama-5m.f32.gguf"));
  std::mt19937 rng(3);
  std::vector<int> tokens(200);
  for (int& t : tokens) t = static_cast<int>(rng() % model->config.vocab_size);
  RopeScaling r;
  r.kind = RopeKind::Yarn;
  r.factor = 4.0;
  r.original_max_position = 64;
  std::vector<double> ref;
  {
    ForcePath f(KernelPath::Scalar);
    Engine e(*model);
    ref = e.logprobs(tokens, r);
  }
  for (KernelPath p : simd_paths()) {
    ForcePath f(p);
    Engine e(*model);
    expect_same_bits(ref, e.logprobs(tokens, r), std::string("engine on ") + kernel_path_name(p));
  }
}

}  // namespace
}  // namespace lr

// Scalar reference kernels: the oracle every SIMD path must match bit for bit, and the fallback.
#include <cmath>
#include <cstdint>
#include <cstring>

#include "core/kernels/kernels.h"
#include "core/kernels/scalar_ops.h"
#include "core/tensor/rope_layout.h"

namespace lr::kern {

double log_f64(double x) {
  // x = m * 2^e with m in [sqrt(1/2), sqrt(2)); ln m = 2 atanh(s), s = (m-1)/(m+1), |s| < 0.172.
  int e = 0;
  double m = std::frexp(x, &e);  // exact
  if (m < 0.70710678118654752) {
    m *= 2.0;
    e -= 1;
  }
  const double s = (m - 1.0) / (m + 1.0), s2 = s * s;
  double p = 1.0 / 21.0;  // sum_k s2^k / (2k+1), k = 0..10 (truncation < 1e-17)
  for (int k = 9; k >= 0; --k) p = p * s2 + 1.0 / (2 * k + 1);
  const double ln2_hi = 0.693147180369123816490, ln2_lo = 1.90821492927058770002e-10;
  return e * ln2_hi + (e * ln2_lo + 2.0 * s * p);
}

namespace {

void rmsnorm_row(const float* x, const float* w, float* y, int dim, float eps) {
  double acc[16] = {};
  for (int i = 0; i < dim; ++i) acc[i % 16] += static_cast<double>(x[i]) * x[i];
  const double ss = scalar::tree16(acc);
  const float inv = static_cast<float>(1.0 / std::sqrt(ss / dim + eps));
  for (int i = 0; i < dim; ++i) y[i] = x[i] * inv * w[i];
}

void rope_row(float* x, const float* c, const float* s, int n_heads, int head_dim,
              RopeLayout layout) {
  const int half = head_dim / 2;
  for (int h = 0; h < n_heads; ++h) {
    float* v = x + h * head_dim;
    for (int i = 0; i < half; ++i) {
      const int a = layout == RopeLayout::Adjacent ? 2 * i : i;
      const int b = layout == RopeLayout::Adjacent ? 2 * i + 1 : i + half;
      const float x0 = v[a], x1 = v[b];
      v[a] = x0 * c[i] - x1 * s[i];
      v[b] = x0 * s[i] + x1 * c[i];
    }
  }
}

void swiglu(float* g, const float* u, long n) {
  for (long i = 0; i < n; ++i) g[i] = g[i] / (1.0f + scalar::exp(-g[i])) * u[i];
}

double log_softmax_at(const float* lg, int V, int token) {
  float mx = lg[0];
  for (int j = 1; j < V; ++j) mx = scalar::max(mx, lg[j]);
  double acc[16] = {};
  for (int j = 0; j < V; ++j) acc[j % 16] += static_cast<double>(scalar::exp(lg[j] - mx));
  return static_cast<double>(lg[token] - mx) - log_f64(scalar::tree16(acc));
}

void exp_array(const float* x, float* y, long n) {
  for (long i = 0; i < n; ++i) y[i] = scalar::exp(x[i]);
}

// The plain C++ twin of simd_peak.h: 12 chains of a·x + c written as scalars (the compiler may
// vectorise them, never contracts them: -ffp-contract=off); "plain C++'s peak", not one lane's.
double fma_loop(long iters, float* sink) {
  constexpr int kChains = 12;
  float acc[kChains];
  for (int c = 0; c < kChains; ++c) acc[c] = 0.001f * static_cast<float>(c);
  for (long i = 0; i < iters; ++i)
    for (float& x : acc) x = x * 0.999999f + 1e-7f;
  float total = 0;
  for (float x : acc) total += x;
  *sink = total;
  return 2.0 * kChains * static_cast<double>(iters);
}

}  // namespace

void scalar_attention_block(const AttnBlock& a);
void scalar_attention_row(const AttnRow& a);
extern const int kScalarGemmMr, kScalarGemmNr;
void scalar_gemm_tile(long kc, const float* a, long lda, const float* b, float* c, long ldc,
                      bool load);

const KernelTable* scalar_table() {
  static const KernelTable t{KernelPath::Scalar,
                             rmsnorm_row,
                             rope_row,
                             swiglu,
                             log_softmax_at,
                             exp_array,
                             scalar_attention_block,
                             scalar_attention_row,
                             fma_loop,
                             scalar_gemm_tile,
                             kScalarGemmMr,
                             kScalarGemmNr};
  return &t;
}

}  // namespace lr::kern

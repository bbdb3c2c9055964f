// RMSNorm, rotary embedding and SwiGLU over rows, OpenMP-parallel across rows.
#include "kernels.h"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>

namespace lr {

// Single rows (decode steps) skip the parallel region: its start-up costs more than the work.
void rmsnorm_rows(const float* x, const float* w, float* y, int rows, int dim, float eps) {
#pragma omp parallel for schedule(static) if (rows > 1)
  for (int r = 0; r < rows; ++r) {
    const float* xr = x + static_cast<long>(r) * dim;
    float* yr = y + static_cast<long>(r) * dim;
    double ss = 0.0;
    for (int i = 0; i < dim; ++i) ss += static_cast<double>(xr[i]) * xr[i];
    const float inv = static_cast<float>(1.0 / std::sqrt(ss / dim + eps));
    for (int i = 0; i < dim; ++i) yr[i] = xr[i] * inv * w[i];
  }
}

void rope_rows(float* x, int rows, int stride, int n_heads, int head_dim, RopeLayout layout,
               const RopeTable& t) {
  const int half = head_dim / 2;
#pragma omp parallel for schedule(static) if (rows > 1)
  for (int r = 0; r < rows; ++r) {
    const float* c = t.cos.data() + static_cast<long>(r) * half;
    const float* s = t.sin.data() + static_cast<long>(r) * half;
    for (int h = 0; h < n_heads; ++h) {
      float* v = x + static_cast<long>(r) * stride + h * head_dim;
      for (int i = 0; i < half; ++i) {
        const int a = layout == RopeLayout::Adjacent ? 2 * i : i;
        const int b = layout == RopeLayout::Adjacent ? 2 * i + 1 : i + half;
        const float x0 = v[a], x1 = v[b];
        v[a] = x0 * c[i] - x1 * s[i];
        v[b] = x0 * s[i] + x1 * c[i];
      }
    }
  }
}

float exp_sub_sum(float* x, int n, float sub) {
  Eigen::Map<Eigen::ArrayXf> a(x, n);
  a = (a - sub).exp();
  return a.sum();
}

void swiglu(float* g, const float* u, long n) {
  constexpr long kBlock = 4096;
#pragma omp parallel for schedule(static) if (n > kBlock)
  for (long b = 0; b < n; b += kBlock) {
    const long len = std::min(kBlock, n - b);
    Eigen::Map<Eigen::ArrayXf> G(g + b, len);
    Eigen::Map<const Eigen::ArrayXf> U(u + b, len);
    G = G / (1.0f + (-G).exp()) * U;
  }
}

}  // namespace lr

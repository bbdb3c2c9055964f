// RMSNorm, rotary embedding and SwiGLU over rows, OpenMP-parallel across rows (kernels/ computes).
#include "core/engine/row_ops.h"

#include <algorithm>

#include "core/kernels/kernels.h"

namespace lr {

// Single rows (decode steps) skip the parallel region: its start-up costs more than the work.
void rmsnorm_rows(const float* x, const float* w, float* y, int rows, int dim, float eps) {
  const KernelTable& k = kernels();
#pragma omp parallel for schedule(static) if (rows > 1)
  for (int r = 0; r < rows; ++r)
    k.rmsnorm_row(x + static_cast<long>(r) * dim, w, y + static_cast<long>(r) * dim, dim, eps);
}

void rope_rows(float* x, int rows, int stride, int n_heads, int head_dim, RopeLayout layout,
               const RopeTable& t) {
  const KernelTable& k = kernels();
  const int half = head_dim / 2;
#pragma omp parallel for schedule(static) if (rows > 1)
  for (int r = 0; r < rows; ++r)
    k.rope_row(x + static_cast<long>(r) * stride, t.cos.data() + static_cast<long>(r) * half,
               t.sin.data() + static_cast<long>(r) * half, n_heads, head_dim, layout);
}

void swiglu(float* g, const float* u, long n) {
  const KernelTable& k = kernels();
  constexpr long kBlock = 4096;
#pragma omp parallel for schedule(static) if (n > kBlock)
  for (long b = 0; b < n; b += kBlock) k.swiglu(g + b, u + b, std::min(kBlock, n - b));
}

}  // namespace lr

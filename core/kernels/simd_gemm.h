// The GEMM micro-kernel written once over a vector trait V: an MR × NR tile of C from packed
// panels.
#pragma once
// C[r][n] = C0[r][n] + Σ_k A[k][r]·B[k][n] as one FMA chain per element in k order, C0 = 0 or the
// tile's current values. The chain does not depend on MR, NR or the vector width, so every path
// (and the scalar twin in scalar_gemm.cpp) gives the same bits. Include only from the
// instruction-set .cpp files, after the vec header.
#include "core/kernels/kernels.h"

namespace lr::kern {

template <class V>
struct SimdGemm {
  using F = typename V::F;
  static constexpr int MR = V::kGemmRows, NV = V::kGemmVecs, NR = NV * V::W;
  static_assert(MR * NR <= 32 * 32, "gemm.cpp's edge tile buffer holds 32 x 32");

  // A: MR rows of kc (row r at a + r * lda), B: kc × NR (B[k * NR + n]); C row r at c + r * ldc.
  static void tile(long kc, const float* a, long lda, const float* b, float* c, long ldc,
                   bool load) {
    F acc[MR][NV];
    for (int r = 0; r < MR; ++r)
      for (int v = 0; v < NV; ++v) acc[r][v] = load ? V::load(c + r * ldc + v * V::W) : V::zero();
    for (long k = 0; k < kc; ++k) {
      F bv[NV];
      for (int v = 0; v < NV; ++v) bv[v] = V::load(b + k * NR + v * V::W);
      for (int r = 0; r < MR; ++r) {
        const F av = V::set1(a[r * lda + k]);
        for (int v = 0; v < NV; ++v) acc[r][v] = V::fma(av, bv[v], acc[r][v]);
      }
    }
    for (int r = 0; r < MR; ++r)
      for (int v = 0; v < NV; ++v) V::store(c + r * ldc + v * V::W, acc[r][v]);
  }
};

}  // namespace lr::kern

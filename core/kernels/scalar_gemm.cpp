// The scalar twin of simd_gemm.h: the GEMM tile in plain C++ (one FMA chain per element).
#include <cmath>

#include "core/kernels/kernels.h"

namespace lr::kern {

// Tile 4 × 8; the lanes are independent, so a compiler may vectorise them without changing a bit.
extern const int kScalarGemmMr = 4, kScalarGemmNr = 8;

void scalar_gemm_tile(long kc, const float* a, long lda, const float* b, float* c, long ldc,
                      bool load) {
  constexpr int MR = 4, NR = 8;
  float acc[MR][NR];
  for (int r = 0; r < MR; ++r)
    for (int n = 0; n < NR; ++n) acc[r][n] = load ? c[r * ldc + n] : 0.0f;
  for (long k = 0; k < kc; ++k)
    for (int r = 0; r < MR; ++r) {
      const float av = a[r * lda + k];
      for (int n = 0; n < NR; ++n) acc[r][n] = std::fma(av, b[k * NR + n], acc[r][n]);
    }
  for (int r = 0; r < MR; ++r)
    for (int n = 0; n < NR; ++n) c[r * ldc + n] = acc[r][n];
}

}  // namespace lr::kern

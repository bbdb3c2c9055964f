// The scalar twin of simd_gemm.h: the GEMM tile in plain C++ (one FMA chain per element).
#include <cmath>

#include "core/kernels/kernels.h"

namespace lr::kern {

namespace {
constexpr int MR = 4, NR = 8;  // the lanes are independent: vectorising them changes no bit
}  // namespace
extern const int kScalarGemmMr = MR, kScalarGemmNr = NR;

void scalar_gemm_tile(long kc, const float* a, long lda, const float* b, float* c, long ldc,
                      bool load) {
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

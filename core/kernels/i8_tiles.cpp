// The int8 tiles: the scalar twin and AVX-512 VNNI (vpdpbusd), the same bits by construction.
#include <cstdint>
#include <cstring>

#include "core/kernels/gemm_i8.h"
#include "core/kernels/i8_layout.h"
#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace lr::kern {

namespace {

constexpr int kVnniRows = 6;

// Per block: the exact integer dot product s of 32 (q_x + 128)·q_w, minus comp, converted to
// float (exact: |s| < 2^24), then c = fma(float(s - comp), d_x · d_w, c).
void tile_scalar(long nb, const uint8_t* a, long lda, const float* da, long ldd, const uint8_t* bp,
                 float* c, long ldc, bool load) {
  constexpr int MR = 4, NR = 8;
  float f[MR][NR];
  for (int r = 0; r < MR; ++r)
    for (int n = 0; n < NR; ++n) f[r][n] = load ? c[r * ldc + n] : 0.0f;
  for (long b = 0; b < nb; ++b) {
    const uint8_t* blk = bp + b * i8_block_bytes(NR);
    const int8_t* w = reinterpret_cast<const int8_t*>(blk);
    float dw[NR];
    int32_t comp[NR];
    std::memcpy(dw, blk + i8_scale_offset(NR), sizeof dw);
    std::memcpy(comp, blk + i8_comp_offset(NR), sizeof comp);
    for (int r = 0; r < MR; ++r) {
      const uint8_t* ar = a + r * lda + b * kI8Block;
      const float dx = da[r * ldd + b];
      for (int n = 0; n < NR; ++n) {
        int32_t s = 0;
        for (int g = 0; g < 8; ++g)
          for (int i = 0; i < 4; ++i) s += ar[4 * g + i] * w[(g * NR + n) * 4 + i];
        f[r][n] = __builtin_fmaf(static_cast<float>(s - comp[n]), dx * dw[n], f[r][n]);
      }
    }
  }
  for (int r = 0; r < MR; ++r)
    for (int n = 0; n < NR; ++n) c[r * ldc + n] = f[r][n];
}

#if defined(__x86_64__)
// MR activation rows × 32 weight rows (two 16-lane vectors): the integer sums start at -comp, so
// a block ends in one conversion, one scale product and one FMA per accumulator.
template <int MR>
__attribute__((target("avx512f,avx512bw,avx512vnni"))) void tile_vnni(long nb, const uint8_t* a,
                                                                      long lda, const float* da,
                                                                      long ldd, const uint8_t* bp,
                                                                      float* c, long ldc,
                                                                      bool load) {
  constexpr int NR = 32;
  __m512 f[MR][2];
  for (int r = 0; r < MR; ++r)
    for (int v = 0; v < 2; ++v)
      f[r][v] = load ? _mm512_loadu_ps(c + r * ldc + 16 * v) : _mm512_setzero_ps();
  for (long b = 0; b < nb; ++b) {
    const uint8_t* blk = bp + b * i8_block_bytes(NR);
    const uint8_t* cp = blk + i8_comp_offset(NR);
    const __m512i nc0 = _mm512_sub_epi32(_mm512_setzero_si512(), _mm512_loadu_si512(cp));
    const __m512i nc1 = _mm512_sub_epi32(_mm512_setzero_si512(), _mm512_loadu_si512(cp + 64));
    __m512i s[MR][2];
    for (int r = 0; r < MR; ++r) s[r][0] = nc0, s[r][1] = nc1;
    const uint8_t* ab = a + b * kI8Block;
    for (int g = 0; g < 8; ++g) {
      const __m512i w0 = _mm512_loadu_si512(blk + g * 128);
      const __m512i w1 = _mm512_loadu_si512(blk + g * 128 + 64);
      for (int r = 0; r < MR; ++r) {
        int32_t four;
        std::memcpy(&four, ab + r * lda + 4 * g, 4);
        const __m512i av = _mm512_set1_epi32(four);
        s[r][0] = _mm512_dpbusd_epi32(s[r][0], av, w0);
        s[r][1] = _mm512_dpbusd_epi32(s[r][1], av, w1);
      }
    }
    const float* dwp = reinterpret_cast<const float*>(blk + i8_scale_offset(NR));
    const __m512 dw0 = _mm512_loadu_ps(dwp), dw1 = _mm512_loadu_ps(dwp + 16);
    for (int r = 0; r < MR; ++r) {
      const __m512 dx = _mm512_set1_ps(da[r * ldd + b]);
      f[r][0] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s[r][0]), _mm512_mul_ps(dx, dw0), f[r][0]);
      f[r][1] = _mm512_fmadd_ps(_mm512_cvtepi32_ps(s[r][1]), _mm512_mul_ps(dx, dw1), f[r][1]);
    }
  }
  for (int r = 0; r < MR; ++r)
    for (int v = 0; v < 2; ++v) _mm512_storeu_ps(c + r * ldc + 16 * v, f[r][v]);
}
#endif

}  // namespace

const Int8Tile& int8_tile_scalar() {
  static const Int8Tile t{"scalar", 4, 8, tile_scalar};
  return t;
}

const Int8Tile* int8_tile_avx512vnni() {
#if defined(__x86_64__)
  static const Int8Tile t{"avx512-vnni", kVnniRows, 32, tile_vnni<kVnniRows>};
  return &t;
#else
  return nullptr;
#endif
}

}  // namespace lr::kern

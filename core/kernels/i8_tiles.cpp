// The int8 tiles: the scalar twin, AVX-512 VNNI (vpdpbusd) and NEON sdot, the same bits by
// construction.
#include <cstdint>
#include <cstring>

#include "core/kernels/gemm_i8.h"
#include "core/kernels/i8_layout.h"
#if defined(__x86_64__)
#include <immintrin.h>
#endif
#if defined(__aarch64__) && defined(__ARM_FEATURE_DOTPROD)
#include <arm_neon.h>
#define LONGROPE_SDOT 1
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

#if defined(LONGROPE_SDOT)
// 4 activation rows × 16 weight rows (four 4-lane vectors): sdot on the activations as int8
// (u8 ^ 0x80 = q), so the sums are Σ q_x·q_w without compensation; one FMA per block as above.
template <int L>
void sdot4(int32x4_t (&s)[4][4], const int8x16_t (&w)[4], const int8x16_t (&ar)[4]) {
  for (int r = 0; r < 4; ++r)
    for (int v = 0; v < 4; ++v) s[r][v] = vdotq_laneq_s32(s[r][v], w[v], ar[r], L);
}

void tile_sdot(long nb, const uint8_t* a, long lda, const float* da, long ldd, const uint8_t* bp,
               float* c, long ldc, bool load) {
  constexpr int MR = 4, NR = 16;
  float32x4_t f[MR][4];
  for (int r = 0; r < MR; ++r)
    for (int v = 0; v < 4; ++v) f[r][v] = load ? vld1q_f32(c + r * ldc + 4 * v) : vdupq_n_f32(0);
  const uint8x16_t flip = vdupq_n_u8(0x80);
  for (long b = 0; b < nb; ++b) {
    const uint8_t* blk = bp + b * i8_block_bytes(NR);
    const uint8_t* ab = a + b * kI8Block;
    int32x4_t s[MR][4];
    for (int r = 0; r < MR; ++r)
      for (int v = 0; v < 4; ++v) s[r][v] = vdupq_n_s32(0);
    for (int h = 0; h < 2; ++h) {  // groups 4h .. 4h+3: one 16-byte load per activation row
      int8x16_t ar[MR], w[4][4];
      for (int r = 0; r < MR; ++r)
        ar[r] = vreinterpretq_s8_u8(veorq_u8(vld1q_u8(ab + r * lda + 16 * h), flip));
      for (int g = 0; g < 4; ++g)
        for (int v = 0; v < 4; ++v)
          w[g][v] = vld1q_s8(reinterpret_cast<const int8_t*>(blk + (4 * h + g) * 64 + 16 * v));
      sdot4<0>(s, w[0], ar);
      sdot4<1>(s, w[1], ar);
      sdot4<2>(s, w[2], ar);
      sdot4<3>(s, w[3], ar);
    }
    const float* dwp = reinterpret_cast<const float*>(blk + i8_scale_offset(NR));
    for (int r = 0; r < MR; ++r) {
      const float32x4_t dx = vdupq_n_f32(da[r * ldd + b]);
      for (int v = 0; v < 4; ++v)
        f[r][v] = vfmaq_f32(f[r][v], vcvtq_f32_s32(s[r][v]), vmulq_f32(dx, vld1q_f32(dwp + 4 * v)));
    }
  }
  for (int r = 0; r < MR; ++r)
    for (int v = 0; v < 4; ++v) vst1q_f32(c + r * ldc + 4 * v, f[r][v]);
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

const Int8Tile* int8_tile_neon_sdot() {
#if defined(LONGROPE_SDOT)
  static const Int8Tile t{"neon-sdot", 4, 16, tile_sdot};
  return &t;
#else
  return nullptr;
#endif
}

}  // namespace lr::kern

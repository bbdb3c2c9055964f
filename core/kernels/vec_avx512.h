// AVX-512F vector trait for simd_body.h: 16 floats, 8 doubles; compiled with -mavx512f -mfma only.
#pragma once
#include <immintrin.h>

namespace lr::kern {
namespace {

struct Avx512 {
  using F = __m512;
  using D = __m512d;
  static constexpr int W = 16, WD = 8, kRows = 6, kQueryVecs = 4;
  static constexpr int kGemmRows = 12, kGemmVecs = 2;  // GEMM tile 12 × 32: 24 accumulators
  static F load(const float* p) { return _mm512_loadu_ps(p); }
  static void store(float* p, F v) { _mm512_storeu_ps(p, v); }
  static F set1(float x) { return _mm512_set1_ps(x); }
  static F zero() { return _mm512_setzero_ps(); }
  static F add(F a, F b) { return _mm512_add_ps(a, b); }
  static F sub(F a, F b) { return _mm512_sub_ps(a, b); }
  static F mul(F a, F b) { return _mm512_mul_ps(a, b); }
  static F div(F a, F b) { return _mm512_div_ps(a, b); }
  static F fma(F a, F b, F c) { return _mm512_fmadd_ps(a, b, c); }  // a*b + c, one rounding
  static F max(F a, F b) { return _mm512_max_ps(a, b); }            // a > b ? a : b
  static F round(F x) {
    return _mm512_roundscale_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
  }
  static F clamp_lo(F x, float lo) {
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, set1(lo), _CMP_LT_OQ), x, set1(lo));
  }
  static F clamp_hi(F x, float hi) {
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, set1(hi), _CMP_GT_OQ), x, set1(hi));
  }
  static F zero_if_neg_inf(F x) {
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, set1(-__builtin_inff()), _CMP_EQ_OQ), x,
                                zero());
  }
  static F xor_bits(F x, __m512i m) {
    return _mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(x), m));
  }
  static F neg(F x) { return xor_bits(x, _mm512_set1_epi32(static_cast<int>(0x80000000u))); }
  static F neg_even(F x) { return xor_bits(x, _mm512_set1_epi64(0x80000000LL)); }
  static F swap_pairs(F x) { return _mm512_permute_ps(x, 0xB1); }
  static F load_dup(const float* p) {  // p[0], p[0], p[1], p[1], ... (8 values)
    const __m512i idx = _mm512_set_epi32(7, 7, 6, 6, 5, 5, 4, 4, 3, 3, 2, 2, 1, 1, 0, 0);
    return _mm512_permutexvar_ps(idx, _mm512_maskz_loadu_ps(0x00FF, p));
  }
  static F scale2n1(F p, F n) {  // p * 2^n in one step (n in [-127, 127]; 2^-127 reads as 0)
    const __m512i e = _mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127));
    return mul(p, _mm512_castsi512_ps(_mm512_slli_epi32(e, 23)));
  }
  static F scale2n(F p, F n) {  // p * 2^(n>>1) * 2^(n - (n>>1))
    const __m512i ni = _mm512_cvtps_epi32(n);
    const __m512i a = _mm512_srai_epi32(ni, 1), b = _mm512_sub_epi32(ni, a);
    const __m512i bias = _mm512_set1_epi32(127);
    const F pa = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(a, bias), 23));
    const F pb = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(b, bias), 23));
    return mul(mul(p, pa), pb);
  }
  static __m256 hi256(F v) { return _mm512_castps512_ps256(_mm512_shuffle_f32x4(v, v, 0xEE)); }
  static float tree(F v) {  // lanes k + k+8, k + k+4, k + k+2, k + k+1
    const __m256 s8 = _mm256_add_ps(_mm512_castps512_ps256(v), hi256(v));
    const __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps(s8, 1));
    const __m128 s2 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
    return _mm_cvtss_f32(_mm_add_ss(s2, _mm_shuffle_ps(s2, s2, 1)));
  }
  static D dzero() { return _mm512_setzero_pd(); }
  static D dadd(D a, D b) { return _mm512_add_pd(a, b); }
  static D dmul(D a, D b) { return _mm512_mul_pd(a, b); }
  static void to_double(F v, D* out) {
    out[0] = _mm512_cvtps_pd(_mm512_castps512_ps256(v));
    out[1] = _mm512_cvtps_pd(hi256(v));
  }
  static double treed(D v) {
    const __m256d s4 = _mm256_add_pd(_mm512_castpd512_pd256(v),
                                     _mm512_castpd512_pd256(_mm512_shuffle_f64x2(v, v, 0xEE)));
    const __m128d s2 = _mm_add_pd(_mm256_castpd256_pd128(s4), _mm256_extractf128_pd(s4, 1));
    return _mm_cvtsd_f64(_mm_add_sd(s2, _mm_unpackhi_pd(s2, s2)));
  }
};

}  // namespace
}  // namespace lr::kern

// AVX2+FMA vector trait for simd_body.h: 8 floats, 4 doubles; compiled with -mavx2 -mfma only.
#pragma once
#include <immintrin.h>

namespace lr::kern {
namespace {

struct Avx2 {
  using F = __m256;
  using D = __m256d;
  static constexpr int W = 8, WD = 4, kRows = 6, kQueryVecs = 2;
  static constexpr int kGemmRows = 6, kGemmVecs = 2;  // GEMM tile 6 × 16: 12 accumulators
  static F load(const float* p) { return _mm256_loadu_ps(p); }
  static void store(float* p, F v) { _mm256_storeu_ps(p, v); }
  static F set1(float x) { return _mm256_set1_ps(x); }
  static F zero() { return _mm256_setzero_ps(); }
  static F add(F a, F b) { return _mm256_add_ps(a, b); }
  static F sub(F a, F b) { return _mm256_sub_ps(a, b); }
  static F mul(F a, F b) { return _mm256_mul_ps(a, b); }
  static F div(F a, F b) { return _mm256_div_ps(a, b); }
  static F fma(F a, F b, F c) { return _mm256_fmadd_ps(a, b, c); }  // a*b + c, one rounding
  static F max(F a, F b) { return _mm256_max_ps(a, b); }            // a > b ? a : b
  static F round(F x) { return _mm256_round_ps(x, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
  static F clamp_lo(F x, float lo) {
    return _mm256_blendv_ps(x, set1(lo), _mm256_cmp_ps(x, set1(lo), _CMP_LT_OQ));
  }
  static F clamp_hi(F x, float hi) {
    return _mm256_blendv_ps(x, set1(hi), _mm256_cmp_ps(x, set1(hi), _CMP_GT_OQ));
  }
  static F zero_if_neg_inf(F x) {
    return _mm256_blendv_ps(x, zero(), _mm256_cmp_ps(x, set1(-__builtin_inff()), _CMP_EQ_OQ));
  }
  static F neg(F x) { return _mm256_xor_ps(x, set1(-0.0f)); }
  static F neg_even(F x) {
    return _mm256_xor_ps(x, _mm256_castsi256_ps(_mm256_set1_epi64x(0x80000000LL)));
  }
  static F swap_pairs(F x) { return _mm256_permute_ps(x, 0xB1); }
  static F load_dup(const float* p) {  // p[0], p[0], p[1], p[1], ... (4 values)
    return _mm256_permutevar8x32_ps(_mm256_castps128_ps256(_mm_loadu_ps(p)),
                                    _mm256_set_epi32(3, 3, 2, 2, 1, 1, 0, 0));
  }
  static F scale2n1(F p, F n) {  // p * 2^n in one step (n in [-127, 127]; 2^-127 reads as 0)
    const __m256i e = _mm256_add_epi32(_mm256_cvtps_epi32(n), _mm256_set1_epi32(127));
    return mul(p, _mm256_castsi256_ps(_mm256_slli_epi32(e, 23)));
  }
  static F scale2n(F p, F n) {  // p * 2^(n>>1) * 2^(n - (n>>1))
    const __m256i ni = _mm256_cvtps_epi32(n);
    const __m256i a = _mm256_srai_epi32(ni, 1), b = _mm256_sub_epi32(ni, a);
    const __m256i bias = _mm256_set1_epi32(127);
    const F pa = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(a, bias), 23));
    const F pb = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(b, bias), 23));
    return mul(mul(p, pa), pb);
  }
  static float tree(F v) {  // lanes k + k+4, k + k+2, k + k+1
    const __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    const __m128 s2 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
    return _mm_cvtss_f32(_mm_add_ss(s2, _mm_shuffle_ps(s2, s2, 1)));
  }
  static D dzero() { return _mm256_setzero_pd(); }
  static D dadd(D a, D b) { return _mm256_add_pd(a, b); }
  static D dmul(D a, D b) { return _mm256_mul_pd(a, b); }
  static void to_double(F v, D* out) {
    out[0] = _mm256_cvtps_pd(_mm256_castps256_ps128(v));
    out[1] = _mm256_cvtps_pd(_mm256_extractf128_ps(v, 1));
  }
  static double treed(D v) {
    const __m128d s2 = _mm_add_pd(_mm256_castpd256_pd128(v), _mm256_extractf128_pd(v, 1));
    return _mm_cvtsd_f64(_mm_add_sd(s2, _mm_unpackhi_pd(s2, s2)));
  }
};

}  // namespace
}  // namespace lr::kern

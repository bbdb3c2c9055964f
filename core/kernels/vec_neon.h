// NEON (AArch64) vector trait for simd_body.h: 4 floats, 2 doubles; x86 max semantics kept.
#pragma once
#include <arm_neon.h>

namespace lr::kern {
namespace {

struct Neon {
  using F = float32x4_t;
  using D = float64x2_t;
  static constexpr int W = 4, WD = 2, kRows = 6, kQueryVecs = 4;
  static constexpr int kGemmRows = 6, kGemmVecs = 4;  // GEMM tile 6 × 16: 24 accumulators
  static F load(const float* p) { return vld1q_f32(p); }
  static void store(float* p, F v) { vst1q_f32(p, v); }
  static F set1(float x) { return vdupq_n_f32(x); }
  static F zero() { return vdupq_n_f32(0.0f); }
  static F add(F a, F b) { return vaddq_f32(a, b); }
  static F sub(F a, F b) { return vsubq_f32(a, b); }
  static F mul(F a, F b) { return vmulq_f32(a, b); }
  static F div(F a, F b) { return vdivq_f32(a, b); }
  static F fma(F a, F b, F c) { return vfmaq_f32(c, a, b); }           // a*b + c, one rounding
  static F max(F a, F b) { return vbslq_f32(vcgtq_f32(a, b), a, b); }  // a > b ? a : b
  static F round(F x) { return vrndnq_f32(x); }
  static F clamp_lo(F x, float lo) { return vbslq_f32(vcltq_f32(x, set1(lo)), set1(lo), x); }
  static F clamp_hi(F x, float hi) { return vbslq_f32(vcgtq_f32(x, set1(hi)), set1(hi), x); }
  static F zero_if_neg_inf(F x) {
    return vbslq_f32(vceqq_f32(x, set1(-__builtin_inff())), zero(), x);
  }
  static F neg(F x) { return vnegq_f32(x); }
  static F neg_even(F x) {
    const uint32x4_t m = {0x80000000u, 0u, 0x80000000u, 0u};
    return vreinterpretq_f32_u32(veorq_u32(vreinterpretq_u32_f32(x), m));
  }
  static F swap_pairs(F x) { return vrev64q_f32(x); }
  static F load_dup(const float* p) {  // p[0], p[0], p[1], p[1]
    const float32x2_t c = vld1_f32(p);
    const F cc = vcombine_f32(c, c);
    return vzip1q_f32(cc, cc);
  }
  static F scale2n1(F p, F n) {  // p * 2^n in one step (n in [-127, 127]; 2^-127 reads as 0)
    const int32x4_t e = vaddq_s32(vcvtq_s32_f32(n), vdupq_n_s32(127));
    return mul(p, vreinterpretq_f32_s32(vshlq_n_s32(e, 23)));
  }
  static F scale2n(F p, F n) {  // p * 2^(n>>1) * 2^(n - (n>>1))
    const int32x4_t ni = vcvtq_s32_f32(n);
    const int32x4_t a = vshrq_n_s32(ni, 1), b = vsubq_s32(ni, a);
    const int32x4_t bias = vdupq_n_s32(127);
    const F pa = vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(a, bias), 23));
    const F pb = vreinterpretq_f32_s32(vshlq_n_s32(vaddq_s32(b, bias), 23));
    return mul(mul(p, pa), pb);
  }
  static float tree(F v) {  // lanes k + k+2, k + k+1
    const float32x2_t s2 = vadd_f32(vget_low_f32(v), vget_high_f32(v));
    return vget_lane_f32(s2, 0) + vget_lane_f32(s2, 1);
  }
  static D dzero() { return vdupq_n_f64(0.0); }
  static D dadd(D a, D b) { return vaddq_f64(a, b); }
  static D dmul(D a, D b) { return vmulq_f64(a, b); }
  static void to_double(F v, D* out) {
    out[0] = vcvt_f64_f32(vget_low_f32(v));
    out[1] = vcvt_high_f64_f32(v);
  }
  static double treed(D v) { return vgetq_lane_f64(v, 0) + vgetq_lane_f64(v, 1); }
};

}  // namespace
}  // namespace lr::kern

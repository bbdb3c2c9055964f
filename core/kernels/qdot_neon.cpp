// NEON quantized dot products (sdot on ARMv8.2 dotprod, widening multiplies otherwise),
// bit-identical to qdot_scalar.cpp: exact integer sums per block, the same float lanes.
#include "core/kernels/qdot.h"

#if defined(__aarch64__)
#include <arm_neon.h>

#include <cmath>

#include "core/tensor/quant_blocks.h"

namespace lr::kern {

namespace {

// Σ w·a over 16 int8 pairs, added to acc (int32 x4).
inline int32x4_t dot16(int32x4_t acc, int8x16_t w, int8x16_t a) {
#if defined(__ARM_FEATURE_DOTPROD)
  return vdotq_s32(acc, w, a);
#else
  const int16x8_t lo = vmull_s8(vget_low_s8(w), vget_low_s8(a));
  const int16x8_t hi = vmull_s8(vget_high_s8(w), vget_high_s8(a));
  return vpadalq_s16(vpadalq_s16(acc, lo), hi);
#endif
}

// The 32 integers of a 32-element weight block as two int8x16 (values fit int8: -16..31).
inline void block_bytes(DType t, const uint8_t* b, int8x16_t& v0, int8x16_t& v1) {
  const uint8x16_t low4 = vdupq_n_u8(0x0f);
  if (t == DType::Q8_0) {
    v0 = vld1q_s8(reinterpret_cast<const int8_t*>(b + 2));
    v1 = vld1q_s8(reinterpret_cast<const int8_t*>(b + 18));
    return;
  }
  const bool one = t == DType::Q4_1 || t == DType::Q5_1;
  const bool five = t == DType::Q5_0 || t == DType::Q5_1;
  const uint8_t* qs = b + (five ? (one ? 8 : 6) : (one ? 4 : 2));
  const uint8x16_t q = vld1q_u8(qs);
  uint8x16_t u0 = vandq_u8(q, low4), u1 = vshrq_n_u8(q, 4);
  if (five) {
    const uint32_t qh = load_u32(b + (one ? 4 : 2));
    uint8_t hb[32];
    for (int j = 0; j < 32; ++j) hb[j] = static_cast<uint8_t>(((qh >> j) & 1) << 4);
    u0 = vorrq_u8(u0, vld1q_u8(hb));
    u1 = vorrq_u8(u1, vld1q_u8(hb + 16));
  }
  v0 = vreinterpretq_s8_u8(u0);
  v1 = vreinterpretq_s8_u8(u1);
  if (!one) {
    const int8x16_t off = vdupq_n_s8(five ? 16 : 8);
    v0 = vsubq_s8(v0, off);
    v1 = vsubq_s8(v1, off);
  }
}

inline int isum32(const int8x16_t w0, const int8x16_t w1, const int8_t* a) {
  int32x4_t acc = vdupq_n_s32(0);
  acc = dot16(acc, w0, vld1q_s8(a));
  acc = dot16(acc, w1, vld1q_s8(a + 16));
  return vaddvq_s32(acc);
}

float dot_32(DType t, const uint8_t* w, const uint8_t* a, int64_t nb) {
  float lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  const size_t wb = dtype_block_bytes(t);
  const bool one = t == DType::Q4_1 || t == DType::Q5_1;
  const size_t ab = one ? 36 : 34, aoff = one ? 4 : 2;
  for (int64_t b = 0; b < nb; ++b) {
    const uint8_t* W = w + b * wb;
    const uint8_t* A = a + b * ab;
    int8x16_t v0, v1;
    block_bytes(t, W, v0, v1);
    const int isum = isum32(v0, v1, reinterpret_cast<const int8_t*>(A + aoff));
    float& l = lane[b % 8];
    l = std::fma(load_f16(W) * load_f16(A), static_cast<float>(isum), l);
    if (one) l = std::fma(load_f16(W + 2), load_f16(A + 2), l);
  }
  return qdot_reduce8(lane);
}

float dot_k(DType t, const uint8_t* w, const uint8_t* a, int64_t nb) {
  float lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  const size_t wb = dtype_block_bytes(t);
  const uint8x16_t low4 = vdupq_n_u8(0x0f);
  for (int64_t b = 0; b < nb; ++b) {
    const uint8_t* W = w + b * wb;
    const uint8_t* A = a + b * 292;
    float da;
    std::memcpy(&da, A, 4);
    const int8_t* aq = reinterpret_cast<const int8_t*>(A + 4);
    int16_t bs[16];
    std::memcpy(bs, A + 260, 32);
    float& acc = lane[b % 8];
    if (t == DType::Q6_K) {
      const uint8_t* ql = W;
      const uint8_t* qh = W + 128;
      const int8_t* sc = reinterpret_cast<const int8_t*>(W + 192);
      int sumi = 0;
      for (int h = 0; h < 2; ++h)
        for (int k = 0; k < 4; ++k)
          for (int half = 0; half < 2; ++half) {
            const int l0 = 16 * half;
            const uint8x16_t lq = vld1q_u8(ql + 64 * h + 32 * (k & 1) + l0);
            const uint8x16_t lo = k < 2 ? vandq_u8(lq, low4) : vshrq_n_u8(lq, 4);
            const uint8x16_t hb = vld1q_u8(qh + 32 * h + l0);
            const uint8x16_t hi =
                vandq_u8(vshlq_u8(hb, vdupq_n_s8(static_cast<int8_t>(-2 * k))), vdupq_n_u8(3));
            const int8x16_t v =
                vsubq_s8(vreinterpretq_s8_u8(vorrq_u8(lo, vshlq_n_u8(hi, 4))), vdupq_n_s8(32));
            const int s =
                vaddvq_s32(dot16(vdupq_n_s32(0), v, vld1q_s8(aq + 128 * h + 32 * k + l0)));
            sumi += sc[8 * h + half + 2 * k] * s;
          }
      acc = std::fma(da * load_f16(W + 208), static_cast<float>(sumi), acc);
    } else {
      const bool five = t == DType::Q5_K;
      const uint8_t* qh = W + 16;
      const uint8_t* qs = five ? W + 48 : W + 16;
      int sumi = 0, summ = 0;
      for (int s = 0; s < 8; ++s) {
        uint8_t scale, min;
        kquant_scale_min(s, W + 4, scale, min);
        int32x4_t ia = vdupq_n_s32(0);
        for (int part = 0; part < 2; ++part) {
          const uint8x16_t q = vld1q_u8(qs + 32 * (s / 2) + 16 * part);
          uint8x16_t v = s % 2 ? vshrq_n_u8(q, 4) : vandq_u8(q, low4);
          if (five) {
            const uint8x16_t hb = vld1q_u8(qh + 16 * part);
            const uint8x16_t bit = vdupq_n_u8(static_cast<uint8_t>(1 << s));
            v = vorrq_u8(v, vandq_u8(vceqq_u8(vandq_u8(hb, bit), bit), vdupq_n_u8(0x10)));
          }
          ia = dot16(ia, vreinterpretq_s8_u8(v), vld1q_s8(aq + 32 * s + 16 * part));
        }
        sumi += scale * vaddvq_s32(ia);
        summ += min * (bs[2 * s] + bs[2 * s + 1]);
      }
      acc = std::fma(da * load_f16(W), static_cast<float>(sumi), acc);
      acc = std::fma(-(da * load_f16(W + 2)), static_cast<float>(summ), acc);
    }
  }
  return qdot_reduce8(lane);
}

float dot_neon(DType t, const uint8_t* w, const uint8_t* a, int64_t nb) {
  if (t == DType::Q4_K || t == DType::Q5_K || t == DType::Q6_K) return dot_k(t, w, a, nb);
  return dot_32(t, w, a, nb);
}

}  // namespace

const QDotKernels* qdot_neon() {
  static const QDotKernels k{"neon", dot_neon};
  return &k;
}

}  // namespace lr::kern

#else
namespace lr::kern {
const QDotKernels* qdot_neon() { return nullptr; }
}  // namespace lr::kern
#endif

// Scalar building blocks of the reference kernels: the exp polynomial, max and the 16-lane tree.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

#include "core/kernels/exp_consts.h"

namespace lr::kern::scalar {

// 2^k for integer k in [-126, 127].
inline float pow2i(int k) {
  const uint32_t bits = static_cast<uint32_t>(k + 127) << 23;
  float f;
  std::memcpy(&f, &bits, sizeof f);
  return f;
}

// exp(x) in float: n = round(x log2 e), r = x - n ln 2 (two FMA steps), Taylor polynomial of
// degree 7 in r (Horner, FMA), times 2^n in two exact halves. Inputs clamped to [-104, 89]:
// exp(-inf) = 0 exactly, exp(x > 88.73) = inf. Every SIMD path runs the same operations.
inline float exp(float x) {
  if (std::isnan(x)) return x;
  using namespace expc;
  if (x < kLo) x = kLo;
  if (x > kHi) x = kHi;
  const float n = std::nearbyint(x * kLog2e);
  float r = std::fma(n, kLn2Hi, x);
  r = std::fma(n, kLn2Lo, r);
  float p = kC7;
  p = std::fma(p, r, kC6);
  p = std::fma(p, r, kC5);
  p = std::fma(p, r, kC4);
  p = std::fma(p, r, kC3);
  p = std::fma(p, r, kC2);
  p = std::fma(p, r, 1.0f);
  p = std::fma(p, r, 1.0f);
  const int ni = static_cast<int>(n);
  const int a = ni >> 1, b = ni - a;
  return p * pow2i(a) * pow2i(b);
}

// Attention's 2^x for x <= 0 (exp_consts.h); NaN stays NaN. Every SIMD path runs the same
// operations (S::exp2_attn in simd_body.h). Deg 4 cuts the polynomial (relative error 4e-5):
// exp2_i8, for --compute int8 attention, whose probabilities become 8 bits.
template <int Deg = 6>
inline float exp2_poly(float x) {
  static_assert(Deg == 4 || Deg == 6);
  if (std::isnan(x)) return x;
  using namespace expc;
  if (x < kAttnLo) x = kAttnLo;
  const float n = std::nearbyint(x);
  const float r = x - n;
  float p = Deg == 6 ? kP6 : kP4;
  if constexpr (Deg == 6) {
    p = std::fma(p, r, kP5);
    p = std::fma(p, r, kP4);
  }
  p = std::fma(p, r, kP3);
  p = std::fma(p, r, kP2);
  p = std::fma(p, r, kP1);
  p = std::fma(p, r, 1.0f);
  return p * pow2i(static_cast<int>(n));
}
inline float exp2_attn(float x) { return exp2_poly<6>(x); }
inline float exp2_i8(float x) { return exp2_poly<4>(x); }

// The comparison every path uses (x86 max semantics).
inline float max(float a, float b) { return a > b ? a : b; }

// Sum of 16 lanes in the fixed tree order: lanes k and k+8, then k and k+4, k+2, k+1.
template <class T>
T tree16(const T* in) {
  T a[16];
  for (int k = 0; k < 16; ++k) a[k] = in[k];
  for (int s = 8; s >= 1; s /= 2)
    for (int k = 0; k < s; ++k) a[k] = a[k] + a[k + s];
  return a[0];
}

}  // namespace lr::kern::scalar

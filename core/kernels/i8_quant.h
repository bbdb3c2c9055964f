// The one int8 quantization rule of --compute int8 (matrix products and attention).
#pragma once
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>

namespace lr::kern {

// n floats (n <= npad) to int8: d = amax/127, q = round-to-nearest-even(x · (1/d)) in ±127; the
// values from n to npad are 0. Returns d: 0 for values below 127·FLT_MIN, NaN when x holds a NaN
// (q is then 0, and the product with d NaN, as in f32).
inline float quantize_i8(const float* x, int n, int npad, int8_t* q) {
  float amax = 0.0f;
  for (int i = 0; i < n; ++i) {  // a NaN sticks (and makes d NaN, so the output NaN)
    const float ax = std::fabs(x[i]);
    amax = ax > amax || ax != ax ? ax : amax;
  }
  float d = amax / 127.0f;
  if (!(d >= FLT_MIN)) d = d != d ? d : 0.0f;  // below FLT_MIN (1/d would overflow): all zero
  const float id = d >= FLT_MIN ? 1.0f / d : 0.0f;
  // round to nearest even by adding and taking away 1.5·2^23 (|x·id| <= 127.x; no contraction):
  // nearbyint's result without its floating-point environment calls
  constexpr float kRound = 12582912.0f;
  for (int i = 0; i < npad; ++i) {
    const float v = i < n ? (x[i] * id + kRound) - kRound : 0.0f;
    q[i] = v != v ? 0 : static_cast<int8_t>(std::clamp(v, -127.0f, 127.0f));
  }
  return d;
}

}  // namespace lr::kern

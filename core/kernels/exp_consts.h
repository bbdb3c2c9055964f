// Constants of the kernels' exp polynomial, shared by the scalar and every SIMD path.
#pragma once

namespace lr::kern::expc {
constexpr float kLo = -104.0f;  // exp(kLo) rounds to 0 in float
constexpr float kHi = 89.0f;    // exp(kHi) overflows to inf
constexpr float kLog2e = 1.44269504088896341f;
constexpr float kLn2Hi = -0.693145751953125f;  // -ln 2, high part (negated)
constexpr float kLn2Lo = -1.428606765330187045e-06f;
constexpr float kC7 = 1.0f / 5040.0f, kC6 = 1.0f / 720.0f, kC5 = 1.0f / 120.0f, kC4 = 1.0f / 24.0f,
                kC3 = 1.0f / 6.0f, kC2 = 0.5f;
}  // namespace lr::kern::expc

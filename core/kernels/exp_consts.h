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
// Attention's 2^x for x <= 0 (scores carry log2 e in the query scale): x clamped to >= -127,
// n = round(x), r = x - n exactly, Taylor polynomial of 2^r of degree 6 (|r| <= 1/2: relative
// error 1.2e-7), times 2^n in one step (2^-127 reads as 0: masked keys weigh exactly 0).
constexpr float kAttnLo = -127.0f;
constexpr double kLn2 = 0.69314718055994530942;
constexpr float kP1 = static_cast<float>(kLn2), kP2 = static_cast<float>(kLn2 * kLn2 / 2),
                kP3 = static_cast<float>(kLn2 * kLn2 * kLn2 / 6),
                kP4 = static_cast<float>(kLn2 * kLn2 * kLn2 * kLn2 / 24),
                kP5 = static_cast<float>(kLn2 * kLn2 * kLn2 * kLn2 * kLn2 / 120),
                kP6 = static_cast<float>(kLn2 * kLn2 * kLn2 * kLn2 * kLn2 * kLn2 / 720);
}  // namespace lr::kern::expc

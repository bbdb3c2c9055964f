// LongRoPE2's critical dimension: the first rotary pair that never completed a rotation in
// training.
#pragma once

namespace lr {

// Pair i (0 .. d/2-1) of a RoPE with base b and head_dim d has the period 2π·b^(2i/d) tokens.
// Its period exceeds the trained length L exactly when i > x = (d/2)·log_b(L/2π).
struct CriticalDim {
  double x = 0.0;           // (d/2)·log_b(L/2π): the fractional pair whose period is exactly L
  int first_pair = 0;       // ours: the first pair whose period exceeds L, floor(x) + 1 (>= 0)
  int longrope2_index = 0;  // LongRoPE2's code: ceil(x) - 1 (first_pair - 1 for a fractional x)
};

// base > 1, head_dim even and >= 2, original_length >= 1; anything else is an InvalidArgument.
// first_pair may be >= head_dim/2 (no pair exceeds L): the caller decides what that means.
CriticalDim critical_dim(double base, int head_dim, int original_length);

}  // namespace lr

// Row-wise kernels of the forward pass: OpenMP loops over rows around the active kernel table.
#pragma once
#include "core/model/config.h"
#include "core/rope/rope.h"

namespace lr {

// y[r] = x[r] / sqrt(mean(x[r]^2) + eps) * w, for rows [0, rows); x and y may alias.
void rmsnorm_rows(const float* x, const float* w, float* y, int rows, int dim, float eps);

// Rotates each head of `rows` vectors (row stride `stride`, `n_heads` heads of `head_dim`)
// by the angles of table rows [0, rows); `layout` picks which elements form a pair.
void rope_rows(float* x, int rows, int stride, int n_heads, int head_dim, RopeLayout layout,
               const RopeTable& table);

// g[i] = silu(g[i]) * u[i]
void swiglu(float* g, const float* u, long n);

}  // namespace lr

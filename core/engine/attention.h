// Causal multi-head attention over a whole sequence, in O(n·d) memory.
#pragma once
#include <cstddef>

#include "core/kernels/kernels.h"

namespace lr {

struct AttentionShape {
  int n = 0;  // sequence length
  int n_heads = 0, n_kv_heads = 0, head_dim = 0;
  int window = 0;  // keys older than `window` positions are masked (0 = none)
};

// q: (n, n_heads*head_dim), k/v: (n, n_kv_heads*head_dim), out: (n, n_heads*head_dim).
// Streams keys in tiles with an online softmax; never forms an n×n matrix. Parallel over
// (head, query block) tasks; the active kernel path computes each task.
void attention_tiled(const float* q, const float* k, const float* v, float* out,
                     const AttentionShape& s);

// Scratch attention_tiled allocates per thread (score tile, output and query tiles, m, l, corr);
// the tiles are kAttnQueryTile queries x kAttnKeyTile keys (kernels/kernels.h).
size_t attention_scratch_bytes(int head_dim);

// Reference twin: one query at a time with a full score row (O(n) scratch), in double.
void attention_naive(const float* q, const float* k, const float* v, float* out,
                     const AttentionShape& s);

}  // namespace lr

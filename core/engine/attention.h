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
// (head, query block) tasks; the active kernel path computes each task, in the precision of
// compute_precision() (kernels/compute.h).
void attention_tiled(const float* q, const float* k, const float* v, float* out,
                     const AttentionShape& s);

// The same with --compute int8 products (kernels/attn_i8.h): keys and values are quantized once
// per call (O(n·d) bytes); attention_tiled calls it when compute_precision() is Int8.
void attention_tiled_i8(const float* q, const float* k, const float* v, float* out,
                        const AttentionShape& s);
// attention_tiled's tasks, (head, query block) in one index, and task `task` (scratch unset).
long attention_tasks(const AttentionShape& s);
AttnBlock attention_task(const float* q, const float* k, const float* v, float* out,
                         const AttentionShape& s, long task);

// Scratch attention_tiled allocates per thread (score tile, output and query tiles, m, l, corr);
// the tiles are kAttnQueryTile queries x kAttnKeyTile keys (kernels/kernels.h).
size_t attention_scratch_bytes(int head_dim);

// Reference twin: one query at a time with a full score row (O(n) scratch), in double.
void attention_naive(const float* q, const float* k, const float* v, float* out,
                     const AttentionShape& s);

}  // namespace lr

// The FMA peak of this machine per thread count, and attention alone against it.
#pragma once
#include <vector>

namespace lr::bench {

// Pure FMA loop (KernelTable::fma_loop of the active kernel path) on `threads` threads at once,
// each running the same rounds, ~`seconds` per pass: GFLOP/s of the best of `reps` passes
// (all threads' FLOPs / the pass's wall time).
double fma_peak_gflops(int threads, double seconds = 0.3, int reps = 3);

struct AttentionCase {
  int tokens = 2048, head_dim = 64, heads = 7, kv_heads = 1;
};
struct AttentionTiming {
  double seconds = 0;  // best of the repetitions
  double flops = 0;    // causal: heads · 4 · n²/2 · head_dim
  double gflops = 0;
};
// Times attention_tiled (active kernel path, the threads in force) on seeded random q, k, v,
// best of `reps` (after one warm-up pass up to 8192 tokens).
AttentionTiming bench_attention(const AttentionCase& c, int reps);

}  // namespace lr::bench

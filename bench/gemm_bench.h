// GEMM-only benchmark: the projection and FFN matrix products of a shape, timed alone.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "bench/bench_model.h"

namespace lr::bench {

// One distinct matrix of the shape's layers (name without "blk.N.", element type) and how many
// of the layers hold it in that type.
struct GemmRow {
  std::string matrix, type;
  int64_t rows = 0, cols = 0;
  int layers = 0;      // layers with this matrix in this type
  double seconds = 0;  // best of the repetitions, one product of `tokens` rows
  double gflops = 0;   // 2 · tokens · rows · cols / seconds
};

// Times y = x · Wᵀ (the engine's matmul, the current matmul path and threads) for x of
// `tokens` random rows and every distinct per-layer matrix of `s` in file type `ft`, best of
// `reps` after one warm-up. Weights are random blocks (random_tensor), seeded.
std::vector<GemmRow> bench_gemms(const Shape& s, FileType ft, int tokens, int reps, uint64_t seed);

// Every layer's products together: Σ layers · flops / Σ layers · seconds, in GFLOP/s.
double weighted_gflops(const std::vector<GemmRow>& rows, int tokens);

}  // namespace lr::bench

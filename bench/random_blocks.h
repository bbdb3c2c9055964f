// Seeded random tensors for benchmark models: floats and valid ggml blocks of a chosen spread.
#pragma once
#include <cstddef>
#include <cstdint>
#include <random>

#include "core/tensor/dtype.h"

namespace lr::bench {

// The one random engine of the benchmark models (its output sequence is fixed by the standard).
using Rng = std::mt19937_64;

// Seed of stream `index` of a model written with `seed` (splitmix64 of both): every tensor has
// its own stream, so tensors can be made one at a time in any order.
uint64_t stream_seed(uint64_t seed, uint64_t index);

// Writes `count` elements of type `t` (whole blocks for block types) at `dst`, whose decoded
// values have mean ~0 and standard deviation ~`stddev` (a sensible weight scale, e.g. 0.02):
//   F32, F16, BF16   uniform in ±stddev·√3
//   Q8_0, Q5_0       uniform quants, d = stddev / rms(q - zero)
//   Q4_K             sub-block scales sc in [32, 63] with mins m = sc and dmin = 7.5·d, so
//                    x = d·sc·(q - 7.5) is centred; uniform 4-bit quants
//   Q6_K             scales in [32, 127], uniform 6-bit quants
// Scales are finite f16 values (layouts: core/quant_blocks.h). Bytes are written
// little-endian from the engine's output, so a seed gives the same file on every host.
// Throws Unsupported for other types.
void random_tensor(DType t, size_t count, float stddev, Rng& rng, uint8_t* dst);

// Scale bytes of a Q4_K / Q5_K block from eight 6-bit scales and mins (the inverse of
// kquant_scale_min in core/quant_blocks.h).
void pack_kquant_scales(const uint8_t sc[8], const uint8_t m[8], uint8_t out[12]);

}  // namespace lr::bench

// The packed weight panel of the int8 tiles: what the driver writes and every tile reads.
#pragma once
#include <cstddef>

namespace lr::kern {

constexpr int kI8Block = 32;  // values per quantization block
// One block of a panel of nr weight rows, 40·nr bytes: int8 w[8][nr][4] (value k = 4g + i of
// row n at (g·nr + n)·4 + i, VNNI's groups of 4), then float d[nr] (the rows' scales), then
// int32 comp[nr] = 128 · Σ_k w (activations are stored as u8 = q + 128).
constexpr size_t i8_block_bytes(int nr) { return 40 * static_cast<size_t>(nr); }
constexpr size_t i8_scale_offset(int nr) { return 32 * static_cast<size_t>(nr); }
constexpr size_t i8_comp_offset(int nr) { return 36 * static_cast<size_t>(nr); }

}  // namespace lr::kern

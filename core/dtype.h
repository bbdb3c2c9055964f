// Tensor element types found in model files, and their conversion to F32.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace lr {

enum class DType { F32, F16, BF16, Q8_0, Q4_0, Other };

// Bytes needed for `count` elements (count must be a multiple of the block size for Q types).
size_t dtype_bytes(DType t, size_t count);
size_t dtype_block(DType t);  // elements per block (1 for float types)
const char* dtype_name(DType t);

float f16_to_f32(uint16_t h);
float bf16_to_f32(uint16_t h);

// Converts `count` elements stored as `t` at `src` into `dst` (F32).
void to_f32(DType t, const uint8_t* src, size_t count, float* dst);

}  // namespace lr

// Tensor element types found in model files (llama.cpp's ggml block layouts), sizes and F32
// decoding.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace lr {

// Float types and ggml's quantized block types. "Type-0" blocks decode as d·q, "type-1" as
// d·q + m; K-quants are super-blocks of 256 with 6- or 8-bit sub-block scales.
enum class DType { F32, F16, BF16, Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q4_K, Q5_K, Q6_K, Other };

// Bytes needed for `count` elements (count must be a multiple of the block size for Q types).
size_t dtype_bytes(DType t, size_t count);
size_t dtype_block(DType t);        // elements per block (1 for float types)
size_t dtype_block_bytes(DType t);  // bytes per block (per element for float types)
const char* dtype_name(DType t);
bool dtype_quantized(DType t);  // a ggml block type (not F32/F16/BF16)
// The ggml type id of `t` (F32 0, F16 1, Q4_0 2, ..., BF16 30) and back (Other if unknown).
uint32_t dtype_ggml_id(DType t);
DType dtype_from_ggml(uint32_t id);
// "F32, F16, BF16, Q8_0, ..." for messages.
std::string supported_dtypes();

float f16_to_f32(uint16_t h);
float bf16_to_f32(uint16_t h);
uint16_t f32_to_f16(float f);   // round to nearest even (IEEE binary16), as F16C does
uint16_t f32_to_bf16(float f);  // round to nearest even, NaN kept quiet

}  // namespace lr

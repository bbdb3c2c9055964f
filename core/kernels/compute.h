// The precision of the matrix products (--compute), process-wide like the kernel path.
#pragma once
#include <string>

namespace lr {

// The precision of the matrix products and of attention's two products (norms, RoPE, the
// softmax and the logits stay F32).
//   F32:  the packed GEMM (gemm.h).
//   Int8: each activation row and weight row in blocks of 32 values, d = amax/127 and
//         q = round-to-nearest-even(x · (1/d)) clamped to ±127 (Q8_0 weights keep their own blocks;
//         other types are decoded and quantized that way per call); per block an exact integer
//         dot product, then y += float(dot) · (d_x · d_w) as one FMA per block in block order
//         (gemm_i8.h); attention: queries and keys per row over head_dim, values per channel
//         over each key tile, probabilities as u8 per query and key tile (attn_i8.h); the
//         decode rows of generation stay F32. Part of the numerics signature.
enum class Compute { F32, Int8 };
Compute compute_precision();  // set_compute_precision, else F32
void set_compute_precision(Compute c);
// "f32" | "int8"; "bf16" is refused as not built yet, anything else as a bad name.
Compute parse_compute(const std::string& name);
const char* compute_name(Compute c);

}  // namespace lr

// Integer dot products of quantized weight rows with quantized activation rows (ggml's scheme).
#pragma once
#include <cstddef>
#include <cstdint>

#include "core/tensor/dtype.h"

namespace lr {

// Activations are quantized per row into the weight type's "vec_dot type", as llama.cpp's
// CPU backend does: Q8_0 blocks (h d, int8 q[32]; d = amax/127 stored as F16, q =
// round(x/d) with the unrounded d) for Q8_0/Q4_0/Q5_0 weights; Q8_1 (h d, h s = F16(d·Σq),
// int8 q[32]) for Q4_1/Q5_1; Q8_K (f32 d, int8 q[256], int16 sums of 16) for K-quants.
enum class ActType { Q8_0, Q8_1, Q8_K, None };
ActType act_type(DType weight);
size_t act_block_bytes(ActType a);
size_t act_row_bytes(DType weight, int64_t cols);  // 0 when the weight type has no int8 dot
// One row of `cols` floats into act_row_bytes(weight, cols) bytes at `out` (scalar, ggml's
// reference rounding: round half away from zero for Q8_0/Q8_1, to nearest even for Q8_K).
void quantize_act_row(DType weight, const float* x, int64_t cols, uint8_t* out);

// dot(weight row w, activation row a) over `nblocks` weight blocks. Every implementation
// computes each block's integer sums exactly and combines them in the same float order:
// block b's terms are fused-multiply-added into lane b % 8 of eight accumulators, which are
// summed as ((l0+l4)+(l2+l6)) + ((l1+l5)+(l3+l7)). So all paths agree bit for bit.
using QDotFn = float (*)(DType t, const uint8_t* w, const uint8_t* a, int64_t nblocks);

struct QDotKernels {
  const char* name;  // "scalar", "avx2", "neon"
  QDotFn dot;
};
// The per-instruction-set tables (chosen by qdot_best() in dispatch.cpp, the kernels' one
// dispatcher).
namespace kern {
const QDotKernels& qdot_scalar();
const QDotKernels* qdot_avx2();  // nullptr when not built for x86 or the CPU lacks AVX2+FMA
const QDotKernels* qdot_neon();  // nullptr when not built for aarch64 with dotprod
}  // namespace kern
const QDotKernels& qdot_best();

// The fixed lane reduction named above (shared by every implementation).
inline float qdot_reduce8(const float* l) {
  return ((l[0] + l[4]) + (l[2] + l[6])) + ((l[1] + l[5]) + (l[3] + l[7]));
}

}  // namespace lr

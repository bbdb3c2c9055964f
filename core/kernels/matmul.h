// y = x · Wᵀ for a weight matrix in any stored type: the engine's only matrix product.
#pragma once
#include "core/tensor/qtensor.h"

namespace lr {

// How products with non-F32 weights are computed (F32 weights: the packed GEMM, always).
//   Tile: the packed GEMM (gemm.h), weights decoded to F32 panel by panel while packing: the
//         same products as decoding the whole matrix first.
//   Ggml: as llama.cpp's CPU backend: activations converted to the weight's vec_dot type
//         (F16 / BF16 rounding for F16 / BF16 weights, Q8_0 / Q8_1 / Q8_K blocks for
//         quantized ones), then float (F16/BF16, tiled GEMM) or int8 dot products.
enum class MatmulPath { Tile, Ggml };
// The process-wide choice: set_matmul_path, else the environment variable LONGROPE_MATMUL
// (tile | ggml), else Tile. parse_matmul_path throws InvalidArgument on other names.
MatmulPath matmul_path();
void set_matmul_path(MatmulPath p);
MatmulPath parse_matmul_path(const char* name);
const char* matmul_path_name(MatmulPath p);

// y (rows, w.rows) = x (rows, w.cols) · Wᵀ, or += with `accumulate`. OpenMP-parallel.
void matmul(const float* x, const QTensor& w, float* y, long rows, bool accumulate = false);
void matmul(const float* x, const QTensor& w, float* y, long rows, bool accumulate,
            MatmulPath path);

}  // namespace lr

// The packed GEMM: y = x · Wᵀ for weights of any stored type, on the kernel table's tile.
#pragma once
#include "core/tensor/qtensor.h"

namespace lr {

// y (rows × w.rows, row stride w.rows) = x (rows × w.cols) · Wᵀ, plus y's values when `acc`.
// Weight rows are decoded a kc-column segment at a time straight into packed panels (never a
// whole decoded matrix); OpenMP-parallel over (weight rows, activation rows) work items. Each
// output is one FMA chain over the columns in order, starting at 0 or at y: the bits do not
// depend on the kernel path, the thread count, `rows` or how the work is split.
void gemm_packed(const float* x, const QTensor& w, float* y, long rows, bool acc);

}  // namespace lr

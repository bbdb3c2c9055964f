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

// Rows cut into `count` blocks of whole mr-row tiles for `threads` threads: at most
// `tiles_per_block` tiles a block, as many blocks as a multiple of the threads, their sizes
// differing by one tile at most (so no thread waits on a short last block). Block b is
// rows [first(b), first(b + 1)). Shared by the F32 and int8 drivers.
struct RowBlocks {
  long rows, mr, tiles, count;
  RowBlocks(long rows, long mr, long tiles_per_block, long threads);
  long first(long b) const;
};

}  // namespace lr

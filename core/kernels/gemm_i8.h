// --compute int8: matrix products with activations and weights as int8 blocks of 32 (float scales).
#pragma once
#include <cstdint>
#include <string>

#include "core/kernels/compute.h"
#include "core/tensor/qtensor.h"

namespace lr {

// Whether this CPU, under the kernel path in force, has an int8 tile; `why` says what is missing.
bool int8_supported(std::string* why = nullptr);

// The int8 tile of one kernel path: mr activation rows × nr weight rows of y over `nblocks`
// blocks of 32. a: mr rows of u8 (q + 128), row r at a + r·lda; da: their scales, row r at
// da + r·ldd; bp: a packed weight panel (pack layout in gemm_i8.cpp); c row r at c + r·ldc,
// starting from c's values when `load`, else 0.
struct Int8Tile {
  const char* name;
  int mr, nr;
  void (*tile)(long nblocks, const uint8_t* a, long lda, const float* da, long ldd,
               const uint8_t* bp, float* c, long ldc, bool load);
};
namespace kern {
const Int8Tile& int8_tile_scalar();
const Int8Tile* int8_tile_avx512vnni();  // nullptr when not built for x86
const Int8Tile* int8_tile_neon_sdot();   // nullptr unless built for aarch64 with dotprod
}  // namespace kern
// The tile for the kernel path in force; throws Unsupported (naming what is missing) when none.
const Int8Tile& int8_tile();

// y (rows × w.rows) = x · Wᵀ in int8 (+ y when acc). OpenMP-parallel.
void gemm_int8_blocks(const float* x, const QTensor& w, float* y, long rows, bool acc);

}  // namespace lr

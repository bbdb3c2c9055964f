// The int8 GEMM driver: precision choice, block quantization, panel packing and the work split.
#include "core/kernels/gemm_i8.h"

#include <omp.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <vector>

#include "core/kernels/gemm.h"
#include "core/kernels/i8_layout.h"
#include "core/kernels/i8_quant.h"
#include "core/kernels/kernels.h"
#include "core/tensor/quant_blocks.h"
#include "core/util/error.h"

namespace lr {

namespace {
using kern::kI8Block;
constexpr long kNcShared = 256;  // weight rows per packed block shared by all threads
constexpr long kMcTiles = 8;     // activation row tiles per work block

long ceil_div(long a, long b) { return (a + b - 1) / b; }

float quantize_block(const float* x, int n, int8_t* q) {
  return kern::quantize_i8(x, n, kI8Block, q);
}

// Weight rows [j0, j0 + n) into one panel of nr rows (rows past n: zero blocks); `row` holds
// w.cols floats of scratch.
void pack_panel(const QTensor& w, long j0, long n, int nr, long nb, uint8_t* out, float* row) {
  std::memset(out, 0, kern::i8_block_bytes(nr) * nb);
  for (long j = 0; j < n; ++j) {
    const uint8_t* src = w.row(j0 + j);
    if (w.type != DType::Q8_0) w.rows_to_f32(j0 + j, 1, row);
    for (long b = 0; b < nb; ++b) {
      int8_t q[kI8Block];
      float d;
      if (w.type == DType::Q8_0) {  // the file's own blocks: f16 d, int8 q[32]
        d = load_f16(src + b * 34);
        std::memcpy(q, src + b * 34 + 2, kI8Block);
      } else {
        const long k0 = b * kI8Block;
        d = quantize_block(row + k0, static_cast<int>(std::min<long>(kI8Block, w.cols - k0)), q);
      }
      uint8_t* blk = out + b * kern::i8_block_bytes(nr);
      int32_t sum = 0;
      for (int k = 0; k < kI8Block; ++k) sum += q[k];
      for (int g = 0; g < kI8Block / 4; ++g) std::memcpy(blk + (g * nr + j) * 4, q + 4 * g, 4);
      const int32_t comp = 128 * sum;
      std::memcpy(blk + kern::i8_scale_offset(nr) + 4 * j, &d, 4);
      std::memcpy(blk + kern::i8_comp_offset(nr) + 4 * j, &comp, 4);
    }
  }
}
}  // namespace

bool int8_supported(std::string* why) {
  const KernelPath p = active_kernel_path();
  if (p == KernelPath::Scalar) return true;
#if defined(__x86_64__)
  if (p == KernelPath::Avx512 && __builtin_cpu_supports("avx512vnni") &&
      __builtin_cpu_supports("avx512bw"))
    return true;
#endif
  if (p == KernelPath::Neon && kern::int8_tile_neon_sdot()) return true;
  if (why)
    *why = std::string(
               "--compute int8 needs AVX-512 VNNI (x86) or a build with the dotprod "
               "extension (aarch64, -mcpu=cortex-a76 or -march=armv8.2-a+dotprod) under "
               "the kernel path ") +
           kernel_path_name(p) +
           " (this CPU, build or path lacks it; AVX2 has no int8 tile "
           "yet); --kernels scalar runs it in plain C++";
  return false;
}

const Int8Tile& int8_tile() {
  if (!int8_supported()) {  // the reason is spelled out only when it is needed
    std::string why;
    int8_supported(&why);
    fail(ErrorKind::Unsupported, why);
  }
  if (active_kernel_path() == KernelPath::Scalar) return kern::int8_tile_scalar();
  if (active_kernel_path() == KernelPath::Neon) return *kern::int8_tile_neon_sdot();
  return *kern::int8_tile_avx512vnni();
}

void gemm_int8_blocks(const float* x, const QTensor& w, float* y, long rows, bool acc) {
  const Int8Tile& it = int8_tile();
  const int mr = it.mr, nr = it.nr;
  const long K = w.cols, N = w.rows, nb = ceil_div(K, kI8Block), lda = nb * kI8Block;
  thread_local std::vector<uint8_t> qa, panels;
  thread_local std::vector<float> dxa;
  qa.resize(static_cast<size_t>(lda * rows));
  dxa.resize(static_cast<size_t>(nb * rows));
  uint8_t* A = qa.data();
  float* DA = dxa.data();
#pragma omp parallel for schedule(static) if (rows > 1)
  for (long i = 0; i < rows; ++i)
    for (long b = 0; b < nb; ++b) {
      int8_t q[kI8Block];
      const long k0 = b * kI8Block;
      DA[i * nb + b] =
          quantize_block(x + i * K + k0, static_cast<int>(std::min<long>(kI8Block, K - k0)), q);
      for (int k = 0; k < kI8Block; ++k)
        A[i * lda + k0 + k] = static_cast<uint8_t>(static_cast<int>(q[k]) + 128);
    }
  const size_t panel_bytes = kern::i8_block_bytes(nr) * nb;
  panels.resize(panel_bytes * ceil_div(kNcShared, nr));
  uint8_t* P = panels.data();
  const RowBlocks rb(rows, mr, kMcTiles, omp_get_max_threads());
#pragma omp parallel
  {
    thread_local std::vector<float> row, t;
    thread_local std::vector<uint8_t> ea;
    thread_local std::vector<float> ed;
    row.resize(static_cast<size_t>(K));
    t.resize(static_cast<size_t>(mr * nr));
    ea.resize(static_cast<size_t>(mr * lda));
    ed.resize(static_cast<size_t>(mr * nb));
    for (long j0 = 0; j0 < N; j0 += kNcShared) {
      const long n = std::min(kNcShared, N - j0), np = ceil_div(n, nr);
#pragma omp for schedule(static)
      for (long p = 0; p < np; ++p)
        pack_panel(w, j0 + p * nr, std::min<long>(nr, n - p * nr), nr, nb, P + p * panel_bytes,
                   row.data());
#pragma omp for schedule(static)
      for (long ib = 0; ib < rb.count; ++ib) {
        const long i0 = rb.first(ib), i1 = rb.first(ib + 1);
        const long full = i0 + (i1 - i0) / mr * mr, rest = i1 - full;
        if (rest > 0)  // the last partial tile once: missing rows as q = 0 with d = 0
          for (long r = 0; r < mr; ++r) {
            for (long k = 0; k < lda; ++k)
              ea[r * lda + k] = r < rest ? A[(full + r) * lda + k] : 128;
            for (long b = 0; b < nb; ++b)
              ed[r * nb + b] = r < rest ? DA[(full + r) * nb + b] : 0.0f;
          }
        for (long p = 0; p < np; ++p)
          for (long i = i0; i < i1; i += mr) {
            const long rr = std::min<long>(mr, i1 - i), cc = std::min<long>(nr, n - p * nr);
            const uint8_t* a = rr == mr ? A + i * lda : ea.data();
            const float* da = rr == mr ? DA + i * nb : ed.data();
            const uint8_t* panel = P + p * panel_bytes;
            float* c = y + i * N + j0 + p * nr;
            if (rr == mr && cc == nr) {
              it.tile(nb, a, lda, da, nb, panel, c, N, acc);
              continue;
            }
            // an edge of y: C through a full mr × nr buffer
            for (long r = 0; r < mr; ++r)
              for (long q = 0; q < nr; ++q)
                t[r * nr + q] = acc && r < rr && q < cc ? c[r * N + q] : 0.0f;
            it.tile(nb, a, lda, da, nb, panel, t.data(), nr, true);
            for (long r = 0; r < rr; ++r)
              for (long q = 0; q < cc; ++q) c[r * N + q] = t[r * nr + q];
          }
      }
    }
  }
}

}  // namespace lr

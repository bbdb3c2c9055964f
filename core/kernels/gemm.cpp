// The packed GEMM driver: blocking, weight packing (with decoding) and the work split.
#include "core/kernels/gemm.h"

#include <omp.h>

#include <algorithm>
#include <vector>

#include "core/kernels/kernels.h"
#include "core/tensor/quant_blocks.h"

namespace lr {

namespace {
// Columns per pass: K is cut into ceil(K / kKcMax) passes of a multiple of kKcAlign (every
// block size divides it), so y is read and written once per pass, not once per 256 columns.
constexpr long kKcMax = 1024, kKcAlign = 256;
constexpr long kNcShared = 512;  // weight rows per packed block shared by all threads
constexpr long kNcItem = 128;    // weight rows per work item when there are few activation rows
constexpr long kMcTiles = 8;     // activation row tiles per block: mc · kc floats stay in L2

long ceil_div(long a, long b) { return (a + b - 1) / b; }

long pass_columns(long K) {
  const long passes = ceil_div(K, kKcMax);
  return std::min(K, ceil_div(ceil_div(K, passes), kKcAlign) * kKcAlign);
}

// Weight rows [j0, j0 + n), columns [k0, k0 + kc) into panels of nr rows:
// bp[(p·kc + k)·nr + q] = W[j0 + p·nr + q][k0 + k], zero past n. `row`: kc floats of scratch.
void pack_b(const QTensor& w, long j0, long n, long k0, long kc, int nr, float* bp, float* row) {
  const size_t blk = dtype_block(w.type), bb = dtype_block_bytes(w.type);
  const long padded = ceil_div(n, nr) * nr;
  for (long j = 0; j < padded; ++j) {
    float* dst = bp + (j / nr) * kc * nr + j % nr;
    if (j >= n) {
      for (long k = 0; k < kc; ++k) dst[k * nr] = 0.0f;
      continue;
    }
    const float* src = row;
    if (w.type == DType::F32)
      src = w.floats() + (j0 + j) * w.cols + k0;
    else
      to_f32(w.type, w.row(j0 + j) + static_cast<size_t>(k0) / blk * bb, kc, row);
    for (long k = 0; k < kc; ++k) dst[k * nr] = src[k];
  }
}

struct Pass {
  const float* x;  // activation row 0 at column k0
  long ldx;
  float* y;  // output row 0, column 0
  long ldy, kc;
  bool load;    // continue y's values (accumulate, or a later pass)
  float* edge;  // mr · kc floats of scratch for a last partial tile of rows
};

// One tile at the edge of y: a full mr × nr buffer, its rows × cols copied in and out.
void edge_tile(const KernelTable& kt, const Pass& s, const float* a, long lda, const float* b,
               float* c, long rows, long cols) {
  float t[32 * 32];  // mr × nr of every path fits (checked where the tables are built)
  const int mr = kt.gemm_mr, nr = kt.gemm_nr;
  for (int r = 0; r < mr; ++r)
    for (int q = 0; q < nr; ++q)
      t[r * nr + q] = s.load && r < rows && q < cols ? c[r * s.ldy + q] : 0.0f;
  kt.gemm_tile(s.kc, a, lda, b, t, nr, true);
  for (long r = 0; r < rows; ++r)
    for (long q = 0; q < cols; ++q) c[r * s.ldy + q] = t[r * nr + q];
}

// Activation rows [i0, i0 + m) against the packed panels of weight rows [j0, j0 + n). A last
// partial tile of rows is copied, zero-padded, into s.edge once (not once per panel).
void tiles(const KernelTable& kt, const Pass& s, const float* bp, long i0, long m, long j0,
           long n) {
  const int mr = kt.gemm_mr, nr = kt.gemm_nr;
  const long full = m / mr * mr, rest = m - full;
  if (rest > 0)
    for (long r = 0; r < mr; ++r)
      for (long k = 0; k < s.kc; ++k)
        s.edge[r * s.kc + k] = r < rest ? s.x[(i0 + full + r) * s.ldx + k] : 0.0f;
  for (long p = 0; p * nr < n; ++p) {
    const float* b = bp + p * s.kc * nr;
    const long cols = std::min<long>(nr, n - p * nr);
    for (long q = 0; q * mr < m; ++q) {
      const long i = i0 + q * mr, rows = std::min<long>(mr, m - q * mr);
      float* c = s.y + i * s.ldy + j0 + p * nr;
      if (rows == mr && cols == nr)
        kt.gemm_tile(s.kc, s.x + i * s.ldx, s.ldx, b, c, s.ldy, s.load);
      else if (rows == mr)
        edge_tile(kt, s, s.x + i * s.ldx, s.ldx, b, c, rows, cols);
      else
        edge_tile(kt, s, s.edge, s.kc, b, c, rows, cols);
    }
  }
}

// Few activation rows: work items of (kNcItem weight rows × all rows), each packing its panels.
void gemm_items(const KernelTable& kt, const float* x, const QTensor& w, float* y, long rows,
                bool acc) {
  const int nr = kt.gemm_nr;
  const long K = w.cols, N = w.rows, nb = ceil_div(N, kNcItem), kcm = pass_columns(K);
#pragma omp parallel if (nb > 1)
  {
    thread_local std::vector<float> bp, row, edge;
    bp.resize(static_cast<size_t>((kNcItem + nr) * kcm));
    row.resize(static_cast<size_t>(kcm));
    edge.resize(static_cast<size_t>(kt.gemm_mr * kcm));
#pragma omp for schedule(dynamic)
    for (long jb = 0; jb < nb; ++jb) {
      const long j0 = jb * kNcItem, n = std::min(kNcItem, N - j0);
      for (long k0 = 0; k0 < K; k0 += kcm) {
        const Pass s{x + k0, K, y, N, std::min(kcm, K - k0), acc || k0 > 0, edge.data()};
        pack_b(w, j0, n, k0, s.kc, nr, bp.data(), row.data());
        tiles(kt, s, bp.data(), 0, rows, j0, n);
      }
    }
  }
}

// Many activation rows: a block of weight panels packed once by all threads, then blocks of
// kMcTiles row tiles shared out, each run against every panel of the block.
void gemm_shared(const KernelTable& kt, const float* x, const QTensor& w, float* y, long rows,
                 bool acc) {
  const int mr = kt.gemm_mr, nr = kt.gemm_nr;
  const long K = w.cols, N = w.rows, kcm = pass_columns(K);
  const RowBlocks rb(rows, mr, kMcTiles, omp_get_max_threads());
  thread_local std::vector<float> shared;
  shared.resize(static_cast<size_t>(kcm * (kNcShared + nr)));
  float* bp = shared.data();
#pragma omp parallel
  {
    thread_local std::vector<float> row, edge;
    row.resize(static_cast<size_t>(kcm));
    edge.resize(static_cast<size_t>(mr * kcm));
    for (long j0 = 0; j0 < N; j0 += kNcShared) {
      const long n = std::min(kNcShared, N - j0), panels = ceil_div(n, nr);
      for (long k0 = 0; k0 < K; k0 += kcm) {
        const Pass s{x + k0, K, y, N, std::min(kcm, K - k0), acc || k0 > 0, edge.data()};
#pragma omp for schedule(static)
        for (long p = 0; p < panels; ++p)
          pack_b(w, j0 + p * nr, std::min<long>(nr, n - p * nr), k0, s.kc, nr, bp + p * s.kc * nr,
                 row.data());
#pragma omp for schedule(static)
        for (long ib = 0; ib < rb.count; ++ib)
          tiles(kt, s, bp, rb.first(ib), rb.first(ib + 1) - rb.first(ib), j0, n);
      }
    }
  }
}

}  // namespace

RowBlocks::RowBlocks(long rows_, long mr_, long tiles_per_block, long threads)
    : rows(rows_), mr(mr_), tiles(ceil_div(rows_, mr_)) {
  count = ceil_div(ceil_div(tiles, tiles_per_block), threads) * threads;
}

long RowBlocks::first(long b) const { return std::min(rows, b * tiles / count * mr); }

void gemm_packed(const float* x, const QTensor& w, float* y, long rows, bool acc) {
  const KernelTable& kt = kernels();
  if (w.cols == 0) {  // an empty sum
    if (!acc) std::fill(y, y + rows * w.rows, 0.0f);
    return;
  }
  if (rows >= 2L * kMcTiles * kt.gemm_mr)
    gemm_shared(kt, x, w, y, rows, acc);
  else
    gemm_items(kt, x, w, y, rows, acc);
}

}  // namespace lr

// Matrix products with typed weights: the packed GEMM, or ggml-style int8 dots.
#include "core/kernels/matmul.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "core/kernels/gemm.h"
#include "core/kernels/gemm_i8.h"
#include "core/kernels/qdot.h"
#include "core/util/error.h"

namespace lr {

namespace {
constexpr long kDotRows = 16;  // weight rows per int8 work item
constexpr long kDotCols = 64;  // activation rows per int8 work item

std::atomic<int> g_path{-1};

// F16 / BF16 weights under Ggml: activations rounded to the weight's type first.
void gemm_rounded(const float* x, const QTensor& w, float* y, long rows, bool acc) {
  thread_local std::vector<float> xr;
  const size_t n = static_cast<size_t>(rows * w.cols);
  xr.resize(n);
  const bool half = w.type == DType::F16;
  float* r = xr.data();  // this thread's buffer (thread_local names differ inside the region)
#pragma omp parallel for schedule(static) if (n > 65536)
  for (size_t i = 0; i < n; ++i)
    r[i] = half ? f16_to_f32(f32_to_f16(x[i])) : bf16_to_f32(f32_to_bf16(x[i]));
  gemm_packed(r, w, y, rows, acc);
}

// Activations quantized per row, then int8 dots in (16 weight rows × 64 activation rows) items.
void gemm_int8(const float* x, const QTensor& w, float* y, long rows, bool acc) {
  const long in = w.cols, out = w.rows;
  const size_t arow = act_row_bytes(w.type, in);
  thread_local std::vector<uint8_t> qa;
  qa.resize(arow * rows);
  uint8_t* q = qa.data();  // this thread's buffer (thread_local names differ inside the region)
#pragma omp parallel for schedule(static) if (rows > 1)
  for (long i = 0; i < rows; ++i) quantize_act_row(w.type, x + i * in, in, q + i * arow);
  const QDotFn dot = qdot_best().dot;
  const int64_t nb = in / static_cast<int64_t>(dtype_block(w.type));
  const long wt = (out + kDotRows - 1) / kDotRows, xt = (rows + kDotCols - 1) / kDotCols;
  const uint8_t* A = q;
#pragma omp parallel for schedule(static) collapse(2) if (wt * xt > 1)
  for (long a = 0; a < xt; ++a)
    for (long b = 0; b < wt; ++b) {
      const long i1 = std::min(rows, (a + 1) * kDotCols), o1 = std::min(out, (b + 1) * kDotRows);
      for (long o = b * kDotRows; o < o1; ++o) {
        const uint8_t* W = w.row(o);
        for (long i = a * kDotCols; i < i1; ++i) {
          const float v = dot(w.type, W, A + i * arow, nb);
          float& d = y[i * out + o];
          d = acc ? d + v : v;
        }
      }
    }
}

}  // namespace

MatmulPath parse_matmul_path(const char* name) {
  if (std::strcmp(name, "tile") == 0) return MatmulPath::Tile;
  if (std::strcmp(name, "ggml") == 0) return MatmulPath::Ggml;
  fail(ErrorKind::InvalidArgument,
       std::string("bad matmul path '") + name + "' (use tile or ggml; LONGROPE_MATMUL)");
}

const char* matmul_path_name(MatmulPath p) { return p == MatmulPath::Tile ? "tile" : "ggml"; }

MatmulPath matmul_path() {
  int p = g_path.load();
  if (p < 0) {
    const char* env = std::getenv("LONGROPE_MATMUL");
    p = static_cast<int>(env && *env ? parse_matmul_path(env) : MatmulPath::Tile);
    g_path.store(p);
  }
  return static_cast<MatmulPath>(p);
}

void set_matmul_path(MatmulPath p) { g_path.store(static_cast<int>(p)); }

void matmul(const float* x, const QTensor& w, float* y, long rows, bool acc) {
  if (compute_precision() == Compute::Int8) return gemm_int8_blocks(x, w, y, rows, acc);
  matmul(x, w, y, rows, acc, w.type == DType::F32 ? MatmulPath::Tile : matmul_path());
}

void matmul(const float* x, const QTensor& w, float* y, long rows, bool acc, MatmulPath path) {
  if (w.type == DType::F32 || path == MatmulPath::Tile) return gemm_packed(x, w, y, rows, acc);
  if (w.type == DType::F16 || w.type == DType::BF16) return gemm_rounded(x, w, y, rows, acc);
  gemm_int8(x, w, y, rows, acc);
}

}  // namespace lr

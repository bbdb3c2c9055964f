// The packed GEMM against one plain FMA chain per output, bit for bit: every kernel path, thread
// count, work split (few and many rows), column pass, edge tile, accumulate, and weight type.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "core/kernels/gemm.h"
#include "core/kernels/kernels.h"
#include "core/kernels/matmul.h"
#include "core/tensor/quant_blocks.h"
#include "core/util/parallel.h"
#include "tests/unit/gemm_test_util.h"

namespace lr {
namespace {

using test::make_weights;
using test::randn;

// y[i][j] = y0 + Σ_k x[i][k]·W[j][k] as one fmaf chain in k order (y0 = 0, or y's value).
std::vector<float> reference(const std::vector<float>& x, const QTensor& w, long rows,
                             std::vector<float> y, bool acc) {
  std::vector<float> wf(static_cast<size_t>(w.rows * w.cols));
  w.rows_to_f32(0, w.rows, wf.data());
  for (long i = 0; i < rows; ++i)
    for (long j = 0; j < w.rows; ++j) {
      float c = acc ? y[i * w.rows + j] : 0.0f;
      for (long k = 0; k < w.cols; ++k) c = std::fma(x[i * w.cols + k], wf[j * w.cols + k], c);
      y[i * w.rows + j] = c;
    }
  return y;
}

void expect_same_bits(const std::vector<float>& a, const std::vector<float>& b,
                      const std::string& what) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i)
    if (std::memcmp(&a[i], &b[i], 4) != 0) {
      ADD_FAILURE() << what << ": first difference at " << i << ": " << a[i] << " vs " << b[i];
      return;
    }
}

// rows: 1 and 5 (work items), 97 (items on wide paths), 203 (shared panels on every path);
// cols: one pass, 2 passes (1100 = 768 + 332), 3 passes; weight rows not a multiple of any NR.
TEST(GemmPacked, EqualsOneFmaChainPerOutput) {
  struct Shape {
    long rows, n, k;
  };
  const Shape shapes[] = {{1, 37, 320}, {5, 130, 96}, {97, 515, 1100}, {203, 70, 2112}};
  for (const Shape& sh : shapes) {
    const test::Weights w = make_weights(DType::F32, sh.n, sh.k, sh.rows);
    const auto x = randn(static_cast<size_t>(sh.rows * sh.k), sh.n);
    const auto y0 = randn(static_cast<size_t>(sh.rows * sh.n), sh.k);
    for (bool acc : {false, true}) {
      const auto ref = reference(x, w.tensor(), sh.rows, y0, acc);
      for (KernelPath p : supported_kernel_paths())
        for (int threads : {1, 2}) {
          set_kernel_path(kernel_path_name(p));
          set_threads(threads);
          auto y = y0;
          gemm_packed(x.data(), w.tensor(), y.data(), sh.rows, acc);
          expect_same_bits(y, ref,
                           std::string(kernel_path_name(p)) + " rows " + std::to_string(sh.rows) +
                               " n " + std::to_string(sh.n) + " k " + std::to_string(sh.k) +
                               (acc ? " acc" : "") + " threads " + std::to_string(threads));
        }
    }
  }
  set_kernel_path("auto");
  set_threads(0);
}

// Typed weights decode panel by panel: the same bits as decoding the whole matrix first.
TEST(GemmPacked, TypedWeightsEqualDecodedF32) {
  for (DType t : {DType::F16, DType::BF16, DType::Q8_0, DType::Q4_K, DType::Q6_K}) {
    const long rows = 150, n = 40, k = 1280;  // 2 passes of 768 and 512 columns
    const test::Weights w = make_weights(t, n, k, 7);
    const auto x = randn(static_cast<size_t>(rows * k), 1);
    const auto ref = reference(x, w.tensor(), rows, std::vector<float>(rows * n), false);
    for (KernelPath p : supported_kernel_paths()) {
      set_kernel_path(kernel_path_name(p));
      std::vector<float> y(static_cast<size_t>(rows * n));
      matmul(x.data(), w.tensor(), y.data(), rows, false, MatmulPath::Tile);
      expect_same_bits(y, ref, std::string(dtype_name(t)) + " " + kernel_path_name(p));
    }
  }
  set_kernel_path("auto");
}

}  // namespace
}  // namespace lr

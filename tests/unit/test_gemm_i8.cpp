// --compute int8: the int8 GEMM against its definition written out here (bit for bit), on every
// path that has an int8 tile, thread count, edge and weight type; its error against F32.
#include <gtest/gtest.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <random>
#include <vector>

#include "core/kernels/gemm_i8.h"
#include "core/kernels/kernels.h"
#include "core/kernels/matmul.h"
#include "core/tensor/quant_blocks.h"
#include "core/util/error.h"
#include "core/util/parallel.h"
#include "tests/unit/gemm_test_util.h"

namespace lr {
namespace {

using test::make_weights;
using test::randn;

// The definition (gemm_i8.h): blocks of 32, d = amax/127, q = nearbyint(x · (1/d)) in ±127;
// Q8_0 weights keep their blocks; y = y0 + Σ_b fma chain of float(Σ q_x q_w) · (d_x · d_w).
float quant(const float* x, int n, int8_t* q) {
  float amax = 0;
  for (int i = 0; i < n; ++i)
    amax = std::isnan(x[i]) || std::isnan(amax) ? NAN : std::max(amax, std::fabs(x[i]));
  float d = amax / 127.0f;
  if (d < FLT_MIN) d = 0;
  const float id = d >= FLT_MIN ? 1.0f / d : 0.0f;
  for (int i = 0; i < 32; ++i) {
    const float v = i < n ? std::nearbyint(x[i] * id) : 0.0f;
    q[i] = std::isnan(v) ? 0 : static_cast<int8_t>(std::clamp(v, -127.0f, 127.0f));
  }
  return d;
}

std::vector<float> reference(const std::vector<float>& x, const QTensor& w, long rows,
                             std::vector<float> y, bool acc) {
  const long K = w.cols, nb = (K + 31) / 32;
  std::vector<float> wf(static_cast<size_t>(w.rows * K));
  w.rows_to_f32(0, w.rows, wf.data());
  std::vector<int8_t> qw(w.rows * nb * 32), qx(32);
  std::vector<float> dw(w.rows * nb);
  for (long j = 0; j < w.rows; ++j)
    for (long b = 0; b < nb; ++b) {
      if (w.type == DType::Q8_0) {
        dw[j * nb + b] = load_f16(w.row(j) + b * 34);
        std::memcpy(&qw[(j * nb + b) * 32], w.row(j) + b * 34 + 2, 32);
      } else {
        dw[j * nb + b] = quant(&wf[j * K + b * 32], static_cast<int>(std::min(32L, K - b * 32)),
                               &qw[(j * nb + b) * 32]);
      }
    }
  for (long i = 0; i < rows; ++i) {
    std::vector<int8_t> qa(nb * 32);
    std::vector<float> da(nb);
    for (long b = 0; b < nb; ++b)
      da[b] = quant(&x[i * K + b * 32], static_cast<int>(std::min(32L, K - b * 32)), &qa[b * 32]);
    for (long j = 0; j < w.rows; ++j) {
      float c = acc ? y[i * w.rows + j] : 0.0f;
      for (long b = 0; b < nb; ++b) {
        int32_t s = 0;
        for (int k = 0; k < 32; ++k) s += qa[b * 32 + k] * qw[(j * nb + b) * 32 + k];
        c = std::fma(static_cast<float>(s), da[b] * dw[j * nb + b], c);
      }
      y[i * w.rows + j] = c;
    }
  }
  return y;
}

// The paths with an int8 tile here (scalar always).
std::vector<KernelPath> int8_paths() {
  std::vector<KernelPath> out;
  for (KernelPath p : supported_kernel_paths()) {
    set_kernel_path(kernel_path_name(p));
    if (int8_supported()) out.push_back(p);
  }
  set_kernel_path("auto");
  return out;
}

// rows 1, 5 and 203 (edge tiles, several row blocks); K 172 (a partial last block, like
// stories260K's hidden size), 96 and 896; weight rows not a multiple of any tile width.
TEST(GemmInt8, EqualsItsDefinitionOnEveryPath) {
  struct Case {
    DType type;
    long rows, n, k;
  };
  const Case cases[] = {{DType::F32, 1, 37, 172},    {DType::F32, 5, 70, 96},
                        {DType::Q8_0, 203, 70, 896}, {DType::F16, 203, 33, 172},
                        {DType::Q4_K, 64, 40, 512},  {DType::Q8_0, 7, 300, 256}};
  for (const Case& cs : cases) {
    const test::Weights w = make_weights(cs.type, cs.n, cs.k, cs.rows);
    const auto x = randn(static_cast<size_t>(cs.rows * cs.k), cs.n);
    const auto y0 = randn(static_cast<size_t>(cs.rows * cs.n), cs.k);
    for (bool acc : {false, true}) {
      const auto ref = reference(x, w.tensor(), cs.rows, y0, acc);
      for (KernelPath p : int8_paths())
        for (int threads : {1, 2}) {
          set_kernel_path(kernel_path_name(p));
          set_threads(threads);
          auto y = y0;
          gemm_int8_blocks(x.data(), w.tensor(), y.data(), cs.rows, acc);
          for (size_t i = 0; i < y.size(); ++i)
            if (std::memcmp(&y[i], &ref[i], 4) != 0) {
              ADD_FAILURE() << dtype_name(cs.type) << " " << kernel_path_name(p) << " rows "
                            << cs.rows << " k " << cs.k << (acc ? " acc" : "") << " threads "
                            << threads << ": first difference at " << i << ": " << y[i] << " vs "
                            << ref[i];
              break;
            }
        }
    }
  }
  set_kernel_path("auto");
  set_threads(0);
}

// Against F32: the relative error of each output stays at int8's level (1/127 per factor,
// averaged over K products), far from 0 and far from 1.
TEST(GemmInt8, CloseToF32) {
  const long rows = 64, n = 96, k = 896;
  const test::Weights w = make_weights(DType::F32, n, k, 5);
  const auto x = randn(static_cast<size_t>(rows * k), 6);
  std::vector<float> yf(rows * n), yi(rows * n);
  matmul(x.data(), w.tensor(), yf.data(), rows, false, MatmulPath::Tile);
  gemm_int8_blocks(x.data(), w.tensor(), yi.data(), rows, false);
  double num = 0, den = 0;
  for (size_t i = 0; i < yf.size(); ++i)
    num += (yi[i] - yf[i]) * (yi[i] - yf[i]), den += yf[i] * yf[i];
  const double rel = std::sqrt(num / den);
  EXPECT_LT(rel, 0.01);
  EXPECT_GT(rel, 1e-4);  // really int8
}

// A NaN activation makes its outputs NaN (as in f32); a block of values below 127·FLT_MIN counts
// as zero (1/d would overflow), not as ±127.
TEST(GemmInt8, NanAndTinyBlocks) {
  const long k = 64, n = 8;
  const test::Weights w = make_weights(DType::F32, n, k, 9);
  auto x = randn(static_cast<size_t>(2 * k), 10);
  x[5] = NAN;                                        // row 0, block 0
  for (long i = 32; i < 64; ++i) x[k + i] = 1e-39f;  // row 1, block 1: tiny
  std::vector<float> y(2 * n), ref(2 * n);
  gemm_int8_blocks(x.data(), w.tensor(), y.data(), 2, false);
  auto x1 = x;
  for (long i = 32; i < 64; ++i) x1[k + i] = 0.0f;
  gemm_int8_blocks(x1.data() + k, w.tensor(), ref.data() + n, 1, false);
  for (long j = 0; j < n; ++j) {
    EXPECT_TRUE(std::isnan(y[j])) << j;
    EXPECT_EQ(y[n + j], ref[n + j]) << j;
  }
}

TEST(GemmInt8, PrecisionNames) {
  EXPECT_EQ(parse_compute("f32"), Compute::F32);
  EXPECT_EQ(parse_compute("int8"), Compute::Int8);
  EXPECT_THROW(parse_compute("bf16"), Error);
  EXPECT_THROW(parse_compute("fp8"), Error);
  set_compute_precision(Compute::Int8);
  EXPECT_NE(numerics_signature().find("compute int8"), std::string::npos);
  set_compute_precision(Compute::F32);
  EXPECT_EQ(numerics_signature().find("compute"), std::string::npos);
}

}  // namespace
}  // namespace lr

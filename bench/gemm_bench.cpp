// GEMM-only benchmark: each distinct per-layer matrix of a shape through the engine's matmul.
#include "bench/gemm_bench.h"

#include <algorithm>
#include <chrono>
#include <map>
#include <utility>
#include <vector>

#include "bench/random_blocks.h"
#include "core/kernels/matmul.h"
#include "core/tensor/qtensor.h"

namespace lr::bench {

std::vector<GemmRow> bench_gemms(const Shape& s, FileType ft, int tokens, int reps, uint64_t seed) {
  std::map<std::pair<std::string, DType>, GemmRow> distinct;  // ordered: stable output
  for (const auto& t : plan_tensors(s, ft)) {
    if (t.norm || t.name.rfind("blk.", 0) != 0) continue;
    const std::string matrix = t.name.substr(t.name.find('.', 4) + 1);
    auto [it, fresh] = distinct.try_emplace({matrix, t.type});
    if (fresh) it->second = {matrix, dtype_name(t.type), t.shape[0], t.shape[1], 0, 0, 0};
    ++it->second.layers;
  }
  Rng rng(stream_seed(seed, 0));
  std::vector<float> x(static_cast<size_t>(tokens) *
                       static_cast<size_t>(std::max(s.ffn, s.hidden)));
  random_tensor(DType::F32, x.size(), 1.0f, rng, reinterpret_cast<uint8_t*>(x.data()));
  std::vector<GemmRow> out;
  uint64_t stream = 1;
  for (auto& [key, row] : distinct) {
    const DType type = key.second;
    std::vector<uint8_t> w(dtype_bytes(type, static_cast<size_t>(row.rows * row.cols)));
    Rng wr(stream_seed(seed, stream++));
    random_tensor(type, static_cast<size_t>(row.rows * row.cols), 0.02f, wr, w.data());
    const QTensor q = QTensor::make(type, w.data(), row.rows, row.cols);
    std::vector<float> y(static_cast<size_t>(tokens) * static_cast<size_t>(row.rows));
    double best = 1e300;
    for (int r = 0; r <= reps; ++r) {  // r = 0 warms up
      const auto t0 = std::chrono::steady_clock::now();
      matmul(x.data(), q, y.data(), tokens);
      const double dt =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (r > 0) best = std::min(best, dt);
    }
    row.seconds = best;
    row.gflops = 2.0 * tokens * static_cast<double>(row.rows) * row.cols / best / 1e9;
    out.push_back(row);
  }
  return out;
}

double weighted_gflops(const std::vector<GemmRow>& rows, int tokens) {
  double flops = 0, seconds = 0;
  for (const auto& r : rows) {
    flops += r.layers * 2.0 * tokens * static_cast<double>(r.rows) * r.cols;
    seconds += r.layers * r.seconds;
  }
  return seconds > 0 ? flops / seconds / 1e9 : 0;
}

}  // namespace lr::bench

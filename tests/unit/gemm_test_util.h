// Shared pieces of the GEMM tests: seeded weight matrices of any type and normal activations.
#pragma once
#include <cstdint>
#include <random>
#include <vector>

#include "bench/random_blocks.h"
#include "core/tensor/dtype.h"
#include "core/tensor/qtensor.h"

namespace lr::test {

// A rows × cols weight matrix of type t (valid random blocks, spread 0.05) and its view.
struct Weights {
  DType type;
  long rows, cols;
  std::vector<uint8_t> bytes;
  QTensor tensor() const { return {type, bytes.data(), rows, cols, bytes.size() / rows}; }
};

inline Weights make_weights(DType t, long rows, long cols, uint64_t seed) {
  Weights w{t, rows, cols, {}};
  w.bytes.resize(static_cast<size_t>(cols) / dtype_block(t) * dtype_block_bytes(t) * rows);
  bench::Rng rng(seed);
  bench::random_tensor(t, static_cast<size_t>(rows * cols), 0.05f, rng, w.bytes.data());
  return w;
}

// n standard normal floats from a seed.
inline std::vector<float> randn(size_t n, uint64_t seed) {
  std::mt19937 rng(static_cast<unsigned>(seed));
  std::normal_distribution<float> d(0.0f, 1.0f);
  std::vector<float> v(n);
  for (auto& e : v) e = d(rng);
  return v;
}

}  // namespace lr::test

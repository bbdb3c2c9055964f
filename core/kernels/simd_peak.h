// The FMA throughput probe written once over a vector trait V: the peak the kernels compare to.
#pragma once
// Independent accumulator chains of a·x + c on registers only (no loads, no stores, no
// dependency between chains), at least FMA latency × FMA pipes: 16 where there are 32 vector
// registers (AVX-512, NEON: enough for 4 pipes of latency 4, as Neoverse V1/V2), 12 with AVX2's
// 16 registers (x86 cores need 8: 2 pipes of latency 4).
// Include only from the instruction-set .cpp files, after the vec header.
#include "core/kernels/kernels.h"

namespace lr::kern {

template <class V>
struct SimdPeak {
  using F = typename V::F;
  static constexpr int kChains = V::W == 8 ? 12 : 16;

  // Runs `iters` rounds of kChains vector FMAs; returns the FLOPs done (2 per lane per FMA).
  // The sum of the chains goes to *sink.
  static double fma_loop(long iters, float* sink) {
    F acc[kChains];
    for (int c = 0; c < kChains; ++c) acc[c] = V::set1(0.001f * static_cast<float>(c));
    const F a = V::set1(0.999999f), b = V::set1(1e-7f);
    for (long i = 0; i < iters; ++i)
      for (int c = 0; c < kChains; ++c) acc[c] = V::fma(acc[c], a, b);
    for (int c = 1; c < kChains; ++c) acc[0] = V::add(acc[0], acc[c]);
    alignas(64) float out[V::W];
    V::store(out, acc[0]);
    *sink = out[0];  // keeps the loop
    return 2.0 * V::W * kChains * static_cast<double>(iters);
  }
};

}  // namespace lr::kern

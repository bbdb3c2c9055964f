// FMA-peak probe and attention-alone timing for the speed benchmarks (bench/peak_bench.h).
#include "bench/peak_bench.h"

#include <omp.h>

#include <algorithm>
#include <chrono>
#include <random>

#include "core/engine/attention.h"
#include "core/kernels/kernels.h"
#include "core/util/error.h"

namespace lr::bench {

namespace {

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

double fma_peak_gflops(int threads, double seconds, int reps) {
  if (threads < 1 || reps < 1 || !(seconds > 0))
    fail(ErrorKind::InvalidArgument, "fma peak: threads, reps and seconds must be positive");
  const KernelTable& kt = kernels();
  float sink = 0;
  // Rounds for ~`seconds` on one thread, from a short timed pass.
  long iters = 1 << 16;
  for (;;) {
    const double t0 = now();
    kt.fma_loop(iters, &sink);
    const double dt = now() - t0;
    if (dt > 0.02 || iters > (1L << 40)) {
      iters = std::max(1L, static_cast<long>(static_cast<double>(iters) * seconds / dt));
      break;
    }
    iters *= 4;
  }
  double best = 0;
  std::vector<float> sinks(static_cast<size_t>(threads));
  for (int r = 0; r < reps; ++r) {
    double flops = 0;
    const double t0 = now();
#pragma omp parallel num_threads(threads) reduction(+ : flops)
    flops += kt.fma_loop(iters, &sinks[static_cast<size_t>(omp_get_thread_num())]);
    best = std::max(best, flops / (now() - t0) / 1e9);
  }
  return best;
}

AttentionTiming bench_attention(const AttentionCase& c, int reps) {
  if (c.tokens < 1 || c.head_dim < 1 || c.kv_heads < 1 || c.heads % c.kv_heads != 0 || reps < 1)
    fail(ErrorKind::InvalidArgument,
         "attention bench: tokens, head_dim, reps >= 1 and heads a multiple of kv_heads");
  AttentionShape s;
  s.n = c.tokens;
  s.n_heads = c.heads;
  s.n_kv_heads = c.kv_heads;
  s.head_dim = c.head_dim;
  const long n = c.tokens;
  std::vector<float> q(n * c.heads * c.head_dim), k(n * c.kv_heads * c.head_dim), v(k.size()),
      out(q.size());
  std::mt19937 rng(7);
  std::normal_distribution<float> nd(0.0f, 1.0f);
  for (auto* a : {&q, &k, &v})
    for (float& x : *a) x = nd(rng);
  AttentionTiming t;
  t.flops = static_cast<double>(c.heads) * 4.0 * static_cast<double>(n) * static_cast<double>(n) /
            2.0 * c.head_dim;
  t.seconds = 1e300;
  const int warm = c.tokens <= 8192 ? 1 : 0;  // long passes are minutes: their start is noise
  for (int r = 0; r < reps + warm; ++r) {
    const double t0 = now();
    attention_tiled(q.data(), k.data(), v.data(), out.data(), s);
    if (r >= warm) t.seconds = std::min(t.seconds, now() - t0);
  }
  t.gflops = t.flops / t.seconds / 1e9;
  return t;
}

}  // namespace lr::bench

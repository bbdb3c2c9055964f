// Tiled causal attention: (head, query block) tasks across threads, each computed by the kernel
// table (online softmax, GQA reading the shared K/V in place); and its naive reference.
#include "core/engine/attention.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/kernels/compute.h"

namespace lr {

AttnBlock attention_task(const float* q, const float* k, const float* v, float* out,
                         const AttentionShape& s, long task) {
  const int hd = s.head_dim, qd = s.n_heads * hd, kvd = s.n_kv_heads * hd;
  const int h = static_cast<int>(task % s.n_heads), g = h / (s.n_heads / s.n_kv_heads);
  const int q0 = static_cast<int>(task / s.n_heads) * kAttnQueryTile;
  AttnBlock b;
  b.q = q + static_cast<long>(q0) * qd + h * hd;
  b.q_stride = qd;
  b.k = k + g * hd;
  b.v = v + g * hd;
  b.kv_stride = kvd;
  b.out = out + static_cast<long>(q0) * qd + h * hd;
  b.out_stride = qd;
  b.bq = std::min(kAttnQueryTile, s.n - q0);
  b.q0 = q0;
  // keys before the window of the first query row are never read (tile-aligned start)
  b.k_begin = s.window > 0 ? std::max(0, q0 - s.window + 1) / kAttnKeyTile * kAttnKeyTile : 0;
  b.window = s.window;
  b.head_dim = hd;
  b.scale = 1.0f / std::sqrt(static_cast<float>(hd));
  return b;
}

long attention_tasks(const AttentionShape& s) {
  return static_cast<long>(s.n_heads) * ((s.n + kAttnQueryTile - 1) / kAttnQueryTile);
}

void attention_tiled(const float* q, const float* k, const float* v, float* out,
                     const AttentionShape& s) {
  if (compute_precision() == Compute::Int8) return attention_tiled_i8(q, k, v, out, s);
  const KernelTable& kt = kernels();
  const long tasks = attention_tasks(s);
#pragma omp parallel
  {
    std::vector<float> scratch(attention_block_scratch_floats(s.head_dim));
#pragma omp for schedule(dynamic, 1)
    for (long task = tasks - 1; task >= 0; --task) {  // longest (last) query blocks first
      AttnBlock b = attention_task(q, k, v, out, s, task);
      b.scratch = scratch.data();
      kt.attention_block(b);
    }
  }
}

size_t attention_scratch_bytes(int head_dim) {
  return sizeof(float) * attention_block_scratch_floats(head_dim);
}

void attention_naive(const float* q, const float* k, const float* v, float* out,
                     const AttentionShape& s) {
  const int hd = s.head_dim, qd = s.n_heads * hd, kvd = s.n_kv_heads * hd;
  const int group = s.n_heads / s.n_kv_heads;
  std::vector<double> sc(s.n), acc(hd);
  for (int h = 0; h < s.n_heads; ++h) {
    const int g = h / group;
    for (int i = 0; i < s.n; ++i) {
      const int j0 = s.window > 0 ? std::max(0, i - s.window + 1) : 0;
      double mx = -1e300;
      for (int j = j0; j <= i; ++j) {
        double d = 0;
        for (int t = 0; t < hd; ++t)
          d += static_cast<double>(q[static_cast<long>(i) * qd + h * hd + t]) *
               k[static_cast<long>(j) * kvd + g * hd + t];
        sc[j] = d / std::sqrt(static_cast<double>(hd));
        mx = std::max(mx, sc[j]);
      }
      double z = 0;
      std::fill(acc.begin(), acc.end(), 0.0);
      for (int j = j0; j <= i; ++j) {
        const double p = std::exp(sc[j] - mx);
        z += p;
        for (int t = 0; t < hd; ++t) acc[t] += p * v[static_cast<long>(j) * kvd + g * hd + t];
      }
      for (int t = 0; t < hd; ++t)
        out[static_cast<long>(i) * qd + h * hd + t] = static_cast<float>(acc[t] / z);
    }
  }
}

}  // namespace lr

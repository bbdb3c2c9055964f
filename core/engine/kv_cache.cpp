// KV cache storage and single-query attention against it (the decode step of generation).
#include "core/engine/kv_cache.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "core/kernels/kernels.h"
#include "core/util/error.h"

namespace lr {

void KvCache::reset(const ModelConfig& c, int cap) {
  if (cap <= 0) fail(ErrorKind::InvalidArgument, "KV cache capacity must be > 0");
  n_layers = c.n_layers;
  kv_dim = c.kv_dim();
  capacity = cap;
  len = 0;
  const size_t n = static_cast<size_t>(n_layers) * cap * kv_dim;
  k.assign(n, 0.0f);
  v.assign(n, 0.0f);
}

void attention_cached(const float* q, float* out, int rows, int pos0, const KvCache& cache,
                      int layer, int n_heads, int n_kv_heads, int head_dim, int window) {
  const KernelTable& kt = kernels();
  const int hd = head_dim, qd = n_heads * hd, kvd = cache.kv_dim;
  const int group = n_heads / n_kv_heads;
  const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
  const long tasks = static_cast<long>(rows) * n_heads;
#pragma omp parallel if (tasks * (pos0 + rows) > 32768)
  {
    std::vector<float> scratch(attention_row_scratch_floats(pos0 + rows, hd));
#pragma omp for schedule(static)
    for (long task = 0; task < tasks; ++task) {
      const int r = static_cast<int>(task / n_heads), h = static_cast<int>(task % n_heads);
      const int pos = pos0 + r, g = h / group;
      const int j0 = window > 0 ? std::max(0, pos - window + 1) : 0;
      AttnRow a;
      a.q = q + static_cast<long>(r) * qd + h * hd;
      a.k = cache.k_at(layer, j0) + g * hd;
      a.v = cache.v_at(layer, j0) + g * hd;
      a.kv_stride = kvd;
      a.nk = pos + 1 - j0;
      a.head_dim = hd;
      a.scale = scale;
      a.out = out + static_cast<long>(r) * qd + h * hd;
      a.scratch = scratch.data();
      kt.attention_row(a);
    }
  }
}

}  // namespace lr

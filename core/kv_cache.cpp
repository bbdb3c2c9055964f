// KV cache storage and single-query attention against it (the decode step of generation).
#include "kv_cache.h"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>

#include "error.h"

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
  using MatRM = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  using KMap = Eigen::Map<const MatRM, 0, Eigen::OuterStride<>>;
  const int hd = head_dim, qd = n_heads * hd, kvd = cache.kv_dim;
  const int group = n_heads / n_kv_heads;
  const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
  const long tasks = static_cast<long>(rows) * n_heads;
#pragma omp parallel for schedule(static) if (tasks * (pos0 + rows) > 32768)
  for (long task = 0; task < tasks; ++task) {
    const int r = static_cast<int>(task / n_heads), h = static_cast<int>(task % n_heads);
    const int pos = pos0 + r, g = h / group;
    const int j0 = window > 0 ? std::max(0, pos - window + 1) : 0;
    const int nk = pos + 1 - j0;
    KMap K(cache.k_at(layer, j0) + g * hd, nk, hd, Eigen::OuterStride<>(kvd));
    KMap V(cache.v_at(layer, j0) + g * hd, nk, hd, Eigen::OuterStride<>(kvd));
    Eigen::Map<const Eigen::VectorXf> qv(q + static_cast<long>(r) * qd + h * hd, hd);
    Eigen::VectorXf s = (K * qv) * scale;  // (nk) scores
    const float mx = s.maxCoeff();
    s = (s.array() - mx).exp();
    const float z = s.sum();
    Eigen::Map<Eigen::VectorXf> o(out + static_cast<long>(r) * qd + h * hd, hd);
    o.noalias() = V.transpose() * s;
    o /= z;
  }
}

}  // namespace lr

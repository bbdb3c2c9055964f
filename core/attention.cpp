// Flash-style tiled attention (Eigen tiles, online softmax) and its naive reference.
#include "attention.h"

#include <omp.h>

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "kernels.h"

namespace lr {

namespace {
using MatRM = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using CMap = Eigen::Map<const MatRM, 0, Eigen::OuterStride<>>;
using Map = Eigen::Map<MatRM, 0, Eigen::OuterStride<>>;
constexpr int kBq = kAttnQueryTile;
constexpr int kBk = kAttnKeyTile;
}  // namespace

void attention_tiled(const float* q, const float* k, const float* v, float* out,
                     const AttentionShape& s) {
  const int hd = s.head_dim, qd = s.n_heads * hd, kvd = s.n_kv_heads * hd;
  const int group = s.n_heads / s.n_kv_heads;
  const int n_qb = (s.n + kBq - 1) / kBq;
  const float scale = 1.0f / std::sqrt(static_cast<float>(hd));
  const float neg_inf = -std::numeric_limits<float>::infinity();
  const long tasks = static_cast<long>(s.n_heads) * n_qb;

#pragma omp parallel
  {
    MatRM S(kBq, kBk), O(kBq, hd), Qs(kBq, hd);
    std::vector<float> m(kBq), l(kBq);
#pragma omp for schedule(dynamic, 1)
    for (long task = tasks - 1; task >= 0; --task) {  // longest (last) query blocks first
      const int h = static_cast<int>(task % s.n_heads);
      const int qb = static_cast<int>(task / s.n_heads);
      const int q0 = qb * kBq, bq = std::min(kBq, s.n - q0);
      const int g = h / group;
      Qs.topRows(bq) =
          CMap(q + static_cast<long>(q0) * qd + h * hd, bq, hd, Eigen::OuterStride<>(qd)) * scale;
      O.setZero();
      std::fill(m.begin(), m.end(), neg_inf);
      std::fill(l.begin(), l.end(), 0.0f);
      const int k_end = q0 + bq;  // exclusive: causal
      int k_begin = 0;
      if (s.window > 0) k_begin = std::max(0, q0 - s.window + 1) / kBk * kBk;
      for (int k0 = k_begin; k0 < k_end; k0 += kBk) {
        const int bk = std::min(kBk, k_end - k0);
        CMap K(k + static_cast<long>(k0) * kvd + g * hd, bk, hd, Eigen::OuterStride<>(kvd));
        CMap V(v + static_cast<long>(k0) * kvd + g * hd, bk, hd, Eigen::OuterStride<>(kvd));
        auto St = S.topLeftCorner(bq, bk);
        St.noalias() = Qs.topRows(bq) * K.transpose();
        // Only tiles crossing the diagonal or the window edge need a mask.
        const bool causal_edge = k0 + bk - 1 > q0;
        const bool window_edge = s.window > 0 && (q0 + bq - 1) - k0 >= s.window;
        const bool edge = causal_edge || window_edge;
        auto masked = [&](int i, int j) {
          const int qi = q0 + i, kj = k0 + j;
          return kj > qi || (s.window > 0 && qi - kj >= s.window);
        };
        if (edge) {
          for (int i = 0; i < bq; ++i)
            for (int j = 0; j < bk; ++j)
              if (masked(i, j)) St(i, j) = neg_inf;
        }
        for (int i = 0; i < bq; ++i) {
          float* row = St.row(i).data();
          const float mx = std::max(m[i], St.row(i).maxCoeff());
          if (mx == neg_inf) {  // every key of this tile is masked for this row
            std::fill(row, row + bk, 0.0f);
            continue;
          }
          const float corr = std::exp(m[i] - mx);
          float sum = exp_sub_sum(row, bk, mx);
          if (edge) {  // masked entries must weigh exactly 0
            for (int j = 0; j < bk; ++j)
              if (masked(i, j)) {
                sum -= row[j];
                row[j] = 0.0f;
              }
          }
          l[i] = l[i] * corr + sum;
          m[i] = mx;
          O.row(i) *= corr;
        }
        O.topRows(bq).noalias() += St * V;
      }
      Map Out(out + static_cast<long>(q0) * qd + h * hd, bq, hd, Eigen::OuterStride<>(qd));
      for (int i = 0; i < bq; ++i) Out.row(i) = O.row(i) / l[i];
    }
  }
}

size_t attention_scratch_bytes(int head_dim) {
  // S (kBq, kBk), O and Qs (kBq, head_dim), m and l (kBq), all float: as allocated above.
  return sizeof(float) * (static_cast<size_t>(kBq) * kBk + 2 * static_cast<size_t>(kBq) * head_dim +
                          2 * static_cast<size_t>(kBq));
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

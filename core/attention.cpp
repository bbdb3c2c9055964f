// Flash-style tiled attention (Eigen tiles, online softmax) and its naive reference.
#include "attention.h"

#include <omp.h>

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace lr {

namespace {
using MatRM = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using CMap = Eigen::Map<const MatRM, 0, Eigen::OuterStride<>>;
using Map = Eigen::Map<MatRM, 0, Eigen::OuterStride<>>;
constexpr int kBq = 64;   // query rows per tile
constexpr int kBk = 128;  // keys per tile
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
    MatRM S(kBq, kBk), O(kBq, hd);
    std::vector<float> m(kBq), l(kBq);
#pragma omp for schedule(dynamic, 1)
    for (long task = tasks - 1; task >= 0; --task) {  // longest (last) query blocks first
      const int h = static_cast<int>(task % s.n_heads);
      const int qb = static_cast<int>(task / s.n_heads);
      const int q0 = qb * kBq, bq = std::min(kBq, s.n - q0);
      const int g = h / group;
      CMap Q(q + static_cast<long>(q0) * qd + h * hd, bq, hd, Eigen::OuterStride<>(qd));
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
        St.noalias() = Q * K.transpose();
        for (int i = 0; i < bq; ++i) {
          const int qi = q0 + i;
          float* row = St.row(i).data();
          float mx = m[i];
          for (int j = 0; j < bk; ++j) {
            const int kj = k0 + j;
            const bool masked = kj > qi || (s.window > 0 && qi - kj >= s.window);
            row[j] = masked ? neg_inf : row[j] * scale;
            mx = std::max(mx, row[j]);
          }
          if (mx == neg_inf) {  // every key of this tile is masked for this row
            std::fill(row, row + bk, 0.0f);
            continue;
          }
          const float corr = std::exp(m[i] - mx);
          float sum = 0.0f;
          for (int j = 0; j < bk; ++j) {
            row[j] = std::exp(row[j] - mx);
            sum += row[j];
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

// Scalar reference of the attention kernels (prefill tile task and decode row).
#include <cmath>

#include "core/kernels/kernels.h"
#include "core/kernels/scalar_ops.h"

namespace lr::kern {

namespace {
constexpr int BQ = kAttnQueryTile, BK = kAttnKeyTile;
int round16(int x) { return (x + 15) / 16 * 16; }
}  // namespace

// As the SIMD paths compute it: queries in lanes, sequential FMA over head_dim and keys, online
// softmax per lane.
void scalar_attention_block(const AttnBlock& a) {
  const int hd = a.head_dim, ks = a.kv_stride;
  float* Qt = a.scratch;     // (head_dim, BQ) scaled queries, lanes >= bq zero
  float* St = Qt + hd * BQ;  // (BK, BQ) scores, then probabilities
  float* Ot = St + BK * BQ;  // (head_dim, BQ) unnormalised output
  float* m = Ot + hd * BQ;   // (BQ) running max
  float* l = m + BQ;         // (BQ) running sum
  const float neg_inf = -INFINITY;
  const float qs = a.scale * expc::kLog2e;  // scores in log2 units: softmax by 2^x
  for (int t = 0; t < hd; ++t)
    for (int i = 0; i < BQ; ++i)
      Qt[t * BQ + i] = i < a.bq ? a.q[static_cast<long>(i) * a.q_stride + t] * qs : 0.0f;
  for (int i = 0; i < hd * BQ; ++i) Ot[i] = 0.0f;
  for (int i = 0; i < BQ; ++i) m[i] = neg_inf, l[i] = 0.0f;
  const int k_end = a.q0 + a.bq;
  for (int k0 = a.k_begin; k0 < k_end; k0 += BK) {
    const int bk = k_end - k0 < BK ? k_end - k0 : BK;
    const float* K = a.k + static_cast<long>(k0) * ks;
    const float* V = a.v + static_cast<long>(k0) * ks;
    for (int j = 0; j < bk; ++j)
      for (int i = 0; i < a.bq; ++i) {
        float acc = 0.0f;
        for (int t = 0; t < hd; ++t)
          acc = std::fma(K[static_cast<long>(j) * ks + t], Qt[t * BQ + i], acc);
        St[j * BQ + i] = acc;
      }
    mask_scores(a, k0, bk, St);
    for (int i = 0; i < a.bq; ++i) {
      float mx = m[i];
      for (int j = 0; j < bk; ++j) mx = scalar::max(mx, St[j * BQ + i]);
      const float mu = mx == neg_inf ? 0.0f : mx;
      const float corr = scalar::exp2_attn(m[i] - mu);
      float sum = 0.0f;
      for (int j = 0; j < bk; ++j) {
        const float p = scalar::exp2_attn(St[j * BQ + i] - mu);
        St[j * BQ + i] = p;
        sum = sum + p;
      }
      l[i] = l[i] * corr + sum;
      m[i] = mx;
      for (int t = 0; t < hd; ++t) {
        float o = Ot[t * BQ + i] * corr;
        for (int j = 0; j < bk; ++j)
          o = std::fma(V[static_cast<long>(j) * ks + t], St[j * BQ + i], o);
        Ot[t * BQ + i] = o;
      }
    }
  }
  for (int i = 0; i < a.bq; ++i)
    for (int t = 0; t < hd; ++t)
      a.out[static_cast<long>(i) * a.out_stride + t] = Ot[t * BQ + i] / l[i];
}

void scalar_attention_row(const AttnRow& a) {
  const int hd = a.head_dim, hd16 = round16(hd), nk16 = round16(a.nk);
  float* qp = a.scratch;                    // (hd16) scaled query, zero padded
  float* sc = qp + hd16 + 16;               // (nk16) scores, then probabilities
  float* o = sc + nk16;                     // (hd16) output accumulator
  const float qs = a.scale * expc::kLog2e;  // scores in log2 units: softmax by 2^x
  for (int t = 0; t < hd16; ++t) qp[t] = t < hd ? a.q[t] * qs : 0.0f;
  float mx = -INFINITY;
  for (int j = 0; j < a.nk; ++j) {
    const float* kr = a.k + static_cast<long>(j) * a.kv_stride;
    float acc[16] = {};
    for (int t = 0; t < hd16; ++t)
      acc[t % 16] = std::fma(qp[t], t < hd ? kr[t] : 0.0f, acc[t % 16]);
    sc[j] = scalar::tree16(acc);
    mx = scalar::max(mx, sc[j]);
  }
  float acc[16] = {};
  for (int j = 0; j < a.nk; ++j) {
    sc[j] = scalar::exp2_attn(sc[j] - mx);
    acc[j % 16] = acc[j % 16] + sc[j];
  }
  const float z = scalar::tree16(acc);
  for (int t = 0; t < hd; ++t) {
    float s = 0.0f;
    for (int j = 0; j < a.nk; ++j)
      s = std::fma(a.v[static_cast<long>(j) * a.kv_stride + t], sc[j], s);
    o[t] = s;
  }
  for (int t = 0; t < hd; ++t) a.out[t] = o[t] / z;
}

}  // namespace lr::kern

// The attention kernels (prefill tile task, decode row) written once over a vector trait V.
#pragma once
// Prefill keeps queries in lanes (scores, online softmax and output all vertical, no horizontal
// sums). Same operations in the same order as scalar_attention.cpp. Include only from the
// instruction-set .cpp files, after simd_body.h.
#include "core/kernels/simd_body.h"

namespace lr::kern {

template <class V>
struct SimdAttention {
  using S = Simd<V>;
  using F = typename V::F;
  static constexpr int W = V::W, N16 = 16 / V::W;
  static constexpr int BQ = kAttnQueryTile, BK = kAttnKeyTile;
  static constexpr int R = V::kRows, QC = V::kQueryVecs;  // register tile: R rows x QC vectors
  static_assert(R <= 8 && (BQ / W) % QC == 0, "leftovers run in tiles of 4, 2, 1");

  // St[j][lanes] = sum_t K[j][t] * Qt[t][lanes] for keys j0 .. j0+RR-1, query vectors cb ..;
  // with mx, also mx[c] = max(mx[c], St[j][c]) for j in order (the running max of the tile).
  template <int RR>
  static void scores(const float* K, int ks, const float* Qt, float* St, int j0, int hd, int cb,
                     F* mx) {
    F acc[RR][QC];
    for (int r = 0; r < RR; ++r)
      for (int c = 0; c < QC; ++c) acc[r][c] = V::zero();
    const float* kr = K + static_cast<long>(j0) * ks;
    for (int t = 0; t < hd; ++t) {
      F q[QC];
      for (int c = 0; c < QC; ++c) q[c] = V::load(Qt + t * BQ + (cb + c) * W);
      for (int r = 0; r < RR; ++r) {
        const F kb = V::set1(kr[static_cast<long>(r) * ks + t]);
        for (int c = 0; c < QC; ++c) acc[r][c] = V::fma(kb, q[c], acc[r][c]);
      }
    }
    for (int r = 0; r < RR; ++r)
      for (int c = 0; c < QC; ++c) V::store(St + (j0 + r) * BQ + (cb + c) * W, acc[r][c]);
    if (mx)
      for (int r = 0; r < RR; ++r)
        for (int c = 0; c < QC; ++c) mx[cb + c] = V::max(mx[cb + c], acc[r][c]);
  }

  // Ot[t][lanes] = Ot[t][lanes] * corr + sum_j V[j][t] * P[j][lanes] for t0 .. t0+RR-1.
  template <int RR>
  static void accumulate(const float* Vv, int ks, const float* St, const float* corr, float* Ot,
                         int t0, int bk, int cb) {
    F acc[RR][QC], cr[QC];
    for (int c = 0; c < QC; ++c) cr[c] = V::load(corr + (cb + c) * W);
    for (int r = 0; r < RR; ++r)
      for (int c = 0; c < QC; ++c)
        acc[r][c] = V::mul(V::load(Ot + (t0 + r) * BQ + (cb + c) * W), cr[c]);
    for (int j = 0; j < bk; ++j) {
      F p[QC];
      for (int c = 0; c < QC; ++c) p[c] = V::load(St + j * BQ + (cb + c) * W);
      const float* vr = Vv + static_cast<long>(j) * ks + t0;
      for (int r = 0; r < RR; ++r) {
        const F vb = V::set1(vr[r]);
        for (int c = 0; c < QC; ++c) acc[r][c] = V::fma(vb, p[c], acc[r][c]);
      }
    }
    for (int r = 0; r < RR; ++r)
      for (int c = 0; c < QC; ++c) V::store(Ot + (t0 + r) * BQ + (cb + c) * W, acc[r][c]);
  }

  static void block(const AttnBlock& a) {
    const int hd = a.head_dim, ks = a.kv_stride;
    float* Qt = a.scratch;     // (head_dim, BQ)
    float* St = Qt + hd * BQ;  // (BK, BQ)
    float* Ot = St + BK * BQ;  // (head_dim, BQ)
    float* m = Ot + hd * BQ;   // (BQ)
    float* l = m + BQ;         // (BQ)
    float* corr = l + BQ;      // (BQ)
    const float neg_inf = -__builtin_inff();
    const float qs = a.scale * expc::kLog2e;  // scores in log2 units: softmax by 2^x
    for (int t = 0; t < hd; ++t)
      for (int i = 0; i < BQ; ++i)
        Qt[t * BQ + i] = i < a.bq ? a.q[static_cast<long>(i) * a.q_stride + t] * qs : 0.0f;
    for (int i = 0; i < hd * BQ; ++i) Ot[i] = 0.0f;
    for (int i = 0; i < BQ; ++i) m[i] = neg_inf, l[i] = 0.0f, corr[i] = 0.0f;
    const int nv = (a.bq + W - 1) / W;  // query vectors holding rows
    const int k_end = a.q0 + a.bq;
    for (int k0 = a.k_begin; k0 < k_end; k0 += BK) {
      const int bk = k_end - k0 < BK ? k_end - k0 : BK;
      const float* K = a.k + static_cast<long>(k0) * ks;
      const float* Vv = a.v + static_cast<long>(k0) * ks;
      // Tiles without masked scores take their running max while scoring (the same maxima in
      // the same order as the separate pass that masked tiles need).
      const bool masked = tile_has_masked_scores(a, k0, bk);
      F mxs[BQ / W];
      for (int c = 0; c < BQ / W; ++c) mxs[c] = V::load(m + c * W);  // all: scores() may touch
      F* mxp = masked ? nullptr : mxs;
      for (int cb = 0; cb < nv; cb += QC) {
        int j = 0;
        for (; j + R <= bk; j += R) scores<R>(K, ks, Qt, St, j, hd, cb, mxp);
        if (j + 4 <= bk) scores<4>(K, ks, Qt, St, j, hd, cb, mxp), j += 4;
        if (j + 2 <= bk) scores<2>(K, ks, Qt, St, j, hd, cb, mxp), j += 2;
        if (j < bk) scores<1>(K, ks, Qt, St, j, hd, cb, mxp);
      }
      mask_scores(a, k0, bk, St);
      for (int c = 0; c < nv; ++c) {
        const F mo = V::load(m + c * W);
        F mx = mxs[c];
        if (masked)
          for (int j = 0; j < bk; ++j) mx = V::max(mx, V::load(St + j * BQ + c * W));
        const F mu = V::zero_if_neg_inf(mx);
        const F cr = S::exp2_attn(V::sub(mo, mu));
        F sum = V::zero();
        for (int j = 0; j < bk; ++j) {
          const F p = S::exp2_attn(V::sub(V::load(St + j * BQ + c * W), mu));
          V::store(St + j * BQ + c * W, p);
          sum = V::add(sum, p);
        }
        V::store(l + c * W, V::add(V::mul(V::load(l + c * W), cr), sum));
        V::store(m + c * W, mx);
        V::store(corr + c * W, cr);
      }
      for (int cb = 0; cb < nv; cb += QC) {
        int t = 0;
        for (; t + R <= hd; t += R) accumulate<R>(Vv, ks, St, corr, Ot, t, bk, cb);
        if (t + 4 <= hd) accumulate<4>(Vv, ks, St, corr, Ot, t, bk, cb), t += 4;
        if (t + 2 <= hd) accumulate<2>(Vv, ks, St, corr, Ot, t, bk, cb), t += 2;
        if (t < hd) accumulate<1>(Vv, ks, St, corr, Ot, t, bk, cb);
      }
    }
    for (int i = 0; i < a.bq; ++i)
      for (int t = 0; t < hd; ++t)
        a.out[static_cast<long>(i) * a.out_stride + t] = Ot[t * BQ + i] / l[i];
  }

  static void row(const AttnRow& a) {
    const int hd = a.head_dim, hd16 = (hd + 15) / 16 * 16, nk16 = (a.nk + 15) / 16 * 16;
    float* qp = a.scratch;                    // (hd16) scaled query, zero padded
    float* kp = qp + hd16;                    // (16) zero-padded tail of one key
    float* sc = kp + 16;                      // (nk16) scores, then probabilities
    float* o = sc + nk16;                     // (hd16)
    const float qs = a.scale * expc::kLog2e;  // scores in log2 units: softmax by 2^x
    for (int t = 0; t < hd16; ++t) qp[t] = t < hd ? a.q[t] * qs : 0.0f;
    const int full = hd / 16 * 16;
    for (int j = 0; j < a.nk; ++j) {
      const float* kr = a.k + static_cast<long>(j) * a.kv_stride;
      F acc[N16];
      for (auto& x : acc) x = V::zero();
      for (int t = 0; t < full; t += 16)
        for (int c = 0; c < N16; ++c)
          acc[c] = V::fma(V::load(qp + t + c * W), V::load(kr + t + c * W), acc[c]);
      if (full < hd16) {
        for (int t = 0; t < 16; ++t) kp[t] = full + t < hd ? kr[full + t] : 0.0f;
        for (int c = 0; c < N16; ++c)
          acc[c] = V::fma(V::load(qp + full + c * W), V::load(kp + c * W), acc[c]);
      }
      sc[j] = S::reduce16(acc);
    }
    for (int j = a.nk; j < nk16; ++j) sc[j] = -__builtin_inff();
    F mv = V::load(sc);
    for (int j = W; j < nk16; j += W) mv = V::max(mv, V::load(sc + j));
    const F vm = V::set1(S::hmax(mv));
    F acc[N16];
    for (auto& x : acc) x = V::zero();
    for (int j = 0; j < nk16; j += 16)
      for (int c = 0; c < N16; ++c) {
        const F p = S::exp2_attn(V::sub(V::load(sc + j + c * W), vm));
        V::store(sc + j + c * W, p);
        acc[c] = V::add(acc[c], p);
      }
    const float z = S::reduce16(acc);
    int t = 0;
    for (; t + W <= hd; t += W) {
      F s = V::zero();
      for (int j = 0; j < a.nk; ++j)
        s = V::fma(V::load(a.v + static_cast<long>(j) * a.kv_stride + t), V::set1(sc[j]), s);
      V::store(a.out + t, V::div(s, V::set1(z)));
    }
    for (; t < hd; ++t) {
      float s = 0.0f;
      for (int j = 0; j < a.nk; ++j)
        s = __builtin_fmaf(a.v[static_cast<long>(j) * a.kv_stride + t], sc[j], s);
      a.out[t] = s / z;
    }
    (void)o;
  }
};

}  // namespace lr::kern

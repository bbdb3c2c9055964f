// --compute int8 attention on AVX-512 VNNI (vpdpbusd): attn_i8_scalar.cpp's operations in vectors.
#include "core/kernels/vec_avx512.h"
// (vec header first: the bodies below use its intrinsics)
#include <cstring>

#include "core/kernels/attn_i8.h"
#include "core/kernels/simd_body.h"

namespace lr::kern {

namespace {
using V = Avx512;
using S = Simd<Avx512>;
using F = __m512;
using I = __m512i;
constexpr int BQ = kAttnQueryTile, BK = kAttnKeyTile, QV = BQ / 16, R = 6;

I bcast4(const void* p) {  // four bytes at p in every 32-bit lane
  int32_t four;
  std::memcpy(&four, p, 4);
  return _mm512_set1_epi32(four);
}

// acc + the u8·s8 products of a and b in groups of 4 (vpdpbusd). Written in asm: GCC 12 copies
// every accumulator around the intrinsic in these loops (twice the instructions, or spills).
inline I dpbusd(I acc, I a, I b) {
  asm("vpdpbusd %2, %1, %0" : "+v"(acc) : "v"(a), "v"(b));
  return acc;
}

// Scores of keys j0 .. j0+RR-1 against the BQ queries (in lanes): u8 keys broadcast, int8 queries.
// With tm, also tm[c] = max(tm[c], score) for the keys in order (the tile's max, unmasked tiles).
template <int RR>
void scores(const uint8_t* k8, int kd, const float* dk, const AttnI8Scratch& s, const I* ncomp,
            const F* dq, int j0, F* tm) {
  I acc[RR][QV];
  for (int r = 0; r < RR; ++r)
    for (int c = 0; c < QV; ++c) acc[r][c] = _mm512_setzero_si512();
  const uint8_t* kr = k8 + static_cast<long>(j0) * kd;
  for (int g = 0; g < kd / 4; ++g) {
    I q[QV];
    for (int c = 0; c < QV; ++c) q[c] = _mm512_loadu_si512(s.qp + (g * BQ + c * 16) * 4);
    for (int r = 0; r < RR; ++r) {
      const I kb = bcast4(kr + r * kd + 4 * g);
      for (int c = 0; c < QV; ++c) acc[r][c] = dpbusd(acc[r][c], kb, q[c]);
    }
  }
  for (int r = 0; r < RR; ++r) {
    const F dkr = V::set1(dk[j0 + r]);
    for (int c = 0; c < QV; ++c) {
      const F sc =
          V::mul(_mm512_cvtepi32_ps(_mm512_add_epi32(acc[r][c], ncomp[c])), V::mul(dq[c], dkr));
      V::store(s.st + (j0 + r) * BQ + c * 16, sc);
      if (tm) tm[c] = V::max(tm[c], sc);
    }
  }
}

// Output channels t0 .. t0+RR-1: u8 probabilities (queries in lanes) times broadcast int8 values.
template <int RR>
void values(const int8_t* v8, const float* dv, const AttnI8Scratch& s, int ng, const F* cr,
            const F* dp, int t0) {
  I acc[RR][QV];
  for (int r = 0; r < RR; ++r)
    for (int c = 0; c < QV; ++c) acc[r][c] = _mm512_setzero_si512();
  for (int g = 0; g < ng; ++g) {
    I p[QV];
    for (int c = 0; c < QV; ++c) p[c] = _mm512_loadu_si512(s.p8 + (g * BQ + c * 16) * 4);
    for (int r = 0; r < RR; ++r) {
      const I vb = bcast4(v8 + (t0 + r) * BK + 4 * g);
      for (int c = 0; c < QV; ++c) acc[r][c] = dpbusd(acc[r][c], p[c], vb);
    }
  }
  for (int r = 0; r < RR; ++r) {
    const F dvr = V::set1(dv[t0 + r]);
    for (int c = 0; c < QV; ++c) {
      float* o = s.ot + (t0 + r) * BQ + c * 16;
      V::store(
          o, V::fma(_mm512_cvtepi32_ps(acc[r][c]), V::mul(dp[c], dvr), V::mul(V::load(o), cr[c])));
    }
  }
}

F exp2_i8(F x) { return Simd<V>::exp2_attn<4>(x); }  // scalar::exp2_i8

// The online softmax of query vector c over the tile's bk scores (tile max tm), straight into
// u8 probabilities.
void softmax(const AttnI8Scratch& s, int bk, int ng, int c, F tm) {
  const F mo = V::load(s.m + c * 16);
  const F mx = V::max(mo, tm);
  const F mu = V::zero_if_neg_inf(mx);
  const F cr = exp2_i8(V::sub(mo, mu));
  const F pm = exp2_i8(V::sub(tm, mu));
  const F c255 = V::set1(255.0f);
  const F dp = V::div(pm, c255);
  const F inv = _mm512_maskz_div_ps(_mm512_cmp_ps_mask(pm, V::zero(), _CMP_GT_OQ), c255, pm);
  I lsum = _mm512_setzero_si512();
  auto quant = [&](int j) {  // key j's u8 probabilities (in 32-bit lanes)
    const F p = exp2_i8(V::sub(V::load(s.st + j * BQ + c * 16), mu));
    const F y = _mm512_min_ps(V::mul(p, inv), c255);  // y < 255 ? y : 255
    const I x = _mm512_cvt_roundps_epi32(y, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    lsum = _mm512_add_epi32(lsum, x);
    return x;
  };
  const int full = bk / 4;
  for (int g = 0; g < full; ++g) {
    const I x0 = quant(4 * g), x1 = quant(4 * g + 1), x2 = quant(4 * g + 2), x3 = quant(4 * g + 3);
    const I w =
        _mm512_or_si512(_mm512_or_si512(x0, _mm512_slli_epi32(x1, 8)),
                        _mm512_or_si512(_mm512_slli_epi32(x2, 16), _mm512_slli_epi32(x3, 24)));
    _mm512_storeu_si512(s.p8 + (g * BQ + c * 16) * 4, w);
  }
  if (full < ng) {  // the last keys of the sequence, zero padded to 4
    I w = _mm512_setzero_si512();
    for (int u = 0; 4 * full + u < bk; ++u)
      w = _mm512_or_si512(w, _mm512_slli_epi32(quant(4 * full + u), 8 * u));
    _mm512_storeu_si512(s.p8 + (full * BQ + c * 16) * 4, w);
  }
  V::store(s.l + c * 16,
           V::add(V::mul(V::load(s.l + c * 16), cr), V::mul(_mm512_cvtepi32_ps(lsum), dp)));
  V::store(s.m + c * 16, mx);
  V::store(s.corr + c * 16, cr);
  V::store(s.dp + c * 16, dp);
}

void block_vnni(const AttnBlock& a, const AttnI8Kv& kv, void* scratch) {
  const int hd = a.head_dim, kd = kv.kd;
  const AttnI8Scratch s = attn_i8_scratch(scratch, hd);
  attn_i8_load_queries(a, s, kd);
  I ncomp[QV];
  F dq[QV];
  for (int c = 0; c < QV; ++c)
    ncomp[c] = _mm512_loadu_si512(s.ncomp + c * 16), dq[c] = V::load(s.dq + c * 16);
  for (int k0 = a.k_begin; k0 < a.q0 + a.bq; k0 += BK) {
    const AttnI8Tile tl = attn_i8_tile(a, kv, k0);
    const int bk = tl.bk, ng = tl.ng;
    const bool masked = tile_has_masked_scores(a, k0, bk);
    F tm[QV];
    for (int c = 0; c < QV; ++c) tm[c] = V::set1(-__builtin_inff());
    F* tmp = masked ? nullptr : tm;
    int j = 0;
    for (; j + R <= bk; j += R) scores<R>(tl.k8, kd, tl.dk, s, ncomp, dq, j, tmp);
    if (j + 4 <= bk) scores<4>(tl.k8, kd, tl.dk, s, ncomp, dq, j, tmp), j += 4;
    if (j + 2 <= bk) scores<2>(tl.k8, kd, tl.dk, s, ncomp, dq, j, tmp), j += 2;
    if (j < bk) scores<1>(tl.k8, kd, tl.dk, s, ncomp, dq, j, tmp);
    mask_scores(a, k0, bk, s.st);
    F cr[QV], dp[QV];
    for (int c = 0; c < QV; ++c) {
      if (masked)
        for (j = 0; j < bk; ++j) tm[c] = V::max(tm[c], V::load(s.st + j * BQ + c * 16));
      softmax(s, bk, ng, c, tm[c]);
      cr[c] = V::load(s.corr + c * 16), dp[c] = V::load(s.dp + c * 16);
    }
    int t = 0;
    for (; t + R <= hd; t += R) values<R>(tl.v8, tl.dv, s, ng, cr, dp, t);
    if (t + 4 <= hd) values<4>(tl.v8, tl.dv, s, ng, cr, dp, t), t += 4;
    if (t + 2 <= hd) values<2>(tl.v8, tl.dv, s, ng, cr, dp, t), t += 2;
    if (t < hd) values<1>(tl.v8, tl.dv, s, ng, cr, dp, t);
  }
  attn_i8_store(a, s);
}

}  // namespace

const AttnI8Kernel* attn_i8_avx512vnni() {
  static const AttnI8Kernel k{"avx512-vnni", block_vnni};
  return &k;
}

}  // namespace lr::kern

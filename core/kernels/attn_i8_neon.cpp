// --compute int8 attention on NEON with dotprod (sdot / udot): attn_i8_scalar.cpp's operations.
#include "core/kernels/attn_i8.h"
#if defined(__aarch64__) && defined(__ARM_FEATURE_DOTPROD)
#include "core/kernels/vec_neon.h"
// (vec header first: the bodies below use its intrinsics)
#include <cstring>

#include "core/kernels/simd_body.h"

namespace lr::kern {

namespace {
using V = Neon;
using F = float32x4_t;
constexpr int BQ = kAttnQueryTile, BK = kAttnKeyTile, QV = BQ / 4, R = 4;

uint32x4_t bcast4_flip(const void* p) {  // four bytes at p in every lane, each byte ^ 0x80
  uint32_t four;
  std::memcpy(&four, p, 4);
  return vdupq_n_u32(four ^ 0x80808080u);
}

// Scores of keys j0 .. j0+RR-1 against queries 16·qc .. 16·qc+15 (four vectors): sdot on the
// keys as int8 (u8 ^ 0x80 = q); with tm, the tile's running max as in the other paths.
template <int RR>
void scores(const uint8_t* k8, int kd, const float* dk, const AttnI8Scratch& s, int j0, int qc,
            F* tm) {
  int32x4_t acc[RR][4];
  for (int r = 0; r < RR; ++r)
    for (int v = 0; v < 4; ++v) acc[r][v] = vdupq_n_s32(0);
  const uint8_t* kr = k8 + static_cast<long>(j0) * kd;
  for (int g = 0; g < kd / 4; ++g) {
    int8x16_t q[4];
    for (int v = 0; v < 4; ++v) q[v] = vld1q_s8(s.qp + (g * BQ + qc * 16 + 4 * v) * 4);
    for (int r = 0; r < RR; ++r) {
      const int8x16_t kb = vreinterpretq_s8_u32(bcast4_flip(kr + r * kd + 4 * g));
      for (int v = 0; v < 4; ++v) acc[r][v] = vdotq_s32(acc[r][v], q[v], kb);
    }
  }
  for (int r = 0; r < RR; ++r) {
    const F dkr = V::set1(dk[j0 + r]);
    for (int v = 0; v < 4; ++v) {
      const int c = qc * 4 + v;
      const F sc = V::mul(vcvtq_f32_s32(acc[r][v]), V::mul(V::load(s.dq + 4 * c), dkr));
      V::store(s.st + (j0 + r) * BQ + 4 * c, sc);
      if (tm) tm[c] = V::max(tm[c], sc);
    }
  }
}

// Output channels t0 .. t0+RR-1 for queries 16·qc ..: udot of the u8 probabilities and the
// values as u8 (v ^ 0x80 = v + 128), less 128 · Σ p.
template <int RR>
void values(const int8_t* v8, const float* dv, const AttnI8Scratch& s, int ng, int qc, int t0) {
  uint32x4_t acc[RR][4];
  for (int r = 0; r < RR; ++r)
    for (int v = 0; v < 4; ++v) acc[r][v] = vdupq_n_u32(0);
  for (int g = 0; g < ng; ++g) {
    uint8x16_t p[4];
    for (int v = 0; v < 4; ++v) p[v] = vld1q_u8(s.p8 + (g * BQ + qc * 16 + 4 * v) * 4);
    for (int r = 0; r < RR; ++r) {
      const uint8x16_t vb = vreinterpretq_u8_u32(bcast4_flip(v8 + (t0 + r) * BK + 4 * g));
      for (int v = 0; v < 4; ++v) acc[r][v] = vdotq_u32(acc[r][v], p[v], vb);
    }
  }
  for (int r = 0; r < RR; ++r) {
    const F dvr = V::set1(dv[t0 + r]);
    for (int v = 0; v < 4; ++v) {
      const int c = qc * 4 + v;
      const int32x4_t sum =
          vsubq_s32(vreinterpretq_s32_u32(acc[r][v]), vshlq_n_s32(vld1q_s32(s.psum + 4 * c), 7));
      float* o = s.ot + (t0 + r) * BQ + 4 * c;
      V::store(o, V::fma(vcvtq_f32_s32(sum), V::mul(V::load(s.dp + 4 * c), dvr),
                         V::mul(V::load(o), V::load(s.corr + 4 * c))));
    }
  }
}

F exp2_i8(F x) { return Simd<V>::exp2_attn<4>(x); }  // scalar::exp2_i8

// The online softmax of query vector c (tile max tm), straight into u8 probabilities.
void softmax(const AttnI8Scratch& s, int bk, int ng, int c, F tm) {
  const F mo = V::load(s.m + 4 * c);
  const F mx = V::max(mo, tm);
  const F mu = V::zero_if_neg_inf(mx);
  const F cr = exp2_i8(V::sub(mo, mu));
  const F pm = exp2_i8(V::sub(tm, mu));
  const F c255 = V::set1(255.0f);
  const F dp = V::div(pm, c255);
  const F inv = vbslq_f32(vcgtq_f32(pm, V::zero()), V::div(c255, pm), V::zero());
  uint32x4_t lsum = vdupq_n_u32(0);
  auto quant = [&](int j) {
    const F y = V::mul(exp2_i8(V::sub(V::load(s.st + j * BQ + 4 * c), mu)), inv);
    const uint32x4_t x =
        vreinterpretq_u32_s32(vcvtnq_s32_f32(vbslq_f32(vcltq_f32(y, c255), y, c255)));
    lsum = vaddq_u32(lsum, x);
    return x;
  };
  for (int g = 0; g < ng; ++g) {
    uint32x4_t w = vdupq_n_u32(0);
    if (4 * g < bk) w = quant(4 * g);
    if (4 * g + 1 < bk) w = vorrq_u32(w, vshlq_n_u32(quant(4 * g + 1), 8));
    if (4 * g + 2 < bk) w = vorrq_u32(w, vshlq_n_u32(quant(4 * g + 2), 16));
    if (4 * g + 3 < bk) w = vorrq_u32(w, vshlq_n_u32(quant(4 * g + 3), 24));
    vst1q_u8(s.p8 + (g * BQ + 4 * c) * 4, vreinterpretq_u8_u32(w));
  }
  const F ls = vcvtq_f32_s32(vreinterpretq_s32_u32(lsum));
  V::store(s.l + 4 * c, V::add(V::mul(V::load(s.l + 4 * c), cr), V::mul(ls, dp)));
  V::store(s.m + 4 * c, mx);
  V::store(s.corr + 4 * c, cr);
  V::store(s.dp + 4 * c, dp);
  vst1q_s32(s.psum + 4 * c, vreinterpretq_s32_u32(lsum));
}

void block_sdot(const AttnBlock& a, const AttnI8Kv& kv, void* scratch) {
  const int hd = a.head_dim, kd = kv.kd;
  const AttnI8Scratch s = attn_i8_scratch(scratch, hd);
  attn_i8_load_queries(a, s, kd);
  for (int k0 = a.k_begin; k0 < a.q0 + a.bq; k0 += BK) {
    const AttnI8Tile tl = attn_i8_tile(a, kv, k0);
    const int bk = tl.bk, ng = tl.ng;
    const bool masked = tile_has_masked_scores(a, k0, bk);
    F tm[QV];
    for (int c = 0; c < QV; ++c) tm[c] = V::set1(-__builtin_inff());
    F* tmp = masked ? nullptr : tm;
    for (int qc = 0; qc < QV / 4; ++qc) {
      int j = 0;
      for (; j + R <= bk; j += R) scores<R>(tl.k8, kd, tl.dk, s, j, qc, tmp);
      if (j + 2 <= bk) scores<2>(tl.k8, kd, tl.dk, s, j, qc, tmp), j += 2;
      if (j < bk) scores<1>(tl.k8, kd, tl.dk, s, j, qc, tmp);
    }
    mask_scores(a, k0, bk, s.st);
    for (int c = 0; c < QV; ++c) {
      if (masked)
        for (int j = 0; j < bk; ++j) tm[c] = V::max(tm[c], V::load(s.st + j * BQ + 4 * c));
      softmax(s, bk, ng, c, tm[c]);
    }
    for (int qc = 0; qc < QV / 4; ++qc) {
      int t = 0;
      for (; t + R <= hd; t += R) values<R>(tl.v8, tl.dv, s, ng, qc, t);
      if (t + 2 <= hd) values<2>(tl.v8, tl.dv, s, ng, qc, t), t += 2;
      if (t < hd) values<1>(tl.v8, tl.dv, s, ng, qc, t);
    }
  }
  attn_i8_store(a, s);
}

}  // namespace

const AttnI8Kernel* attn_i8_neon_sdot() {
  static const AttnI8Kernel k{"neon-sdot", block_sdot};
  return &k;
}

}  // namespace lr::kern
#endif

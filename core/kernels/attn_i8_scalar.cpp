// --compute int8 attention: the task's scratch and queries, the scalar twin, and the dispatch.
#include <cmath>
#include <cstring>

#include "core/kernels/attn_i8.h"
#include "core/kernels/gemm_i8.h"
#include "core/kernels/i8_quant.h"
#include "core/kernels/scalar_ops.h"

namespace lr {

namespace {
constexpr int BQ = kAttnQueryTile, BK = kAttnKeyTile;
size_t align64(size_t x) { return (x + 63) / 64 * 64; }
int round4(int x) { return (x + 3) / 4 * 4; }

// The parts of the scratch in order, each 64-byte aligned.
size_t part_sizes(int hd, size_t* sz) {
  const size_t f = sizeof(float), kd = static_cast<size_t>(round4(hd));
  const size_t parts[] = {kd * BQ, f * BQ, 4 * BQ, f * BK * BQ,     f * hd * BQ, f * BQ,
                          f * BQ,  f * BQ, f * BQ, size_t{BK} * BQ, 4 * BQ};
  size_t total = 0;
  for (size_t i = 0; i < sizeof parts / sizeof parts[0]; ++i)
    sz[i] = align64(parts[i]), total += sz[i];
  return total;
}
}  // namespace

size_t attention_i8_scratch_bytes(int head_dim) {
  size_t sz[11];
  return part_sizes(head_dim, sz) + 64;  // + 64: the base may be unaligned
}

AttnI8Scratch attn_i8_scratch(void* base, int head_dim) {
  size_t sz[11];
  part_sizes(head_dim, sz);
  auto* p = reinterpret_cast<uint8_t*>((reinterpret_cast<uintptr_t>(base) + 63) / 64 * 64);
  uint8_t* at[11];
  for (int i = 0; i < 11; ++i) at[i] = p, p += sz[i];
  return {reinterpret_cast<int8_t*>(at[0]),  reinterpret_cast<float*>(at[1]),
          reinterpret_cast<int32_t*>(at[2]), reinterpret_cast<float*>(at[3]),
          reinterpret_cast<float*>(at[4]),   reinterpret_cast<float*>(at[5]),
          reinterpret_cast<float*>(at[6]),   reinterpret_cast<float*>(at[7]),
          reinterpret_cast<float*>(at[8]),   at[9],
          reinterpret_cast<int32_t*>(at[10])};
}

void attn_i8_load_queries(const AttnBlock& a, const AttnI8Scratch& s, int kd) {
  const int hd = a.head_dim;
  const float qs = a.scale * kern::expc::kLog2e;  // as f32: scores in log2 units
  float* x = s.st;                                // hd floats of room (st is BK·BQ)
  int8_t q[512];
  for (int i = 0; i < BQ; ++i) {
    float d = 0.0f;
    std::memset(q, 0, static_cast<size_t>(kd));
    if (i < a.bq) {
      for (int t = 0; t < hd; ++t) x[t] = a.q[static_cast<long>(i) * a.q_stride + t] * qs;
      d = kern::quantize_i8(x, hd, kd, q);
    }
    int32_t sum = 0;
    for (int t = 0; t < kd; ++t) sum += q[t], s.qp[(t / 4 * BQ + i) * 4 + t % 4] = q[t];
    s.dq[i] = d;
    s.ncomp[i] = -128 * sum;
  }
  for (int i = 0; i < hd * BQ; ++i) s.ot[i] = 0.0f;
  for (int i = 0; i < BQ; ++i) s.m[i] = -INFINITY, s.l[i] = 0.0f, s.corr[i] = 0.0f, s.dp[i] = 0.0f;
}

void attn_i8_store(const AttnBlock& a, const AttnI8Scratch& s) {
  for (int i = 0; i < a.bq; ++i)
    for (int t = 0; t < a.head_dim; ++t)
      a.out[static_cast<long>(i) * a.out_stride + t] = s.ot[t * BQ + i] / s.l[i];
}

namespace kern {
namespace {

using scalar::exp2_i8;

// The definition of attn_i8.h in plain C++, in the SIMD paths' order of operations.
void block_scalar(const AttnBlock& a, const AttnI8Kv& kv, void* scratch) {
  const int hd = a.head_dim, kd = kv.kd;
  const AttnI8Scratch s = attn_i8_scratch(scratch, hd);
  attn_i8_load_queries(a, s, kd);
  constexpr float kRound = 12582912.0f;  // round to nearest even by 1.5·2^23
  for (int k0 = a.k_begin; k0 < a.q0 + a.bq; k0 += BK) {
    const AttnI8Tile tl = attn_i8_tile(a, kv, k0);
    const int bk = tl.bk, ng = tl.ng;
    for (int j = 0; j < bk; ++j)
      for (int i = 0; i < BQ; ++i) {
        int32_t acc = s.ncomp[i];
        for (int t = 0; t < kd; ++t) acc += tl.k8[j * kd + t] * s.qp[(t / 4 * BQ + i) * 4 + t % 4];
        s.st[j * BQ + i] = static_cast<float>(acc) * (s.dq[i] * tl.dk[j]);
      }
    mask_scores(a, k0, bk, s.st);
    for (int i = 0; i < BQ; ++i) {
      float tm = -INFINITY;  // the tile's max, then the running max
      for (int j = 0; j < bk; ++j) tm = scalar::max(tm, s.st[j * BQ + i]);
      const float mx = scalar::max(s.m[i], tm);
      const float mu = mx == -INFINITY ? 0.0f : mx;
      const float cr = exp2_i8(s.m[i] - mu), pm = exp2_i8(tm - mu);
      const float dp = pm / 255.0f, inv = pm > 0.0f ? 255.0f / pm : 0.0f;
      int32_t lsum = 0;
      for (int j = 0; j < 4 * ng; ++j) {
        int32_t u = 0;
        if (j < bk) {
          const float y = exp2_i8(s.st[j * BQ + i] - mu) * inv;
          u = static_cast<int32_t>(((y < 255.0f ? y : 255.0f) + kRound) - kRound);
        }
        lsum += u;
        s.p8[(j / 4 * BQ + i) * 4 + j % 4] = static_cast<uint8_t>(u);
      }
      s.l[i] = s.l[i] * cr + static_cast<float>(lsum) * dp;
      s.m[i] = mx, s.corr[i] = cr, s.dp[i] = dp;
    }
    for (int t = 0; t < hd; ++t)
      for (int i = 0; i < BQ; ++i) {
        int32_t acc = 0;
        for (int j = 0; j < 4 * ng; ++j)
          acc += s.p8[(j / 4 * BQ + i) * 4 + j % 4] * tl.v8[t * BK + j];
        float& o = s.ot[t * BQ + i];
        o = std::fma(static_cast<float>(acc), s.dp[i] * tl.dv[t], o * s.corr[i]);
      }
  }
  attn_i8_store(a, s);
}

}  // namespace

const AttnI8Kernel& attn_i8_scalar() {
  static const AttnI8Kernel k{"scalar", block_scalar};
  return k;
}
#if !defined(__x86_64__)
const AttnI8Kernel* attn_i8_avx512vnni() { return nullptr; }
#endif
#if !(defined(__aarch64__) && defined(__ARM_FEATURE_DOTPROD))
const AttnI8Kernel* attn_i8_neon_sdot() { return nullptr; }
#endif

}  // namespace kern

const AttnI8Kernel& attn_i8_kernel() {
  const Int8Tile& t = int8_tile();  // refuses, naming what is missing, as the matrix products
  if (t.tile == kern::int8_tile_scalar().tile) return kern::attn_i8_scalar();
  if (active_kernel_path() == KernelPath::Neon) return *kern::attn_i8_neon_sdot();
  return *kern::attn_i8_avx512vnni();
}

}  // namespace lr

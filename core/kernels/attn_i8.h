// --compute int8 attention: the int8 keys and values of one call and the tile-task kernels.
#pragma once
#include <cstddef>
#include <cstdint>

#include "core/kernels/kernels.h"

namespace lr {

// One KV head's keys and values in int8 (quantize_i8's rule, i8_quant.h), made once per call.
//   keys: row j of kd = head_dim rounded up to 4 bytes, k8[j·kd + t] = q + 128 (u8), dk[j] its
//         scale (one per key over head_dim);
//   values: per key tile b (keys b·BK .. b·BK + BK-1, BK = kAttnKeyTile), per channel t over the
//         tile's keys: v8[(b·hd + t)·BK + j], scale dv[b·hd + t]; keys past the sequence are 0.
struct AttnI8Kv {
  const uint8_t* k8 = nullptr;
  const float* dk = nullptr;
  const int8_t* v8 = nullptr;
  const float* dv = nullptr;
  int kd = 0;
};

// The task of AttnBlock (its k and v unused) with int8 products:
//   scores: queries scaled as in f32 (scale · log2 e), quantized per row over head_dim (d_q);
//           s = float(Σ_t q8·k8) · (d_q · d_k), masked as in f32;
//   softmax: online, by 2^x as in f32 but with the polynomial cut at degree 4 (exp2_i8, relative
//           error 4e-5); per query and key tile, with the tile's max score t and the running max
//           m: p_max = 2^(t - m), the probabilities u8 = round-to-nearest-even(min(2^(s - m) ·
//           255/p_max, 255)) and d_p = p_max/255;
//   output: o = fma(float(Σ_j p8·v8), d_p · d_v, o · corr), l = l · corr + float(Σ_j p8) · d_p
//           (the normaliser is the sum of the probabilities used), out = o / l.
// Every integer sum is exact; the scalar twin and each SIMD path give the same bits.
struct AttnI8Kernel {
  const char* name;
  void (*block)(const AttnBlock& a, const AttnI8Kv& kv, void* scratch);
};
size_t attention_i8_scratch_bytes(int head_dim);  // the scratch one task needs (64-byte aligned)

// The task's scratch, carved from attention_i8_scratch_bytes(head_dim) bytes at `base`.
struct AttnI8Scratch {
  int8_t* qp;      // queries: (kd/4, BQ, 4) int8, value t of query i at (t/4·BQ + i)·4 + t%4
  float* dq;       // (BQ) query scales
  int32_t* ncomp;  // (BQ) -128 · Σ_t q8 (the sums run over u8 keys = q + 128)
  float* st;       // (BK, BQ) scores, then probabilities
  float* ot;       // (head_dim, BQ) unnormalised output
  float *m, *l, *corr, *dp;  // (BQ) each
  uint8_t* p8;               // (BK/4, BQ, 4) u8 probabilities, like qp
  int32_t* psum;             // (BQ) Σ_j p8 of the tile (for paths whose P·V needs it)
};
AttnI8Scratch attn_i8_scratch(void* base, int head_dim);
// Quantizes the queries of `a` into s (rows >= bq zero) and resets o, m, l.
void attn_i8_load_queries(const AttnBlock& a, const AttnI8Scratch& s, int kd);
// out = o / l for the task's rows.
void attn_i8_store(const AttnBlock& a, const AttnI8Scratch& s);

// Key tile k0 of task `a`: bk keys (ng groups of 4, the last zero-padded) and their operands.
struct AttnI8Tile {
  int bk, ng;
  const uint8_t* k8;
  const float* dk;
  const int8_t* v8;
  const float* dv;
};
inline AttnI8Tile attn_i8_tile(const AttnBlock& a, const AttnI8Kv& kv, int k0) {
  const int end = a.q0 + a.bq, bk = end - k0 < kAttnKeyTile ? end - k0 : kAttnKeyTile;
  const long b = k0 / kAttnKeyTile, vt = b * a.head_dim;
  return {bk,
          (bk + 3) / 4,
          kv.k8 + static_cast<long>(k0) * kv.kd,
          kv.dk + k0,
          kv.v8 + vt * kAttnKeyTile,
          kv.dv + vt};
}

namespace kern {
const AttnI8Kernel& attn_i8_scalar();
const AttnI8Kernel* attn_i8_avx512vnni();  // nullptr when not built for x86
const AttnI8Kernel* attn_i8_neon_sdot();   // nullptr unless built for aarch64 with dotprod
}  // namespace kern
// The kernel for the path in force; throws Unsupported as int8_tile() does.
const AttnI8Kernel& attn_i8_kernel();

}  // namespace lr

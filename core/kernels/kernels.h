// The kernel interface: one table of single-thread kernels per instruction set, chosen once.
#pragma once
#include <string>
#include <vector>

#include "core/tensor/rope_layout.h"

namespace lr {

// Instruction-set paths. Every path computes bit-identical results (same operations in the same
// order: explicit FMA, one exp polynomial, reductions over 16 fixed lanes); tests compare each
// SIMD path against the scalar one for exact equality.
enum class KernelPath { Scalar, Avx2, Avx512, Neon };

constexpr int kAttnQueryTile = 64;  // query rows per attention task
constexpr int kAttnKeyTile = 128;   // keys per tile

// One (head, query block) of causal attention: queries q0 .. q0+bq-1 against keys
// [k_begin, q0+bq), streamed in tiles of kAttnKeyTile with an online softmax.
struct AttnBlock {
  const float* q = nullptr;  // row q0 of this head: element (i, t) at q[i * q_stride + t]
  int q_stride = 0;
  const float* k = nullptr;  // key 0 of this head's KV group: (j, t) at k[j * kv_stride + t]
  const float* v = nullptr;  // value 0 likewise (GQA: heads of a group share k/v, no copy)
  int kv_stride = 0;
  float* out = nullptr;  // (i, t) at out[i * out_stride + t]
  int out_stride = 0;
  int bq = 0, q0 = 0, k_begin = 0;  // query rows (<= kAttnQueryTile), first position, first key
  int window = 0;                   // keys `window` or more positions back are masked (0 = none)
  int head_dim = 0;
  float scale = 0;  // 1/sqrt(head_dim): q is multiplied by scale · log2 e, softmax is by 2^x
  float* scratch = nullptr;  // attention_block_scratch_floats(head_dim) floats
};
size_t attention_block_scratch_floats(int head_dim);

// Sets to -inf the scores of key tile [k0, k0+bk) that block `a` may not see (keys after the
// query, or `window` or more positions back). St holds score (key j, query i) at j*BQ + i, BQ =
// kAttnQueryTile. Shared by every path, so the masks agree bit for bit.
inline bool tile_has_masked_scores(const AttnBlock& a, int k0, int bk) {
  const bool causal_edge = k0 + bk - 1 > a.q0;
  const bool window_edge = a.window > 0 && (a.q0 + a.bq - 1) - k0 >= a.window;
  return causal_edge || window_edge;
}
inline void mask_scores(const AttnBlock& a, int k0, int bk, float* St) {
  if (!tile_has_masked_scores(a, k0, bk)) return;
  for (int j = 0; j < bk; ++j)
    for (int i = 0; i < a.bq; ++i) {
      const int qi = a.q0 + i, kj = k0 + j;
      if (kj > qi || (a.window > 0 && qi - kj >= a.window))
        St[j * kAttnQueryTile + i] = -__builtin_inff();
    }
}

// One query row of one head against keys 0 .. nk-1 (the decode step of generation).
struct AttnRow {
  const float* q = nullptr;  // head_dim values
  const float* k = nullptr;  // key 0: (j, t) at k[j * kv_stride + t]
  const float* v = nullptr;
  int kv_stride = 0, nk = 0, head_dim = 0;
  float scale = 0;
  float* out = nullptr;      // head_dim values
  float* scratch = nullptr;  // attention_row_scratch_floats(nk, head_dim) floats
};
size_t attention_row_scratch_floats(int nk, int head_dim);

struct KernelTable {
  KernelPath path;
  // y = x / sqrt(mean(x^2) + eps) * w over one row of `dim` (sum of squares in double).
  void (*rmsnorm_row)(const float* x, const float* w, float* y, int dim, float eps);
  // Rotates the `n_heads` heads of one row by the angles cos/sin (head_dim/2 each).
  void (*rope_row)(float* x, const float* cos, const float* sin, int n_heads, int head_dim,
                   RopeLayout layout);
  // g[i] = g[i] / (1 + exp(-g[i])) * u[i]
  void (*swiglu)(float* g, const float* u, long n);
  // log softmax(logits)[token] over `vocab` logits (exp in float, sum and log in double).
  double (*log_softmax_at)(const float* logits, int vocab, int token);
  // y[i] = exp(x[i]) (the kernels' own exp: ~1 ulp, exp(-inf) = 0); for tests.
  void (*exp)(const float* x, float* y, long n);
  void (*attention_block)(const AttnBlock& a);
  void (*attention_row)(const AttnRow& a);
  // The FMA throughput probe (simd_peak.h): `iters` rounds of independent register-only FMA
  // chains, their sum in *sink; returns the FLOPs done. Benchmarks divide by it.
  double (*fma_loop)(long iters, float* sink);
  // The GEMM micro-kernel (simd_gemm.h): a gemm_mr × gemm_nr tile of C from gemm_mr rows of A
  // (row r at a + r·lda, kc values) and a packed panel of B (kc × nr, B[k·nr + n]); C row r at
  // c + r·ldc. Each element is C0 + Σ_k a·b as one FMA chain in k order (C0 = 0, or C's values
  // when `load`).
  void (*gemm_tile)(long kc, const float* a, long lda, const float* b, float* c, long ldc,
                    bool load);
  int gemm_mr, gemm_nr;
};

// The table in force: LONGROPE_KERNELS (scalar|avx2|avx512|neon|auto) when set, else the best
// path this CPU supports (x86: cpuid at run time; aarch64: NEON). Chosen once, on first use.
const KernelTable& kernels();
// Forces a path (throws when this build or CPU lacks it); "auto" picks the best again.
void set_kernel_path(const std::string& name);
KernelPath active_kernel_path();
const char* kernel_path_name(KernelPath p);
// Paths this binary carries and this CPU runs, best last.
std::vector<KernelPath> supported_kernel_paths();
// The table of one path (throws when unsupported here).
const KernelTable& kernel_table(KernelPath p);

// What decides the bits of a forward pass on this build: the kernels' version and the
// architecture (every path, thread count and work split agree bit for bit, the packed GEMM
// included, so none of them is part of it). Search archives and MPI ranks compare it.
std::string numerics_signature();

namespace kern {
// Shared scalar pieces (defined once, in scalar.cpp): ln(x) for x > 0 in double from basic
// operations only, so it is the same on every host (libm picks FMA variants at run time).
double log_f64(double x);
// The tables of each path (nullptr when not compiled in).
const KernelTable* scalar_table();
const KernelTable* avx2_table();
const KernelTable* avx512_table();
const KernelTable* neon_table();
}  // namespace kern

}  // namespace lr

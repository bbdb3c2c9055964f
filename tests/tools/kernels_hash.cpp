// Hashes of every kernel on every path of this build, on fixed inputs (for
// tests/cli/kernels_cross.sh).
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "core/kernels/kernels.h"
#include "core/tensor/rope_layout.h"
using namespace lr;
static uint64_t st = 88172645463325252ull;
static float rnd(float sd) {  // xorshift, sum of 4 uniforms: deterministic everywhere
  float s = 0;
  for (int i = 0; i < 4; ++i) {
    st ^= st << 13;
    st ^= st >> 7;
    st ^= st << 17;
    s += (st >> 40) / 16777216.0f - 0.5f;
  }
  return s * sd;
}
static std::vector<float> vec(size_t n, float sd) {
  std::vector<float> v(n);
  for (auto& x : v) x = rnd(sd);
  return v;
}
static uint64_t fnv(const void* p, size_t n, uint64_t h = 1469598103934665603ull) {
  for (size_t i = 0; i < n; ++i) {
    h ^= static_cast<const unsigned char*>(p)[i];
    h *= 1099511628211ull;
  }
  return h;
}
int main() {
  for (KernelPath p : supported_kernel_paths()) {
    const KernelTable& k = kernel_table(p);
    st = 88172645463325252ull;
    auto x = vec(4099, 6.0f), u = vec(4099, 1.0f), w = vec(896, 1.0f);
    std::vector<float> y(4099);
    k.exp(x.data(), y.data(), 4099);
    uint64_t hexp = fnv(y.data(), 4 * y.size());
    auto g = x;
    k.swiglu(g.data(), u.data(), 4099);
    uint64_t hsw = fnv(g.data(), 4 * g.size());
    k.rmsnorm_row(x.data(), w.data(), y.data(), 896, 1e-5f);
    uint64_t hrms = fnv(y.data(), 4 * 896);
    std::vector<float> c(64), s(64);
    for (int i = 0; i < 64; ++i) c[i] = std::cos(0.1f * i), s[i] = std::sin(0.1f * i);
    auto r1 = x, r2 = x;
    k.rope_row(r1.data(), c.data(), s.data(), 4, 128, RopeLayout::HalfSplit);
    k.rope_row(r2.data(), c.data(), s.data(), 4, 128, RopeLayout::Adjacent);
    uint64_t hrope = fnv(r2.data(), 4 * 512, fnv(r1.data(), 4 * 512));
    double ls = 0;
    for (int t : {0, 77, 4098}) ls += k.log_softmax_at(x.data(), 4099, t);
    uint64_t hls = fnv(&ls, 8);
    // attention: n=300, 4 heads, 2 kv heads, head_dim 64, causal, tiles as attention_tiled
    const int n = 300, H = 4, KV = 2, hd = 64, qd = H * hd, kvd = KV * hd;
    auto q = vec(n * qd, 1.5f), kk = vec(n * kvd, 1.5f), vv = vec(n * kvd, 1.5f);
    std::vector<float> out(n * qd), scr(attention_block_scratch_floats(hd));
    for (int h = 0; h < H; ++h)
      for (int q0 = 0; q0 < n; q0 += kAttnQueryTile) {
        AttnBlock b;
        b.q = q.data() + q0 * qd + h * hd;
        b.q_stride = qd;
        b.k = kk.data() + (h / 2) * hd;
        b.v = vv.data() + (h / 2) * hd;
        b.kv_stride = kvd;
        b.out = out.data() + q0 * qd + h * hd;
        b.out_stride = qd;
        b.bq = n - q0 < kAttnQueryTile ? n - q0 : kAttnQueryTile;
        b.q0 = q0;
        b.head_dim = hd;
        b.scale = 1.0f / std::sqrt(64.0f);
        b.scratch = scr.data();
        k.attention_block(b);
      }
    uint64_t hatt = fnv(out.data(), 4 * out.size());
    std::vector<float> o2(hd), scr2(attention_row_scratch_floats(n, hd));
    AttnRow a;
    a.q = q.data();
    a.k = kk.data();
    a.v = vv.data();
    a.kv_stride = kvd;
    a.nk = n;
    a.head_dim = hd;
    a.scale = 0.125f;
    a.out = o2.data();
    a.scratch = scr2.data();
    k.attention_row(a);
    uint64_t hrow = fnv(o2.data(), 4 * hd);
    // GEMM tiles: C (24 × 64) = A (24 × 300) · Bᵀ in two passes of columns (200, then 100
    // continuing C), B packed in this path's panels of nr rows
    const int M = 24, N = 64, K = 300, mr = k.gemm_mr, nr = k.gemm_nr;
    auto A = vec(M * K, 1.0f), B = vec(N * K, 1.0f);
    std::vector<float> C(M * N), bp(K * nr);
    for (int j0 = 0; j0 < N; j0 += nr)
      for (int k0 : {0, 200}) {
        const int kc = k0 == 0 ? 200 : 100;
        for (int kk2 = 0; kk2 < kc; ++kk2)
          for (int j = 0; j < nr; ++j) bp[kk2 * nr + j] = B[(j0 + j) * K + k0 + kk2];
        for (int i0 = 0; i0 < M; i0 += mr)
          k.gemm_tile(kc, A.data() + i0 * K + k0, K, bp.data(), C.data() + i0 * N + j0, N, k0 > 0);
      }
    uint64_t hgemm = fnv(C.data(), 4 * C.size());
    std::printf(
        "%-7s exp %016llx swiglu %016llx rmsnorm %016llx rope %016llx logsoftmax %016llx attn "
        "%016llx decode %016llx gemm %016llx\n",
        kernel_path_name(p), (unsigned long long)hexp, (unsigned long long)hsw,
        (unsigned long long)hrms, (unsigned long long)hrope, (unsigned long long)hls,
        (unsigned long long)hatt, (unsigned long long)hrow, (unsigned long long)hgemm);
  }
}

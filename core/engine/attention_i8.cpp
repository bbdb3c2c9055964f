// Causal attention with --compute int8: keys and values quantized once per call, then the
// (head, query block) tasks of attention_tiled on the int8 kernel.
#include <algorithm>
#include <vector>

#include "core/engine/attention.h"
#include "core/kernels/attn_i8.h"
#include "core/kernels/i8_quant.h"
#include "core/util/error.h"

namespace lr {

namespace {
constexpr int BK = kAttnKeyTile;

// The int8 keys and values of every KV head (layout in attn_i8.h), head g at g · its share.
struct KvI8 {
  std::vector<uint8_t> k8;
  std::vector<float> dk, dv;
  std::vector<int8_t> v8;
  int kd = 0, tiles = 0;
  void quantize(const float* k, const float* v, const AttentionShape& s) {
    const int hd = s.head_dim, kvh = s.n_kv_heads, kvd = kvh * hd, n = s.n;
    kd = (hd + 3) / 4 * 4, tiles = (n + BK - 1) / BK;
    k8.resize(static_cast<size_t>(kvh) * n * kd);
    dk.resize(static_cast<size_t>(kvh) * n);
    v8.resize(static_cast<size_t>(kvh) * tiles * hd * BK);
    dv.resize(static_cast<size_t>(kvh) * tiles * hd);
    const long rows = static_cast<long>(kvh) * n, cols = static_cast<long>(kvh) * tiles * hd;
#pragma omp parallel
    {
      std::vector<int8_t> q(static_cast<size_t>(std::max(kd, BK)));
      std::vector<float> x(BK);
#pragma omp for schedule(static)
      for (long r = 0; r < rows; ++r) {  // key j of head g
        const long g = r / n, j = r % n;
        dk[r] = kern::quantize_i8(k + j * kvd + g * hd, hd, kd, q.data());
        for (int t = 0; t < kd; ++t) k8[r * kd + t] = static_cast<uint8_t>(q[t] + 128);
      }
#pragma omp for schedule(static)
      for (long c = 0; c < cols; ++c) {  // channel t of key tile b of head g
        const long g = c / (static_cast<long>(tiles) * hd), b = c / hd % tiles, t = c % hd;
        const int cnt = static_cast<int>(std::min<long>(BK, n - b * BK));
        for (int j = 0; j < cnt; ++j) x[j] = v[(b * BK + j) * kvd + g * hd + t];
        dv[c] = kern::quantize_i8(x.data(), cnt, BK, v8.data() + c * BK);
      }
    }
  }
};
}  // namespace

void attention_tiled_i8(const float* q, const float* k, const float* v, float* out,
                        const AttentionShape& s) {
  const AttnI8Kernel& ker = attn_i8_kernel();
  const int hd = s.head_dim;
  if (hd > 512) fail(ErrorKind::Unsupported, "--compute int8 attention takes head_dim <= 512");
  thread_local KvI8 kv;
  kv.quantize(k, v, s);
  const int group = s.n_heads / s.n_kv_heads;
  const long tasks = attention_tasks(s);
  KvI8* kvp = &kv;  // the caller's thread_local, shared with the team
#pragma omp parallel
  {
    std::vector<uint8_t> scratch(attention_i8_scratch_bytes(hd));
#pragma omp for schedule(dynamic, 1)
    for (long task = tasks - 1; task >= 0; --task) {  // longest (last) query blocks first
      const AttnBlock b = attention_task(q, k, v, out, s, task);
      const int g = static_cast<int>(task % s.n_heads) / group;
      AttnI8Kv h8;
      h8.kd = kvp->kd;
      h8.k8 = kvp->k8.data() + static_cast<long>(g) * s.n * kvp->kd;
      h8.dk = kvp->dk.data() + static_cast<long>(g) * s.n;
      h8.v8 = kvp->v8.data() + static_cast<long>(g) * kvp->tiles * hd * BK;
      h8.dv = kvp->dv.data() + static_cast<long>(g) * kvp->tiles * hd;
      ker.block(b, h8, scratch.data());
    }
  }
}

}  // namespace lr

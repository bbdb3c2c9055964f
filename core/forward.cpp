// The LLaMA block stack: RMSNorm -> QKV -> RoPE -> attention -> O; RMSNorm -> SwiGLU FFN.
#include "forward.h"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>

#include "attention.h"
#include "error.h"
#include "kernels.h"

namespace lr {

namespace {
using MatRM = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using CMap = Eigen::Map<const MatRM>;
using Map = Eigen::Map<MatRM>;

// y (rows, out) = x (rows, in) · Wᵀ, with W (out, in) row-major; Eigen threads the GEMM.
void linear(const float* x, const float* w, float* y, long rows, long in, long out) {
  Map(y, rows, out).noalias() = CMap(x, rows, in) * CMap(w, out, in).transpose();
}
void linear_add(const float* x, const float* w, float* y, long rows, long in, long out) {
  Map(y, rows, out).noalias() += CMap(x, rows, in) * CMap(w, out, in).transpose();
}
}  // namespace

void Activations::reserve(const ModelConfig& c, int n) {
  if (n <= capacity) return;
  const size_t N = static_cast<size_t>(n);
  x.assign(N * c.dim, 0.0f);
  xb.assign(N * c.dim, 0.0f);
  q.assign(N * c.q_dim(), 0.0f);
  k.assign(N * c.kv_dim(), 0.0f);
  v.assign(N * c.kv_dim(), 0.0f);
  att.assign(N * c.q_dim(), 0.0f);
  gate.assign(static_cast<size_t>(Engine::kFfnChunk) * c.hidden_dim, 0.0f);
  up.assign(static_cast<size_t>(Engine::kFfnChunk) * c.hidden_dim, 0.0f);
  logits.assign(static_cast<size_t>(Engine::kHeadChunk) * c.vocab_size, 0.0f);
  capacity = n;
}

size_t Activations::bytes() const {
  return 4 * (x.capacity() + xb.capacity() + q.capacity() + k.capacity() + v.capacity() +
              att.capacity() + gate.capacity() + up.capacity() + logits.capacity());
}

std::vector<double> Engine::logprobs(const std::vector<int>& tokens, const RopeScaling& rope,
                                     int score_from) {
  const ModelConfig& c = model_.config;
  const Weights& w = model_.weights;
  const int n = static_cast<int>(tokens.size());
  if (n < 2) fail(ErrorKind::InvalidArgument, "need at least 2 tokens to score");
  if (score_from < 0 || score_from > n - 2)
    fail(ErrorKind::InvalidArgument, "score_from out of range");
  for (int t : tokens)
    if (t < 0 || t >= c.vocab_size)
      fail(ErrorKind::Data, "token id " + std::to_string(t) + " outside the model's vocabulary (" +
                                std::to_string(c.vocab_size) + ")");
  act_.reserve(c, n);
  const int dim = c.dim, qd = c.q_dim(), kvd = c.kv_dim(), hid = c.hidden_dim;
  float* x = act_.x.data();
  float* xb = act_.xb.data();

  for (int i = 0; i < n; ++i)
    std::copy_n(w.tok_embd + static_cast<long>(tokens[i]) * dim, dim,
                x + static_cast<long>(i) * dim);

  RopeTable table;
  const bool shared_table = rope_layer_invariant(rope);
  if (shared_table) table.build(rope_freqs(c, rope, 0, n), n);
  const AttentionShape shape{n, c.n_heads, c.n_kv_heads, c.head_dim, c.sliding_window};

  for (int l = 0; l < c.n_layers; ++l) {
    const LayerWeights& L = w.layers[l];
    if (!shared_table) table.build(rope_freqs(c, rope, l, n), n);
    // Attention block
    rmsnorm_rows(x, L.attn_norm, xb, n, dim, c.norm_eps);
    linear(xb, L.wq, act_.q.data(), n, dim, qd);
    linear(xb, L.wk, act_.k.data(), n, dim, kvd);
    linear(xb, L.wv, act_.v.data(), n, dim, kvd);
    rope_rows(act_.q.data(), n, qd, c.n_heads, c.head_dim, c.rope_layout, table);
    rope_rows(act_.k.data(), n, kvd, c.n_kv_heads, c.head_dim, c.rope_layout, table);
    attention_tiled(act_.q.data(), act_.k.data(), act_.v.data(), act_.att.data(), shape);
    linear_add(act_.att.data(), L.wo, x, n, qd, dim);
    // Feed-forward block, in row chunks so the hidden activations stay small
    rmsnorm_rows(x, L.ffn_norm, xb, n, dim, c.norm_eps);
    for (int r0 = 0; r0 < n; r0 += kFfnChunk) {
      const int rows = std::min(kFfnChunk, n - r0);
      const float* in = xb + static_cast<long>(r0) * dim;
      linear(in, L.w_gate, act_.gate.data(), rows, dim, hid);
      linear(in, L.w_up, act_.up.data(), rows, dim, hid);
      swiglu(act_.gate.data(), act_.up.data(), static_cast<long>(rows) * hid);
      linear_add(act_.gate.data(), L.w_down, x + static_cast<long>(r0) * dim, rows, hid, dim);
    }
  }

  // Output head fused with log-softmax, in chunks of rows: never an (n, vocab) matrix.
  const int first = score_from, last = n - 1;  // rows whose next token is scored
  std::vector<double> out(last - first);
  rmsnorm_rows(x + static_cast<long>(first) * dim, w.out_norm, xb + static_cast<long>(first) * dim,
               last - first, dim, c.norm_eps);
  const int V = c.vocab_size;
  for (int r0 = first; r0 < last; r0 += kHeadChunk) {
    const int rows = std::min(kHeadChunk, last - r0);
    linear(xb + static_cast<long>(r0) * dim, w.output, act_.logits.data(), rows, dim, V);
#pragma omp parallel for schedule(static)
    for (int i = 0; i < rows; ++i) {
      const float* lg = act_.logits.data() + static_cast<long>(i) * V;
      float mx = lg[0];
      for (int j = 1; j < V; ++j) mx = std::max(mx, lg[j]);
      double z = 0.0;
      for (int j = 0; j < V; ++j) z += std::exp(static_cast<double>(lg[j] - mx));
      out[r0 + i - first] = static_cast<double>(lg[tokens[r0 + i + 1]] - mx) - std::log(z);
    }
  }
  return out;
}

double prefill_flops(const ModelConfig& c, long n, long scored) {
  const double per_token = 2.0 * c.n_layers *
                           (static_cast<double>(c.dim) * (c.q_dim() + 2 * c.kv_dim()) +
                            static_cast<double>(c.q_dim()) * c.dim + 3.0 * c.dim * c.hidden_dim);
  const double span = c.sliding_window > 0 ? std::min<double>(n, c.sliding_window) : n;
  // causal attention: QKᵀ and PV, ~n·span/2 pairs per head (2 flops each, head_dim wide)
  const double attn = 2.0 * 2.0 * c.n_layers * c.n_heads * c.head_dim * (n * span / 2.0);
  const double head = 2.0 * scored * c.dim * static_cast<double>(c.vocab_size);
  return per_token * n + attn + head;
}

}  // namespace lr

// The block stack: RMSNorm -> QKV (+bias, per-head norm) -> RoPE -> attention -> O; SwiGLU FFN.
#include "core/engine/forward.h"

#include <algorithm>
#include <cmath>

#include "core/engine/attention.h"
#include "core/engine/row_ops.h"
#include "core/kernels/kernels.h"
#include "core/kernels/matmul.h"
#include "core/util/error.h"

namespace lr {

namespace {
// y (rows, out) = x (rows, in) · Wᵀ (+ y), with W (out, in) in its stored type.
void linear(const float* x, const QTensor& w, float* y, long rows) { matmul(x, w, y, rows); }
void linear_add(const float* x, const QTensor& w, float* y, long rows) {
  matmul(x, w, y, rows, true);
}
// y (rows, out) = x · Wᵀ + b when the architecture has a bias b (out), else x · Wᵀ.
void linear_bias(const float* x, const QTensor& w, const float* b, float* y, long rows) {
  linear(x, w, y, rows);
  if (!b) return;
  const long out = w.rows;
  for (long r = 0; r < rows; ++r)
    for (long o = 0; o < out; ++o) y[r * out + o] += b[o];
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

SequenceRope sequence_rope(const ModelConfig& c, const RopeScaling& r, int select_len) {
  SequenceRope sr;
  const int layers = rope_layer_invariant(r) ? 1 : c.n_layers;
  for (int l = 0; l < layers; ++l) sr.layers.push_back(rope_freqs(c, r, l, select_len));
  return sr;
}

double log_softmax_at(const float* lg, int V, int token) {
  return kernels().log_softmax_at(lg, V, token);
}

void Engine::run_layers(const int* tokens, int m, int pos0, const SequenceRope& rope,
                        KvCache* cache) {
  const ModelConfig& c = model_.config;
  const Weights& w = model_.weights;
  for (int i = 0; i < m; ++i)
    if (tokens[i] < 0 || tokens[i] >= c.vocab_size)
      fail(ErrorKind::Data, "token id " + std::to_string(tokens[i]) +
                                " outside the model's vocabulary (" + std::to_string(c.vocab_size) +
                                ")");
  act_.reserve(c, m);
  const int dim = c.dim, qd = c.q_dim(), kvd = c.kv_dim(), hid = c.hidden_dim;
  float* x = act_.x.data();
  float* xb = act_.xb.data();

  {
    StageTimer st(times_, Stage::Embed);
    for (int i = 0; i < m; ++i)
      w.tok_embd.rows_to_f32(tokens[i], 1, x + static_cast<long>(i) * dim);
  }
  // 2 · rows · out · in per product; causal attention ~m · (pos0 + m/2) pairs per head (QKᵀ, PV)
  const auto gemm = [](long rows, const QTensor& q) { return 2.0 * rows * q.rows * q.cols; };
  const double attn_flops =
      4.0 * c.n_heads * c.head_dim * attention_pairs(pos0, m, c.sliding_window);

  // Table rows for positions [pos0, pos0 + m): rebuilt per layer only for per-layer factors.
  RopeTable table;
  const bool shared_table = rope.layers.size() == 1;
  if (shared_table) {
    StageTimer st(times_, Stage::Rope);
    table.build(rope.at(0), m, pos0);
  }
  const AttentionShape shape{m, c.n_heads, c.n_kv_heads, c.head_dim, c.sliding_window};

  for (int l = 0; l < c.n_layers; ++l) {
    const LayerWeights& L = w.layers[l];
    if (!shared_table) {
      StageTimer st(times_, Stage::Rope);
      table.build(rope.at(l), m, pos0);
    }
    // Attention block
    {
      StageTimer st(times_, Stage::Norm);
      rmsnorm_rows(x, L.attn_norm, xb, m, dim, c.norm_eps);
    }
    {
      StageTimer st(times_, Stage::QkvProj, gemm(m, L.wq) + gemm(m, L.wk) + gemm(m, L.wv));
      linear_bias(xb, L.wq, L.bq, act_.q.data(), m);
      linear_bias(xb, L.wk, L.bk, act_.k.data(), m);
      linear_bias(xb, L.wv, L.bv, act_.v.data(), m);
    }
    if (L.q_norm) {  // qwen3: RMSNorm of every head (rows of head_dim), before RoPE
      StageTimer st(times_, Stage::Norm);
      rmsnorm_rows(act_.q.data(), L.q_norm, act_.q.data(), m * c.n_heads, c.head_dim, c.norm_eps);
      rmsnorm_rows(act_.k.data(), L.k_norm, act_.k.data(), m * c.n_kv_heads, c.head_dim,
                   c.norm_eps);
    }
    {
      StageTimer st(times_, Stage::Rope);
      rope_rows(act_.q.data(), m, qd, c.n_heads, c.head_dim, c.rope_layout, table);
      rope_rows(act_.k.data(), m, kvd, c.n_kv_heads, c.head_dim, c.rope_layout, table);
    }
    {
      StageTimer st(times_, Stage::Attention, attn_flops);
      if (cache) {
        std::copy_n(act_.k.data(), static_cast<size_t>(m) * kvd, cache->k_at(l, pos0));
        std::copy_n(act_.v.data(), static_cast<size_t>(m) * kvd, cache->v_at(l, pos0));
      }
      if (pos0 == 0)  // whole sequence so far in act_.k/v: tiled, no n×n matrix
        attention_tiled(act_.q.data(), act_.k.data(), act_.v.data(), act_.att.data(), shape);
      else
        attention_cached(act_.q.data(), act_.att.data(), m, pos0, *cache, l, c.n_heads,
                         c.n_kv_heads, c.head_dim, c.sliding_window);
    }
    {
      StageTimer st(times_, Stage::OutProj, gemm(m, L.wo));
      linear_add(act_.att.data(), L.wo, x, m);
    }
    // Feed-forward block, in row chunks so the hidden activations stay small
    {
      StageTimer st(times_, Stage::Norm);
      rmsnorm_rows(x, L.ffn_norm, xb, m, dim, c.norm_eps);
    }
    for (int r0 = 0; r0 < m; r0 += kFfnChunk) {
      const int rows = std::min(kFfnChunk, m - r0);
      const float* in = xb + static_cast<long>(r0) * dim;
      {
        StageTimer st(times_, Stage::FfnGemm, gemm(rows, L.w_gate) + gemm(rows, L.w_up));
        linear(in, L.w_gate, act_.gate.data(), rows);
        linear(in, L.w_up, act_.up.data(), rows);
      }
      {
        StageTimer st(times_, Stage::Swiglu);
        swiglu(act_.gate.data(), act_.up.data(), static_cast<long>(rows) * hid);
      }
      StageTimer st(times_, Stage::FfnGemm, gemm(rows, L.w_down));
      linear_add(act_.gate.data(), L.w_down, x + static_cast<long>(r0) * dim, rows);
    }
  }
}

void Engine::score_rows(const int* tokens, int first, int last, double* out) {
  const ModelConfig& c = model_.config;
  const Weights& w = model_.weights;
  const int dim = c.dim, V = c.vocab_size;
  float* x = act_.x.data();
  float* xb = act_.xb.data();
  // Output head fused with log-softmax, in chunks of rows: never an (n, vocab) matrix.
  {
    StageTimer st(times_, Stage::Norm);
    rmsnorm_rows(x + static_cast<long>(first) * dim, w.out_norm,
                 xb + static_cast<long>(first) * dim, last - first, dim, c.norm_eps);
  }
  for (int r0 = first; r0 < last; r0 += kHeadChunk) {
    const int rows = std::min(kHeadChunk, last - r0);
    {
      StageTimer st(times_, Stage::Head, 2.0 * rows * w.output.rows * w.output.cols);
      linear(xb + static_cast<long>(r0) * dim, w.output, act_.logits.data(), rows);
    }
    StageTimer st(times_, Stage::Softmax);
    const KernelTable& k = kernels();
#pragma omp parallel for schedule(static)
    for (int i = 0; i < rows; ++i)
      out[r0 + i - first] =
          k.log_softmax_at(act_.logits.data() + static_cast<long>(i) * V, V, tokens[r0 + i + 1]);
  }
}

std::vector<double> Engine::logprobs(const std::vector<int>& tokens, const RopeScaling& rope,
                                     int score_from, int select_len) {
  const int n = static_cast<int>(tokens.size());
  if (n < 2) fail(ErrorKind::InvalidArgument, "need at least 2 tokens to score");
  if (score_from < 0 || score_from > n - 2)
    fail(ErrorKind::InvalidArgument, "score_from out of range");
  run_layers(tokens.data(), n, 0,
             sequence_rope(model_.config, rope, select_len > 0 ? select_len : n), nullptr);
  std::vector<double> out(n - 1 - score_from);  // rows score_from .. n-2
  score_rows(tokens.data(), score_from, n - 1, out.data());
  return out;
}

std::vector<float> Engine::extend(const int* tokens, int m, const SequenceRope& rope,
                                  KvCache& cache, std::vector<double>* row_logprobs) {
  const ModelConfig& c = model_.config;
  if (m < 1) fail(ErrorKind::InvalidArgument, "extend needs at least one token");
  if (cache.capacity == 0 || cache.kv_dim != c.kv_dim() || cache.n_layers != c.n_layers)
    fail(ErrorKind::InvalidArgument, "KV cache not sized for this model");
  if (cache.len + m > cache.capacity)
    fail(ErrorKind::InvalidArgument, "KV cache full: " + std::to_string(cache.len) + " + " +
                                         std::to_string(m) + " > " +
                                         std::to_string(cache.capacity) + " positions");
  const int pos0 = cache.len;
  run_layers(tokens, m, pos0, rope, &cache);
  cache.len += m;
  if (row_logprobs) {
    row_logprobs->assign(m - 1, 0.0);
    if (m > 1) score_rows(tokens, 0, m - 1, row_logprobs->data());
  }
  const int dim = c.dim, V = c.vocab_size;
  const float* last = act_.x.data() + static_cast<long>(m - 1) * dim;
  {
    StageTimer st(times_, Stage::Norm);
    rmsnorm_rows(last, model_.weights.out_norm, act_.xb.data(), 1, dim, c.norm_eps);
  }
  {
    const QTensor& out = model_.weights.output;
    StageTimer st(times_, Stage::Head, 2.0 * out.rows * out.cols);
    linear(act_.xb.data(), out, act_.logits.data(), 1);
  }
  return std::vector<float>(act_.logits.begin(), act_.logits.begin() + V);
}

double attention_pairs(long pos0, long m, int window) {
  const double a = static_cast<double>(pos0), b = a + static_cast<double>(m);
  if (window <= 0 || b <= window) return (b * b - a * a) / 2.0;
  const double w = window;
  if (a >= w) return (b - a) * w;
  return (w * w - a * a) / 2.0 + (b - w) * w;
}

double prefill_flops(const ModelConfig& c, long n, long scored) {
  const double per_token = 2.0 * c.n_layers *
                           (static_cast<double>(c.dim) * (c.q_dim() + 2 * c.kv_dim()) +
                            static_cast<double>(c.q_dim()) * c.dim + 3.0 * c.dim * c.hidden_dim);
  // causal attention: QKᵀ and PV per pair and head (2 flops each, head_dim wide)
  const double attn =
      2.0 * 2.0 * c.n_layers * c.n_heads * c.head_dim * attention_pairs(0, n, c.sliding_window);
  const double head = 2.0 * scored * c.dim * static_cast<double>(c.vocab_size);
  return per_token * n + attn + head;
}

}  // namespace lr

// Whole-sequence prefill that returns per-token log-probabilities, in O(n·d) memory.
#pragma once
#include <vector>

#include "core/engine/kv_cache.h"
#include "core/engine/stage_times.h"
#include "core/model/model.h"
#include "core/rope/rope.h"

namespace lr {

// Activations for one sequence: every buffer is (rows, width), row-major; sized on demand.
struct Activations {
  int capacity = 0;
  std::vector<float> x;       // (n, dim) residual stream
  std::vector<float> xb;      // (n, dim) normed input of a block
  std::vector<float> q;       // (n, n_heads * head_dim)
  std::vector<float> k, v;    // (n, n_kv_heads * head_dim)
  std::vector<float> att;     // (n, n_heads * head_dim) attention output
  std::vector<float> gate;    // (chunk, hidden_dim)
  std::vector<float> up;      // (chunk, hidden_dim)
  std::vector<float> logits;  // (chunk, vocab)
  void reserve(const ModelConfig& c, int n);
  size_t bytes() const;
};

// The RoPE frequencies in force for one whole sequence, chosen once from ONE selection
// length (what rope_freqs calls seq_len): factors, start tokens and mscale never change
// while the sequence is processed, whatever the position.
struct SequenceRope {
  std::vector<RopeFreqs> layers;  // one entry shared by every layer, or one per layer
  const RopeFreqs& at(int layer) const { return layers.size() == 1 ? layers[0] : layers[layer]; }
};
SequenceRope sequence_rope(const ModelConfig& c, const RopeScaling& r, int select_len);

// log softmax(logits)[token], in double (the same arithmetic as Engine::logprobs).
double log_softmax_at(const float* logits, int vocab, int token);

class Engine {
 public:
  explicit Engine(const Model& model) : model_(model) {}

  // log p(tokens[t+1] | tokens[0..t]) for t = score_from .. n-2 (n-1-score_from values).
  // Positions are 0..n-1 with the given scaling; `rope.factor` is used as given. The RoPE
  // frequencies are selected with seq_len = `select_len` (0 = n).
  std::vector<double> logprobs(const std::vector<int>& tokens, const RopeScaling& rope,
                               int score_from = 0, int select_len = 0);

  // Generation: runs tokens[0..m) at positions cache.len .. cache.len+m-1 against the cache
  // (a prefill when the cache is empty, a decode step when m = 1) and appends their K/V.
  // Returns the logits (vocab) of the last row only. With `row_logprobs`, also returns the
  // m-1 values log p(tokens[i+1] | ..) for rows i = 0 .. m-2 (head in row chunks).
  std::vector<float> extend(const int* tokens, int m, const SequenceRope& rope, KvCache& cache,
                            std::vector<double>* row_logprobs = nullptr);

  const Model& model() const { return model_; }
  size_t activation_bytes() const { return act_.bytes(); }
  // Wall seconds and FLOPs per stage of every pass since construction or the last reset.
  const StageTimes& stage_times() const { return times_; }
  void reset_stage_times() { times_ = StageTimes{}; }

  static constexpr int kFfnChunk = 512;   // rows per FFN chunk
  static constexpr int kHeadChunk = 128;  // rows per output-head chunk

 private:
  // Embeds tokens[0..m) and runs every block at positions pos0 .. pos0+m-1; the residual
  // stream is left in act_.x. With a cache, K/V are appended and attention reads the cache.
  void run_layers(const int* tokens, int m, int pos0, const SequenceRope& rope, KvCache* cache);
  // Output head + log-softmax over rows [first, last) of act_.x in chunks: out[r - first] =
  // log p(tokens[r+1] | ..).
  void score_rows(const int* tokens, int first, int last, double* out);

  const Model& model_;
  Activations act_;
  StageTimes times_;
};

// FLOPs of one prefill of n tokens scoring `scored` positions (matmuls + attention), for
// GFLOP/s reports.
double prefill_flops(const ModelConfig& c, long n, long scored);
// (query, key) pairs causal attention computes for queries at positions pos0 .. pos0+m-1, each
// seeing at most `window` keys (0: all before it): ∫ min(p, window) dp over [pos0, pos0 + m],
// the continuous count (m²/2 for a whole sequence) that the FLOP reports use.
double attention_pairs(long pos0, long m, int window);

}  // namespace lr

// Whole-sequence prefill that returns per-token log-probabilities, in O(n·d) memory.
#pragma once
#include <vector>

#include "model.h"
#include "rope.h"

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

class Engine {
 public:
  explicit Engine(const Model& model) : model_(model) {}

  // log p(tokens[t+1] | tokens[0..t]) for t = score_from .. n-2 (n-1-score_from values).
  // Positions are 0..n-1 with the given scaling; `rope.factor` is used as given.
  std::vector<double> logprobs(const std::vector<int>& tokens, const RopeScaling& rope,
                               int score_from = 0);

  const Model& model() const { return model_; }
  size_t activation_bytes() const { return act_.bytes(); }

  static constexpr int kFfnChunk = 512;   // rows per FFN chunk
  static constexpr int kHeadChunk = 128;  // rows per output-head chunk

 private:
  const Model& model_;
  Activations act_;
};

// FLOPs of one prefill of n tokens scoring `scored` positions (matmuls + attention), for
// GFLOP/s reports.
double prefill_flops(const ModelConfig& c, long n, long scored);

}  // namespace lr

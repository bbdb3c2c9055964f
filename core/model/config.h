// Model description: the hyperparameters every loader fills and the forward pass reads.
#pragma once
#include <string>
#include <vector>

#include "core/tensor/rope_layout.h"

namespace lr {

struct ModelConfig {
  std::string arch = "llama";
  std::string format;  // "hf", "gguf", "llama2c"
  int dim = 0;         // residual width
  int hidden_dim = 0;  // SwiGLU inner width
  int n_layers = 0;
  int n_heads = 0;
  int n_kv_heads = 0;
  int head_dim = 0;
  int vocab_size = 0;
  int max_position = 0;  // trained context length (0 = unknown)
  double rope_theta = 10000.0;
  float norm_eps = 1e-5f;
  RopeLayout rope_layout = RopeLayout::HalfSplit;
  bool tied_output = false;
  int bos_id = -1;  // -1 = none
  int eos_id = -1;
  bool add_bos = true;
  int sliding_window = 0;  // Mistral-style local attention span (0 = full causal)
  // RoPE scaling the file carries as part of the model, applied unless the user replaces it
  // (RopeScaling::replace_file_factors). Per-dimension frequency divisors: GGUF
  // rope_freqs.weight or HF rope_scaling long_factor; empty = none.
  std::vector<float> rope_freq_factors;
  std::vector<float> rope_short_factors;  // HF short_factor: used while seq_len <= max_position
  double rope_attn_factor = 1.0;  // cos/sin multiplier at every position (HF attention_factor,
                                  // GGUF <arch>.rope.scaling.attn_factor)
  // Usable context the file declares when it differs from the trained one (HF
  // max_position_embeddings beside original_max_position_embeddings, GGUF context_length
  // beside rope.scaling.original_context_length); 0 = max_position.
  int context_length = 0;
  bool has_file_rope_factors() const { return !rope_freq_factors.empty(); }

  int q_dim() const { return n_heads * head_dim; }
  int kv_dim() const { return n_kv_heads * head_dim; }
  // Validates internal consistency; throws Format naming the offending field.
  void validate(const std::string& source) const;
};

}  // namespace lr

// Consistency checks on a loaded model description.
#include "core/model/config.h"

#include "core/util/error.h"

namespace lr {

void ModelConfig::validate(const std::string& source) const {
  auto need = [&](bool ok, const std::string& what) {
    if (!ok) fail(ErrorKind::Format, source + ": invalid model description: " + what);
  };
  need(dim > 0, "hidden size must be positive");
  need(hidden_dim > 0, "intermediate size must be positive");
  need(n_layers > 0, "layer count must be positive");
  need(n_heads > 0 && n_kv_heads > 0, "head counts must be positive");
  need(n_heads % n_kv_heads == 0, "attention heads (" + std::to_string(n_heads) +
                                      ") must be a multiple of KV heads (" +
                                      std::to_string(n_kv_heads) + ")");
  need(head_dim > 0 && head_dim % 2 == 0, "head_dim must be positive and even");
  need(vocab_size > 0, "vocabulary size must be positive");
  need(rope_theta > 0, "rope_theta must be positive");
  need(norm_eps > 0, "norm epsilon must be positive");
  need(bos_id < vocab_size && eos_id < vocab_size, "special token id outside the vocabulary");
  need(rope_freq_factors.empty() || static_cast<int>(rope_freq_factors.size()) == head_dim / 2,
       "rope_freqs must have head_dim/2 entries");
  need(rope_short_factors.empty() || static_cast<int>(rope_short_factors.size()) == head_dim / 2,
       "short RoPE factors must have head_dim/2 entries");
  need(rope_attn_factor > 0, "the RoPE attention factor must be positive");
}

}  // namespace lr

// Greedy generation: one prefill of the prompt, then one decode step per token (KV cache).
#pragma once
#include <vector>

#include "core/engine/forward.h"
#include "core/rope/rope.h"

namespace lr {

struct GenerateOptions {
  int max_new_tokens = 10;  // stop after this many generated tokens
  int eos_id = -1;          // stop when this token is generated (-1 = never); it is kept
  // Selection length handed to rope_freqs once for the whole sequence (0 = prompt length +
  // max_new_tokens). The RoPE table covers positions [0, prompt + max_new_tokens).
  int select_len = 0;
};

struct Generation {
  std::vector<int> tokens;  // generated tokens (the EOS included when it stopped there)
  bool stopped_at_eos = false;
};

// Index of the largest logit (the first one on ties, as llama.cpp's greedy sampler).
int argmax(const std::vector<float>& logits);

// Greedy continuation of `prompt` with the scaling `rope` (rope.factor used as given).
// Memory: the KV cache and activations, O((prompt + max_new) · d).
Generation generate_greedy(Engine& engine, const std::vector<int>& prompt, const RopeScaling& rope,
                           const GenerateOptions& opt);

}  // namespace lr

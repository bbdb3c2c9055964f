// A model's shape and stored size from headers only (no weight is read or converted), for `plan`.
#pragma once
#include <cstdint>
#include <string>

#include "core/model/config.h"

namespace lr {

struct ModelHeader {
  ModelConfig config;
  std::string source;             // "hf", "gguf", "llama2c" or "hf-config" (a bare config.json)
  uint64_t stored_bytes = 0;      // sum of tensor bytes in the file(s), or an estimate
  bool stored_estimated = false;  // true for a bare config.json
  std::string stored_note;        // how stored_bytes was obtained, for the report
  std::string engine_note;        // non-empty when our engine cannot load the file, and why
  // Weight bytes our engine holds: matrices as stored (mapped), 1-D tensors (norms, biases,
  // factors) as F32 copies; for a bare config.json the same rule on the estimate.
  uint64_t engine_bytes = 0;
};

// Accepts what load_model accepts plus a bare Hugging Face config.json. For the bare config
// the stored size is parameter_count(config) × bytes per parameter of its `torch_dtype`
// (float32 when absent).
ModelHeader read_model_header(const std::string& path);

// Parameters of a LLaMA-family model: embeddings, per layer (two norms, Q, K, V, O, gate,
// up, down), the final norm, and the output head unless tied to the embeddings.
uint64_t parameter_count(const ModelConfig& c);

}  // namespace lr

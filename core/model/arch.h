// Architecture table: per family, file names, tensor names, RoPE layout and layer features.
#pragma once
#include <string>
#include <vector>

#include "core/model/config.h"

namespace lr {

enum class Arch { Llama, Qwen2, Qwen3, Phi3 };

// The parts of a layer (and of the model) a file may hold, named per format by tensor_name.
enum class Part {
  Embed,
  OutNorm,
  Output,  // model-wide
  AttnNorm,
  Wq,
  Wk,
  Wv,
  Wo,
  FfnNorm,
  Gate,
  Up,
  Down,  // every architecture
  Bq,
  Bk,
  Bv,  // q/k/v biases (qwen2)
  QNorm,
  KNorm,  // per-head RMSNorm weights (qwen3)
  Qkv,
  GateUp,  // fused matrices (phi3)
};

struct ArchSpec {
  Arch id;
  std::string name;  // GGUF general.architecture, also the GGUF metadata key prefix
  std::vector<std::string> hf_architectures;  // config.json "architectures"
  std::vector<std::string> hf_model_types;    // config.json "model_type"
  // GGUF rotary pairs: llama.cpp's converter permutes LLaMA's Q/K rows so that pair i is
  // (2i, 2i+1) (Adjacent); NEOX architectures keep HF's order, pair i = (i, i+d/2). HF
  // checkpoints are always HalfSplit.
  RopeLayout gguf_rope;
  bool qkv_bias;       // q/k/v projections carry biases
  bool qk_norm;        // RMSNorm (weights of head_dim) on every head of q and k, before RoPE
  bool fused_qkv;      // one (q_dim + 2 kv_dim, dim) matrix: q rows, then k, then v
  bool fused_gate_up;  // one (2 hidden, dim) matrix: gate rows, then up
  // config.json sliding_window is honoured without a switch (Mistral, Phi-3); Qwen applies
  // it only under use_sliding_window (refused: llama.cpp ignores it).
  bool hf_window_always;
  // HF BOS policy when tokenizer_config.json has no add_bos_token: Qwen's tokenizer adds
  // none, LLaMA (SentencePiece and LLaMA-3's template), Mistral and Phi-3 add BOS.
  bool hf_add_bos;
};

const ArchSpec& arch_spec(Arch a);
const std::vector<ArchSpec>& arch_table();
// Lookups; throw Unsupported naming the architecture and the supported list.
const ArchSpec& arch_from_gguf(const std::string& general_architecture, const std::string& src);
const ArchSpec& arch_from_hf(const std::string& architecture, const std::string& model_type,
                             const std::string& src);
// The spec of a loaded model (ModelConfig::arch holds its name; "mistral" maps to llama).
const ArchSpec& arch_of(const ModelConfig& c);

// Tensor names: format "hf" (Hugging Face) or "gguf" (llama.cpp); layer ignored for
// model-wide parts. Phi-3's fused gate_up is GGUF's ffn_up (2·hidden rows).
std::string tensor_name(const std::string& format, Part p, int layer = 0);

// llama.cpp's BOS rule when a GGUF has no tokenizer.ggml.add_bos_token: SentencePiece
// vocabularies add BOS; byte-level BPE only under the LLaMA-3 pre-tokenizers.
bool gguf_default_add_bos(const std::string& tokenizer_model, const std::string& pre);

// LLaMA-3.1's per-dimension frequency divisors, as Hugging Face's llama3 rope type computes
// them (θ_i / θ'_i for i = 0 .. head_dim/2-1): wavelengths above L/low_freq_factor divided by
// `factor`, below L/high_freq_factor kept, smoothly interpolated between.
std::vector<float> llama3_rope_factors(int head_dim, double theta, double factor,
                                       double low_freq_factor, double high_freq_factor,
                                       int original_max_position);

}  // namespace lr

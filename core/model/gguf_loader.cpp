// GGUF model loader (llama, qwen2, qwen3, phi3): hyperparameters under the architecture's key
// prefix, the file's own RoPE factors, weights named as llama.cpp names them.
#include <cmath>

#include "core/formats/gguf.h"
#include "core/model/arch.h"
#include "core/model/assemble.h"
#include "core/model/model.h"
#include "core/util/error.h"

namespace lr {

ModelConfig gguf_model_config(const GgufFile& g) {
  const std::string& path = g.path();
  const auto& m = g.meta();
  const ArchSpec& a = arch_from_gguf(m.value("general.architecture", std::string()), path);
  const std::string k = a.name + ".";  // metadata key prefix
  ModelConfig c;
  c.arch = a.name;
  c.format = "gguf";
  c.rope_layout = a.gguf_rope;
  c.dim = gguf_int(m, k + "embedding_length", path);
  c.hidden_dim = gguf_int(m, k + "feed_forward_length", path);
  c.n_layers = gguf_int(m, k + "block_count", path);
  c.n_heads = gguf_int(m, k + "attention.head_count", path);
  c.n_kv_heads = gguf_int(m, k + "attention.head_count_kv", path, c.n_heads);
  c.head_dim = gguf_int(m, k + "attention.key_length", path, c.n_heads ? c.dim / c.n_heads : 0);
  if (gguf_int(m, k + "attention.value_length", path, c.head_dim) != c.head_dim)
    fail(ErrorKind::Unsupported, path + ": value heads wider or narrower than key heads");
  const int rot = gguf_int(m, k + "rope.dimension_count", path, c.head_dim);
  if (rot != c.head_dim) {
    fail(ErrorKind::Unsupported, path + ": partial rotary embeddings (rope.dimension_count " +
                                     std::to_string(rot) + " != head_dim) are not supported");
  }
  c.max_position = gguf_int(m, k + "context_length", path, 0);
  c.rope_theta = m.value(k + "rope.freq_base", 10000.0);
  c.norm_eps = m.value(k + "attention.layer_norm_rms_epsilon", 1e-5f);
  if (a.hf_window_always) c.sliding_window = gguf_int(m, k + "attention.sliding_window", path, 0);
  if (m.contains("tokenizer.ggml.tokens")) {
    c.vocab_size = static_cast<int>(m["tokenizer.ggml.tokens"].size());
  }
  c.vocab_size = gguf_int(m, k + "vocab_size", path, c.vocab_size);
  c.bos_id = gguf_int(m, "tokenizer.ggml.bos_token_id", path, -1);
  c.eos_id = gguf_int(m, "tokenizer.ggml.eos_token_id", path, -1);
  // llama.cpp: the file's add_bos_token, else the vocabulary type's default.
  const bool bos_default =
      gguf_default_add_bos(m.value("tokenizer.ggml.model", std::string("llama")),
                           m.value("tokenizer.ggml.pre", std::string()));
  c.add_bos = m.value("tokenizer.ggml.add_bos_token", bos_default) && c.bos_id >= 0;
  const std::string scaling_type = m.value(k + "rope.scaling.type", std::string("none"));
  if (scaling_type != "none") {
    fail(ErrorKind::Unsupported,
         path + ": the file carries its own RoPE scaling ('" + scaling_type +
             "'); evaluate the base model and pass the scaling on the command line");
  }
  // A file with LongRoPE factors (rope_freqs, rope_factors_long) states the extended context
  // as context_length and the trained one as rope.scaling.original_context_length.
  if (m.contains(k + "rope.scaling.original_context_length")) {
    c.context_length = c.max_position;
    c.max_position = gguf_int(m, k + "rope.scaling.original_context_length", path);
  }
  c.rope_attn_factor = m.value(k + "rope.scaling.attn_factor", 1.0);
  if (!(c.rope_attn_factor > 0) || !std::isfinite(c.rope_attn_factor))
    fail(ErrorKind::Format, path + ": " + k + "rope.scaling.attn_factor must be a positive number");
  c.tied_output = g.tensors().find("output.weight") == g.tensors().end();
  c.validate(path);
  return c;
}

// The per-dimension factors the file carries: rope_freqs (LLaMA-3.1, our export) or Phi-3's
// rope_factors_long / rope_factors_short (short while the sequence fits the trained context).
static void read_file_factors(const GgufFile& g, Model& model) {
  ModelConfig& c = model.config;
  const std::string& path = g.path();
  auto read = [&](const char* name, std::vector<float>& out) {
    auto it = g.tensors().find(name);
    if (it == g.tensors().end()) return false;
    const float* p = materialize(it->second, {c.head_dim / 2}, model.weights, path);
    out.assign(p, p + c.head_dim / 2);
    for (float x : out)
      if (!(x > 0) || !std::isfinite(x))
        fail(ErrorKind::Format, path + ": " + name + " holds a value <= 0 or not finite");
    return true;
  };
  const bool freqs = read("rope_freqs.weight", c.rope_freq_factors);
  std::vector<float> lng;
  if (read("rope_factors_long.weight", lng)) {
    if (freqs)
      fail(ErrorKind::Format, path + ": both rope_freqs and rope_factors_long: which applies?");
    c.rope_freq_factors = lng;
    read("rope_factors_short.weight", c.rope_short_factors);
  } else if (g.tensors().count("rope_factors_short.weight")) {
    fail(ErrorKind::Format, path + ": rope_factors_short without rope_factors_long");
  }
}

std::unique_ptr<Model> load_gguf_model(const std::string& path) {
  GgufFile g(path);
  auto model = std::make_unique<Model>();
  model->path = path;
  model->config = gguf_model_config(g);
  model->weights.maps.push_back(g.map());
  assemble_weights(model->config, g.tensors(), "gguf", model->weights, path);
  read_file_factors(g, *model);
  return model;
}

}  // namespace lr

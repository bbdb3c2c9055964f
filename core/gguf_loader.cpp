// GGUF model loader (architecture "llama"): hyperparameters from metadata, Q/K in GGUF layout.
#include <cmath>

#include "error.h"
#include "gguf.h"
#include "model.h"

namespace lr {

ModelConfig gguf_model_config(const GgufFile& g) {
  const std::string& path = g.path();
  const auto& m = g.meta();
  const std::string arch = m.value("general.architecture", std::string());
  if (arch != "llama") {
    fail(ErrorKind::Unsupported, path + ": architecture '" + arch +
                                     "' is not supported (supported: llama; Mistral GGUFs "
                                     "use 'llama')");
  }
  auto need = [&](const std::string& k) -> const nlohmann::json& {
    if (!m.contains(k)) fail(ErrorKind::Format, path + ": missing GGUF key '" + k + "'");
    return m.at(k);
  };
  ModelConfig c;
  c.format = "gguf";
  c.rope_layout = RopeLayout::Adjacent;  // llama.cpp's converter permutes Q/K rows
  c.dim = need("llama.embedding_length").get<int>();
  c.hidden_dim = need("llama.feed_forward_length").get<int>();
  c.n_layers = need("llama.block_count").get<int>();
  c.n_heads = need("llama.attention.head_count").get<int>();
  c.n_kv_heads = m.value("llama.attention.head_count_kv", c.n_heads);
  c.head_dim = m.value("llama.attention.key_length", c.n_heads ? c.dim / c.n_heads : 0);
  const int rot = m.value("llama.rope.dimension_count", c.head_dim);
  if (rot != c.head_dim) {
    fail(ErrorKind::Unsupported, path + ": partial rotary embeddings (rope.dimension_count " +
                                     std::to_string(rot) + " != head_dim) are not supported");
  }
  c.max_position = m.value("llama.context_length", 0);
  c.rope_theta = m.value("llama.rope.freq_base", 10000.0);
  c.norm_eps = m.value("llama.attention.layer_norm_rms_epsilon", 1e-5f);
  if (m.contains("tokenizer.ggml.tokens")) {
    c.vocab_size = static_cast<int>(m["tokenizer.ggml.tokens"].size());
  }
  c.vocab_size = m.value("llama.vocab_size", c.vocab_size);
  c.bos_id = m.value("tokenizer.ggml.bos_token_id", -1);
  c.eos_id = m.value("tokenizer.ggml.eos_token_id", -1);
  c.add_bos = m.value("tokenizer.ggml.add_bos_token", true) && c.bos_id >= 0;
  if (m.contains("llama.rope.scaling.type") &&
      m["llama.rope.scaling.type"].get<std::string>() != "none") {
    fail(ErrorKind::Unsupported,
         path + ": the file carries its own RoPE scaling ('" +
             m["llama.rope.scaling.type"].get<std::string>() +
             "'); evaluate the base model and pass the scaling on the command line");
  }
  // A file exported with LongRoPE factors (rope_freqs) states the extended context as
  // context_length and the trained one as rope.scaling.original_context_length.
  if (m.contains("llama.rope.scaling.original_context_length")) {
    c.context_length = c.max_position;
    c.max_position = m["llama.rope.scaling.original_context_length"].get<int>();
  }
  c.rope_attn_factor = m.value("llama.rope.scaling.attn_factor", 1.0);
  if (!(c.rope_attn_factor > 0) || !std::isfinite(c.rope_attn_factor))
    fail(ErrorKind::Format, path + ": llama.rope.scaling.attn_factor must be a positive number");
  c.tied_output = g.tensors().find("output.weight") == g.tensors().end();
  c.validate(path);
  return c;
}

std::unique_ptr<Model> load_gguf_model(const std::string& path) {
  GgufFile g(path);
  auto model = std::make_unique<Model>();
  model->path = path;
  model->config = gguf_model_config(g);
  ModelConfig& c = model->config;
  model->weights.maps.push_back(g.map());
  assemble_weights(c, g.tensors(), gguf_naming(), model->weights, path);
  auto rf = g.tensors().find("rope_freqs.weight");
  if (rf != g.tensors().end()) {
    const float* p = materialize(rf->second, {c.head_dim / 2}, model->weights, path);
    c.rope_freq_factors.assign(p, p + c.head_dim / 2);
    for (float x : c.rope_freq_factors)
      if (!(x > 0) || !std::isfinite(x))
        fail(ErrorKind::Format, path + ": rope_freqs.weight holds a value <= 0 or not finite");
  }
  return model;
}

}  // namespace lr

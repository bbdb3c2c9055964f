// Tensor naming for HF and GGUF checkpoints and the shared weight assembly.
#include "assemble.h"

#include "error.h"

namespace lr {

TensorNaming hf_naming() {
  TensorNaming n;
  n.embed = "model.embed_tokens.weight";
  n.out_norm = "model.norm.weight";
  n.output = "lm_head.weight";
  n.layer = [](Part p, int l) {
    const std::string b = "model.layers." + std::to_string(l) + ".";
    switch (p) {
      case Part::AttnNorm:
        return b + "input_layernorm.weight";
      case Part::Wq:
        return b + "self_attn.q_proj.weight";
      case Part::Wk:
        return b + "self_attn.k_proj.weight";
      case Part::Wv:
        return b + "self_attn.v_proj.weight";
      case Part::Wo:
        return b + "self_attn.o_proj.weight";
      case Part::FfnNorm:
        return b + "post_attention_layernorm.weight";
      case Part::Gate:
        return b + "mlp.gate_proj.weight";
      case Part::Up:
        return b + "mlp.up_proj.weight";
      case Part::Down:
        return b + "mlp.down_proj.weight";
    }
    return b;
  };
  return n;
}

TensorNaming gguf_naming() {
  TensorNaming n;
  n.embed = "token_embd.weight";
  n.out_norm = "output_norm.weight";
  n.output = "output.weight";
  n.layer = [](Part p, int l) {
    const std::string b = "blk." + std::to_string(l) + ".";
    switch (p) {
      case Part::AttnNorm:
        return b + "attn_norm.weight";
      case Part::Wq:
        return b + "attn_q.weight";
      case Part::Wk:
        return b + "attn_k.weight";
      case Part::Wv:
        return b + "attn_v.weight";
      case Part::Wo:
        return b + "attn_output.weight";
      case Part::FfnNorm:
        return b + "ffn_norm.weight";
      case Part::Gate:
        return b + "ffn_gate.weight";
      case Part::Up:
        return b + "ffn_up.weight";
      case Part::Down:
        return b + "ffn_down.weight";
    }
    return b;
  };
  return n;
}

void assemble_weights(const ModelConfig& c, const TensorMap& tensors, const TensorNaming& names,
                      Weights& w, const std::string& source) {
  auto get = [&](const std::string& name, std::vector<int64_t> shape) {
    auto it = tensors.find(name);
    if (it == tensors.end()) fail(ErrorKind::Format, source + ": missing tensor '" + name + "'");
    return materialize(it->second, shape, w, source);
  };
  const int64_t dim = c.dim, hid = c.hidden_dim, qd = c.q_dim(), kvd = c.kv_dim();
  w.tok_embd = get(names.embed, {c.vocab_size, dim});
  w.layers.resize(c.n_layers);
  for (int l = 0; l < c.n_layers; ++l) {
    LayerWeights& L = w.layers[l];
    L.attn_norm = get(names.layer(Part::AttnNorm, l), {dim});
    L.wq = get(names.layer(Part::Wq, l), {qd, dim});
    L.wk = get(names.layer(Part::Wk, l), {kvd, dim});
    L.wv = get(names.layer(Part::Wv, l), {kvd, dim});
    L.wo = get(names.layer(Part::Wo, l), {dim, qd});
    L.ffn_norm = get(names.layer(Part::FfnNorm, l), {dim});
    L.w_gate = get(names.layer(Part::Gate, l), {hid, dim});
    L.w_up = get(names.layer(Part::Up, l), {hid, dim});
    L.w_down = get(names.layer(Part::Down, l), {dim, hid});
  }
  w.out_norm = get(names.out_norm, {dim});
  if (c.tied_output || tensors.find(names.output) == tensors.end()) {
    w.output = w.tok_embd;
  } else {
    w.output = get(names.output, {c.vocab_size, dim});
  }
}

}  // namespace lr

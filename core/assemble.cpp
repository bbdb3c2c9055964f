// Weight assembly shared by the HF and GGUF loaders: names and parts from core/arch.
#include "assemble.h"

#include "arch.h"
#include "error.h"

namespace lr {

void assemble_weights(const ModelConfig& c, const TensorMap& tensors, const std::string& format,
                      Weights& w, const std::string& source) {
  const ArchSpec& a = arch_of(c);
  auto get = [&](Part p, int layer, std::vector<int64_t> shape) {
    const std::string name = tensor_name(format, p, layer);
    auto it = tensors.find(name);
    if (it == tensors.end())
      fail(ErrorKind::Format,
           source + ": missing tensor '" + name + "' (" + a.name + " architecture)");
    return materialize(it->second, shape, w, source);
  };
  const int64_t dim = c.dim, hid = c.hidden_dim, qd = c.q_dim(), kvd = c.kv_dim();
  w.tok_embd = get(Part::Embed, 0, {c.vocab_size, dim});
  w.layers.resize(c.n_layers);
  for (int l = 0; l < c.n_layers; ++l) {
    LayerWeights& L = w.layers[l];
    L.attn_norm = get(Part::AttnNorm, l, {dim});
    if (a.fused_qkv) {  // rows: q, then k, then v
      const float* qkv = get(Part::Qkv, l, {qd + 2 * kvd, dim});
      L.wq = qkv;
      L.wk = qkv + qd * dim;
      L.wv = qkv + (qd + kvd) * dim;
    } else {
      L.wq = get(Part::Wq, l, {qd, dim});
      L.wk = get(Part::Wk, l, {kvd, dim});
      L.wv = get(Part::Wv, l, {kvd, dim});
    }
    if (a.qkv_bias) {
      L.bq = get(Part::Bq, l, {qd});
      L.bk = get(Part::Bk, l, {kvd});
      L.bv = get(Part::Bv, l, {kvd});
    }
    if (a.qk_norm) {
      L.q_norm = get(Part::QNorm, l, {c.head_dim});
      L.k_norm = get(Part::KNorm, l, {c.head_dim});
    }
    L.wo = get(Part::Wo, l, {dim, qd});
    L.ffn_norm = get(Part::FfnNorm, l, {dim});
    if (a.fused_gate_up) {  // rows: gate, then up
      const float* gu = get(Part::GateUp, l, {2 * hid, dim});
      L.w_gate = gu;
      L.w_up = gu + hid * dim;
    } else {
      L.w_gate = get(Part::Gate, l, {hid, dim});
      L.w_up = get(Part::Up, l, {hid, dim});
    }
    L.w_down = get(Part::Down, l, {dim, hid});
  }
  w.out_norm = get(Part::OutNorm, 0, {dim});
  if (c.tied_output || tensors.find(tensor_name(format, Part::Output)) == tensors.end())
    w.output = w.tok_embd;
  else
    w.output = get(Part::Output, 0, {c.vocab_size, dim});
}

}  // namespace lr

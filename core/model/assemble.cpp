// Weight assembly shared by the HF and GGUF loaders: names and parts from core/arch.
#include "core/model/assemble.h"

#include "core/model/arch.h"
#include "core/util/error.h"

namespace lr {

void assemble_weights(const ModelConfig& c, const TensorMap& tensors, const std::string& format,
                      Weights& w, const std::string& source) {
  const ArchSpec& a = arch_of(c);
  auto find = [&](Part p, int layer) -> const RawTensor& {
    const std::string name = tensor_name(format, p, layer);
    auto it = tensors.find(name);
    if (it == tensors.end())
      fail(ErrorKind::Format,
           source + ": missing tensor '" + name + "' (" + a.name + " architecture)");
    return it->second;
  };
  auto get = [&](Part p, int layer, std::vector<int64_t> shape) {  // vectors: F32
    return materialize(find(p, layer), shape, w, source);
  };
  auto mat = [&](Part p, int layer, std::vector<int64_t> shape) {  // matrices: as stored
    return map_matrix(find(p, layer), shape, w, source);
  };
  const int64_t dim = c.dim, hid = c.hidden_dim, qd = c.q_dim(), kvd = c.kv_dim();
  w.tok_embd = mat(Part::Embed, 0, {c.vocab_size, dim});
  w.layers.resize(c.n_layers);
  for (int l = 0; l < c.n_layers; ++l) {
    LayerWeights& L = w.layers[l];
    L.attn_norm = get(Part::AttnNorm, l, {dim});
    if (a.fused_qkv) {  // rows: q, then k, then v
      const QTensor qkv = mat(Part::Qkv, l, {qd + 2 * kvd, dim});
      L.wq = qkv.slice(0, qd);
      L.wk = qkv.slice(qd, kvd);
      L.wv = qkv.slice(qd + kvd, kvd);
    } else {
      L.wq = mat(Part::Wq, l, {qd, dim});
      L.wk = mat(Part::Wk, l, {kvd, dim});
      L.wv = mat(Part::Wv, l, {kvd, dim});
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
    L.wo = mat(Part::Wo, l, {dim, qd});
    L.ffn_norm = get(Part::FfnNorm, l, {dim});
    if (a.fused_gate_up) {  // rows: gate, then up
      const QTensor gu = mat(Part::GateUp, l, {2 * hid, dim});
      L.w_gate = gu.slice(0, hid);
      L.w_up = gu.slice(hid, hid);
    } else {
      L.w_gate = mat(Part::Gate, l, {hid, dim});
      L.w_up = mat(Part::Up, l, {hid, dim});
    }
    L.w_down = mat(Part::Down, l, {dim, hid});
  }
  w.out_norm = get(Part::OutNorm, 0, {dim});
  if (c.tied_output || tensors.find(tensor_name(format, Part::Output)) == tensors.end())
    w.output = w.tok_embd;
  else
    w.output = mat(Part::Output, 0, {c.vocab_size, dim});
}

}  // namespace lr

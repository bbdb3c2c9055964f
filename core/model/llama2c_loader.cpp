// llama2.c legacy checkpoint loader (.bin: 7-int header, then F32 tensors in fixed order).
#include <cstdint>
#include <cstring>

#include "core/formats/llama2c.h"
#include "core/model/model.h"
#include "core/util/error.h"

namespace lr {

std::unique_ptr<Model> load_llama2c_model(const std::string& path) {
  auto map = std::make_shared<MappedFile>(path);
  if (map->size() < 28) fail(ErrorKind::Format, path + ": truncated llama2.c checkpoint header");
  int32_t h[7];
  std::memcpy(h, map->data(), sizeof(h));
  auto model = std::make_unique<Model>();
  model->path = path;
  ModelConfig& c = model->config;
  c.format = "llama2c";
  c.rope_layout = RopeLayout::Adjacent;
  c.dim = h[0];
  c.hidden_dim = h[1];
  c.n_layers = h[2];
  c.n_heads = h[3];
  c.n_kv_heads = h[4];
  const bool shared = h[5] > 0;
  if (h[5] == INT32_MIN) fail(ErrorKind::Format, path + ": not a llama2.c checkpoint (vocab size)");
  c.vocab_size = h[5] > 0 ? h[5] : -h[5];
  c.max_position = h[6];
  c.tied_output = shared;
  c.bos_id = 1;
  c.eos_id = 2;
  c.add_bos = true;
  if (c.dim <= 0 || c.n_heads <= 0 || c.dim % c.n_heads != 0 || c.dim > (1 << 20) ||
      c.n_layers > 4096 || c.vocab_size > (1 << 24) || c.hidden_dim > (1 << 22)) {
    fail(ErrorKind::Format, path + ": not a llama2.c checkpoint (implausible header)");
  }
  c.head_dim = c.dim / c.n_heads;
  c.validate(path);

  const int64_t L = c.n_layers, dim = c.dim, hid = c.hidden_dim, V = c.vocab_size;
  const int64_t qd = c.q_dim(), kvd = c.kv_dim();
  const int64_t freq = static_cast<int64_t>(c.max_position) * c.head_dim / 2;
  const int64_t body =
      V * dim + L * dim * 2 + L * dim * (qd + 2 * kvd) + L * qd * dim + L * hid * dim * 3 + dim;
  const int64_t have = static_cast<int64_t>(map->size() - 28) / 4;
  // Legacy exports store freq_cis_real/imag after the final norm; newer ones may not.
  const int64_t cls = shared ? 0 : V * dim;
  int64_t skip = 0;
  if (have == body + 2 * freq + cls) {
    skip = 2 * freq;
  } else if (have != body + cls) {
    fail(ErrorKind::Format, path + ": llama2.c checkpoint holds " + std::to_string(have) +
                                " floats, header implies " + std::to_string(body + cls) + " or " +
                                std::to_string(body + 2 * freq + cls) + ": truncated or corrupt");
  }
  const float* p = reinterpret_cast<const float*>(map->data() + 28);
  Weights& w = model->weights;
  auto take = [&](int64_t n) {
    const float* r = p;
    p += n;
    return r;
  };
  w.tok_embd = QTensor::f32(take(V * dim), V, dim);
  w.layers.resize(L);
  const float* rms_att = take(L * dim);
  const float* wq = take(L * dim * qd);
  const float* wk = take(L * dim * kvd);
  const float* wv = take(L * dim * kvd);
  const float* wo = take(L * qd * dim);
  const float* rms_ffn = take(L * dim);
  const float* w1 = take(L * hid * dim);
  const float* w2 = take(L * dim * hid);
  const float* w3 = take(L * hid * dim);
  for (int64_t l = 0; l < L; ++l) {
    LayerWeights& lw = w.layers[l];
    lw.attn_norm = rms_att + l * dim;
    lw.wq = QTensor::f32(wq + l * dim * qd, qd, dim);
    lw.wk = QTensor::f32(wk + l * dim * kvd, kvd, dim);
    lw.wv = QTensor::f32(wv + l * dim * kvd, kvd, dim);
    lw.wo = QTensor::f32(wo + l * qd * dim, dim, qd);
    lw.ffn_norm = rms_ffn + l * dim;
    lw.w_gate = QTensor::f32(w1 + l * hid * dim, hid, dim);
    lw.w_down = QTensor::f32(w2 + l * dim * hid, dim, hid);
    lw.w_up = QTensor::f32(w3 + l * hid * dim, hid, dim);
  }
  w.out_norm = take(dim);
  take(skip);
  w.output = shared ? w.tok_embd : QTensor::f32(take(V * dim), V, dim);
  w.bytes = static_cast<size_t>(body + cls) * 4;
  w.maps.push_back(map);
  model->tokenizer_path = find_llama2c_tokenizer(path);
  return model;
}

}  // namespace lr

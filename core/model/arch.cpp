// The architecture table (llama incl. Mistral, qwen2, qwen3, phi3) and tensor naming.
#include "core/model/arch.h"

#include <algorithm>
#include <cmath>

#include "core/util/error.h"

namespace lr {

const std::vector<ArchSpec>& arch_table() {
  //            id           name     HF architectures / model_type           GGUF pairs
  //            bias  qknorm fusedqkv fusedgu window bos
  static const std::vector<ArchSpec> table = {
      {Arch::Llama,
       "llama",
       {"LlamaForCausalLM", "MistralForCausalLM"},
       {"llama", "mistral"},
       RopeLayout::Adjacent,
       false,
       false,
       false,
       false,
       true,
       true},
      {Arch::Qwen2,
       "qwen2",
       {"Qwen2ForCausalLM"},
       {"qwen2"},
       RopeLayout::HalfSplit,
       true,
       false,
       false,
       false,
       false,
       false},
      {Arch::Qwen3,
       "qwen3",
       {"Qwen3ForCausalLM"},
       {"qwen3"},
       RopeLayout::HalfSplit,
       false,
       true,
       false,
       false,
       false,
       false},
      {Arch::Phi3,
       "phi3",
       {"Phi3ForCausalLM"},
       {"phi3"},
       RopeLayout::HalfSplit,
       false,
       false,
       true,
       true,
       true,
       true},
  };
  return table;
}

const ArchSpec& arch_spec(Arch a) {
  for (const auto& s : arch_table())
    if (s.id == a) return s;
  fail(ErrorKind::Unsupported, "unknown architecture id");
}

static std::string supported(bool hf) {
  std::string out;
  for (const auto& s : arch_table()) {
    const auto& names = hf ? s.hf_architectures : std::vector<std::string>{s.name};
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
  }
  return out;
}

const ArchSpec& arch_from_gguf(const std::string& name, const std::string& src) {
  for (const auto& s : arch_table())
    if (s.name == name) return s;
  fail(ErrorKind::Unsupported, src + ": architecture '" + name + "' is not supported (supported: " +
                                   supported(false) + "; Mistral GGUFs use 'llama')");
}

const ArchSpec& arch_from_hf(const std::string& arch, const std::string& type,
                             const std::string& src) {
  auto has = [](const std::vector<std::string>& v, const std::string& x) {
    return std::find(v.begin(), v.end(), x) != v.end();
  };
  for (const auto& s : arch_table()) {
    const bool a_ok = arch.empty() || has(s.hf_architectures, arch);
    const bool t_ok = type.empty() || has(s.hf_model_types, type);
    if (a_ok && t_ok && !(arch.empty() && type.empty())) return s;
  }
  fail(ErrorKind::Unsupported, src + ": architecture '" + (arch.empty() ? type : arch) +
                                   "' is not supported (supported: " + supported(true) + ")");
}

const ArchSpec& arch_of(const ModelConfig& c) {
  for (const auto& s : arch_table())
    if (s.name == c.arch || std::find(s.hf_model_types.begin(), s.hf_model_types.end(), c.arch) !=
                                s.hf_model_types.end())
      return s;
  return arch_spec(Arch::Llama);  // llama2.c checkpoints
}

static std::string hf_name(Part p, const std::string& b) {
  switch (p) {
    case Part::Embed:
      return "model.embed_tokens.weight";
    case Part::OutNorm:
      return "model.norm.weight";
    case Part::Output:
      return "lm_head.weight";
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
    case Part::Bq:
      return b + "self_attn.q_proj.bias";
    case Part::Bk:
      return b + "self_attn.k_proj.bias";
    case Part::Bv:
      return b + "self_attn.v_proj.bias";
    case Part::QNorm:
      return b + "self_attn.q_norm.weight";
    case Part::KNorm:
      return b + "self_attn.k_norm.weight";
    case Part::Qkv:
      return b + "self_attn.qkv_proj.weight";
    case Part::GateUp:
      return b + "mlp.gate_up_proj.weight";
  }
  return b;
}

static std::string gguf_name(Part p, const std::string& b) {
  switch (p) {
    case Part::Embed:
      return "token_embd.weight";
    case Part::OutNorm:
      return "output_norm.weight";
    case Part::Output:
      return "output.weight";
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
    case Part::Bq:
      return b + "attn_q.bias";
    case Part::Bk:
      return b + "attn_k.bias";
    case Part::Bv:
      return b + "attn_v.bias";
    case Part::QNorm:
      return b + "attn_q_norm.weight";
    case Part::KNorm:
      return b + "attn_k_norm.weight";
    case Part::Qkv:
      return b + "attn_qkv.weight";
    case Part::GateUp:
      return b + "ffn_up.weight";
  }
  return b;
}

std::string tensor_name(const std::string& format, Part p, int layer) {
  if (format == "gguf") return gguf_name(p, "blk." + std::to_string(layer) + ".");
  return hf_name(p, "model.layers." + std::to_string(layer) + ".");
}

bool gguf_default_add_bos(const std::string& model, const std::string& pre) {
  if (model == "llama") return true;  // SentencePiece
  static const char* llama3_pre[] = {"llama3",  "llama-v3", "llama-bpe",
                                     "falcon3", "tekken",   "chameleon"};
  for (const char* p : llama3_pre)
    if (pre == p) return true;
  return false;
}

std::vector<float> llama3_rope_factors(int head_dim, double theta, double factor, double low,
                                       double high, int L) {
  const double low_wavelen = L / low, high_wavelen = L / high;
  std::vector<float> f(head_dim / 2);
  for (int i = 0; i < head_dim / 2; ++i) {
    const double inv = std::pow(theta, -2.0 * i / head_dim);
    const double wavelen = 2.0 * M_PI / inv;
    double r = 1.0;
    if (wavelen > low_wavelen) {
      r = factor;
    } else if (wavelen >= high_wavelen) {  // medium: interpolate the frequency
      const double smooth = (L / wavelen - low) / (high - low);
      r = 1.0 / ((1.0 - smooth) / factor + smooth);
    }
    f[i] = static_cast<float>(r);
  }
  return f;
}

}  // namespace lr

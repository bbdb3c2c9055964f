// Hugging Face folder loader: config.json + model.safetensors (single or sharded).
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>

#include "core/formats/safetensors.h"
#include "core/model/arch.h"
#include "core/model/assemble.h"
#include "core/model/model.h"
#include "core/util/error.h"
#include "core/util/json_int.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace lr {

// rope_scaling as Hugging Face reads it. LongRoPE ("longrope", formerly "su"): long_factor
// beyond original_max_position_embeddings, short_factor within it, cos/sin times
// attention_factor (default sqrt(1 + ln s / ln L), s = max / original positions or "factor").
// LLaMA-3.1 ("llama3"): per-dimension divisors computed from factor, low/high_freq_factor and
// the original context, applied at every length (attention factor 1).
static void read_rope_scaling(const json& rs, ModelConfig& c, const std::string& src) {
  if (!rs.is_object()) fail(ErrorKind::Format, src + ": rope_scaling must be an object");
  const std::string type = rs.value("rope_type", rs.value("type", std::string()));
  if (type == "default" || type.empty()) return;
  if (type == "llama3") {
    auto num = [&](const char* key) {
      if (!rs.contains(key) || !rs[key].is_number())
        fail(ErrorKind::Format, src + ": llama3 rope_scaling needs a number '" + key + "'");
      return rs[key].get<double>();
    };
    const double factor = num("factor"), low = num("low_freq_factor"),
                 high = num("high_freq_factor");
    const double L = num("original_max_position_embeddings");
    if (!(factor >= 1) || !(low > 0) || !(high > low) || !(L >= 1))
      fail(ErrorKind::Format, src +
                                  ": llama3 rope_scaling needs factor >= 1, "
                                  "0 < low_freq_factor < high_freq_factor and a context");
    c.rope_freq_factors =
        llama3_rope_factors(c.head_dim, c.rope_theta, factor, low, high, static_cast<int>(L));
    return;
  }
  if (type != "longrope" && type != "su")
    fail(ErrorKind::Unsupported, src + ": rope_scaling type '" + type +
                                     "' is not supported yet (supported: longrope, llama3); "
                                     "remove it and pass the scaling with --rope");
  const int L = c.max_position;
  if (L <= 0) fail(ErrorKind::Format, src + ": longrope rope_scaling without a context length");
  double s =
      c.context_length > 0 ? static_cast<double>(c.context_length) / L : rs.value("factor", 1.0);
  if (c.context_length <= 0) c.context_length = static_cast<int>(std::lround(L * s));
  auto factors = [&](const char* key) {
    if (!rs.contains(key) || !rs[key].is_array())
      fail(ErrorKind::Format, src + ": longrope rope_scaling needs an array '" + key + "'");
    std::vector<float> v;
    for (const auto& x : rs[key]) v.push_back(x.get<float>());
    if (static_cast<int>(v.size()) != c.head_dim / 2)
      fail(ErrorKind::Format, src + ": rope_scaling " + key + " has " + std::to_string(v.size()) +
                                  " values; head_dim/2 = " + std::to_string(c.head_dim / 2));
    for (float x : v)
      if (!std::isfinite(x) || x <= 0)
        fail(ErrorKind::Format,
             src + ": rope_scaling " + key + " holds a value <= 0 or not finite");
    return v;
  };
  c.rope_freq_factors = factors("long_factor");
  c.rope_short_factors = factors("short_factor");
  if (rs.contains("attention_factor") && rs["attention_factor"].is_number())
    c.rope_attn_factor = rs["attention_factor"].get<double>();
  else
    c.rope_attn_factor = s <= 1.0 ? 1.0 : std::sqrt(1.0 + std::log(s) / std::log(L));
}

// Features of the config that the architecture table does not cover: refused by name.
static void check_hf_features(const json& j, const ArchSpec& a, ModelConfig& c,
                              const std::string& src) {
  auto flag = [&](const char* key) {
    return j.contains(key) && j[key].is_boolean() && j[key].get<bool>();
  };
  if (flag("attention_bias") && !a.qkv_bias)
    fail(ErrorKind::Unsupported, src + ": attention_bias true is not supported for " + a.name);
  if (flag("mlp_bias")) fail(ErrorKind::Unsupported, src + ": mlp_bias true is not supported");
  if (j.contains("partial_rotary_factor") && j["partial_rotary_factor"].is_number() &&
      j["partial_rotary_factor"].get<double>() != 1.0)
    fail(ErrorKind::Unsupported, src + ": partial rotary embeddings (partial_rotary_factor " +
                                     j["partial_rotary_factor"].dump() + ") are not supported");
  const bool window = j.contains("sliding_window") && j["sliding_window"].is_number();
  if (a.hf_window_always) {
    if (window) c.sliding_window = json_int(j["sliding_window"], src + ": sliding_window");
  } else if (flag("use_sliding_window")) {
    fail(ErrorKind::Unsupported, src + ": use_sliding_window true is not supported for " + a.name +
                                     " (llama.cpp ignores it too); set it to false");
  }
}

static ModelConfig parse_hf_config(const json& j, const std::string& src) {
  ModelConfig c;
  c.format = "hf";
  c.rope_layout = RopeLayout::HalfSplit;
  std::string arch =
      j.contains("architectures") && j["architectures"].is_array() && !j["architectures"].empty()
          ? j["architectures"][0].get<std::string>()
          : "";
  const std::string type = j.value("model_type", std::string());
  const ArchSpec& a = arch_from_hf(arch, type, src);
  c.arch = type.empty() ? a.name : type;
  const std::string act = j.value("hidden_act", std::string("silu"));
  if (act != "silu") fail(ErrorKind::Unsupported, src + ": hidden_act '" + act + "' unsupported");
  try {
    c.dim = json_int(j.at("hidden_size"), src + ": hidden_size");
    c.hidden_dim = json_int(j.at("intermediate_size"), src + ": intermediate_size");
    c.n_layers = json_int(j.at("num_hidden_layers"), src + ": num_hidden_layers");
    c.n_heads = json_int(j.at("num_attention_heads"), src + ": num_attention_heads");
    c.n_kv_heads = j.contains("num_key_value_heads") && !j["num_key_value_heads"].is_null()
                       ? json_int(j["num_key_value_heads"], src + ": num_key_value_heads")
                       : c.n_heads;
    c.head_dim = j.contains("head_dim") && !j["head_dim"].is_null()
                     ? json_int(j["head_dim"], src + ": head_dim")
                     : (c.n_heads > 0 ? c.dim / c.n_heads : 0);
    c.vocab_size = json_int(j.at("vocab_size"), src + ": vocab_size");
    c.max_position = j.contains("max_position_embeddings")
                         ? json_int(j["max_position_embeddings"], src + ": max_position_embeddings")
                         : 0;
    c.rope_theta = j.value("rope_theta", 10000.0);
    c.norm_eps = j.value("rms_norm_eps", 1e-6f);
    c.tied_output = j.value("tie_word_embeddings", false);
    if (j.contains("bos_token_id") && j["bos_token_id"].is_number())
      c.bos_id = json_int(j["bos_token_id"], src + ": bos_token_id");
    if (j.contains("eos_token_id") && j["eos_token_id"].is_number())
      c.eos_id = json_int(j["eos_token_id"], src + ": eos_token_id");
    check_hf_features(j, a, c, src);
    if (j.contains("original_max_position_embeddings") &&
        j["original_max_position_embeddings"].is_number()) {
      c.context_length = c.max_position;
      c.max_position = json_int(j["original_max_position_embeddings"],
                                src + ": original_max_position_embeddings");
    }
    if (j.contains("rope_scaling") && !j["rope_scaling"].is_null())
      read_rope_scaling(j["rope_scaling"], c, src);
  } catch (const json::exception& e) {
    fail(ErrorKind::Format, src + ": bad config.json: " + e.what());
  }
  c.add_bos = a.hf_add_bos && c.bos_id >= 0;
  return c;
}

ModelConfig read_hf_config(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) fail(ErrorKind::Io, path + ": no such config.json");
  json j;
  try {
    j = json::parse(read_text_file(path));
  } catch (const json::exception& e) {
    fail(ErrorKind::Format, path + ": not valid JSON: " + e.what());
  }
  ModelConfig c;
  try {  // values of an unexpected JSON type anywhere in the file
    c = parse_hf_config(j, path);
  } catch (const json::exception& e) {
    fail(ErrorKind::Format, path + ": bad config.json: " + e.what());
  }
  // The tokenizer's own BOS rule, when its config states one, overrides the family default.
  const fs::path tc = fs::path(path).parent_path() / "tokenizer_config.json";
  if (fs::exists(tc, ec)) {
    try {
      const json t = json::parse(read_text_file(tc.string()));
      if (t.contains("add_bos_token") && t["add_bos_token"].is_boolean())
        c.add_bos = t["add_bos_token"].get<bool>() && c.bos_id >= 0;
    } catch (const json::exception& e) {
      fail(ErrorKind::Format, tc.string() + ": not valid JSON: " + e.what());
    }
  }
  c.validate(path);
  return c;
}

std::vector<std::string> hf_weight_files(const std::string& dir) {
  const fs::path d(dir);
  std::error_code ec;
  std::vector<std::string> files;
  const fs::path index = d / "model.safetensors.index.json";
  if (fs::exists(d / "model.safetensors", ec)) {
    files.push_back((d / "model.safetensors").string());
  } else if (fs::exists(index, ec)) {
    json ij;
    try {
      ij = json::parse(read_text_file(index.string()));
      std::set<std::string> uniq;
      for (auto& [name, file] : ij.at("weight_map").items()) {
        const std::string f = file.get<std::string>();
        if (f.empty() || f.find('/') != std::string::npos || f == "." || f == "..")
          fail(ErrorKind::Format, index.string() + ": shard '" + f +
                                      "' lies outside the model folder (a plain file name is "
                                      "expected)");
        uniq.insert(f);
      }
      for (const auto& f : uniq) files.push_back((d / f).string());
    } catch (const json::exception& e) {
      fail(ErrorKind::Format, index.string() + ": bad shard index: " + e.what());
    }
  } else {
    fail(ErrorKind::Io, dir + ": no model.safetensors or model.safetensors.index.json");
  }
  return files;
}

std::unique_ptr<Model> load_hf_folder(const std::string& dir) {
  const fs::path d(dir);
  const fs::path cfg = d / "config.json";
  std::error_code ec;
  if (!fs::exists(cfg, ec)) fail(ErrorKind::Io, dir + ": no config.json in the model folder");
  auto m = std::make_unique<Model>();
  m->path = dir;
  m->config = read_hf_config(cfg.string());

  const std::vector<std::string> files = hf_weight_files(dir);
  TensorMap tensors;
  for (const auto& f : files) m->weights.maps.push_back(read_safetensors(f, tensors));
  assemble_weights(m->config, tensors, "hf", m->weights, dir);
  if (fs::exists(d / "tokenizer.model", ec))
    m->tokenizer_path = (d / "tokenizer.model").string();
  else if (fs::exists(d / "tokenizer.json", ec))
    m->tokenizer_path = (d / "tokenizer.json").string();
  return m;
}

}  // namespace lr

// Byte-level BPE vocabularies from GGUF metadata and from Hugging Face tokenizer.json.
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/formats/gguf.h"
#include "core/tokenizer/bpe_tokenizer.h"
#include "core/util/error.h"
#include "core/util/json_int.h"
#include "core/util/mapped_file.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace lr {

namespace {

// "a b" -> (a, b), split at the first space after the first byte (llama.cpp, HF).
bool split_merge(const std::string& m, std::pair<std::string, std::string>& out) {
  const size_t sp = m.find(' ', 1);
  if (sp == std::string::npos) return false;
  out = {m.substr(0, sp), m.substr(sp + 1)};
  return true;
}

json read_json(const fs::path& p) {
  try {
    return json::parse(read_text_file(p.string()));
  } catch (const json::exception& e) {
    fail(ErrorKind::Format, p.string() + ": not valid JSON: " + e.what());
  }
}

// A token given as "text" or {"content": "text"} in tokenizer_config.json.
std::string token_text(const json& j, const char* key) {
  if (!j.contains(key)) return "";
  const json& v = j[key];
  if (v.is_string()) return v.get<std::string>();
  if (v.is_object() && v.contains("content") && v["content"].is_string())
    return v["content"].get<std::string>();
  return "";
}

int find_id(const std::vector<std::string>& pieces, const std::string& text) {
  if (text.empty()) return -1;
  for (int i = static_cast<int>(pieces.size()) - 1; i >= 0; --i)
    if (pieces[i] == text) return i;
  return -1;
}

// True when tokenizer.json's post-processor puts a BOS (the given id) in front of a sequence.
bool template_adds(const json& pp, int bos) {
  if (!pp.is_object() || bos < 0) return false;
  if (pp.value("type", std::string()) == "Sequence" && pp.contains("processors")) {
    for (const auto& q : pp["processors"])
      if (template_adds(q, bos)) return true;
    return false;
  }
  if (pp.value("type", std::string()) != "TemplateProcessing" || !pp.contains("single"))
    return false;
  const json& single = pp["single"];
  if (!single.is_array() || single.empty() || !single[0].contains("SpecialToken")) return false;
  const std::string name = single[0]["SpecialToken"].value("id", std::string());
  const json& st = pp.value("special_tokens", json::object());
  if (!st.contains(name) || !st[name].contains("ids")) return false;
  const json& ids = st[name]["ids"];
  return ids.is_array() && ids.size() == 1 && ids[0].is_number() &&
         json_int(ids[0], "tokenizer.json: post_processor id") == bos;
}

}  // namespace

std::unique_ptr<Tokenizer> load_gguf_bpe(const json& m, const std::string& path) {
  BpeVocab v;
  try {
    if (!m.contains("tokenizer.ggml.tokens")) fail(ErrorKind::Format, path + ": no token list");
    v.pieces = m["tokenizer.ggml.tokens"].get<std::vector<std::string>>();
    if (m.contains("tokenizer.ggml.token_type")) {
      v.types = gguf_ints(m, "tokenizer.ggml.token_type", path);
      if (v.types.size() < v.pieces.size())
        fail(ErrorKind::Format, path + ": tokenizer.ggml.token_type shorter than the tokens");
      v.types.resize(v.pieces.size());
    } else {
      v.types.assign(v.pieces.size(), kTokenNormal);
    }
    if (!m.contains("tokenizer.ggml.merges"))
      fail(ErrorKind::Format, path + ": byte-level BPE vocabulary without tokenizer.ggml.merges");
    for (const auto& s : m["tokenizer.ggml.merges"]) {
      std::pair<std::string, std::string> p;
      if (split_merge(s.get<std::string>(), p)) v.merges.push_back(std::move(p));
    }
    v.pre = pretokenizer_spec(m.value("tokenizer.ggml.pre", std::string()), path);
    v.bos = gguf_int(m, "tokenizer.ggml.bos_token_id", path, -1);
    v.eos = gguf_int(m, "tokenizer.ggml.eos_token_id", path, -1);
    v.unk = gguf_int(m, "tokenizer.ggml.unknown_token_id", path, -1);
    v.add_bos = m.value("tokenizer.ggml.add_bos_token", v.pre.add_bos);
  } catch (const json::exception& e) {
    fail(ErrorKind::Format, path + ": bad tokenizer metadata: " + e.what());
  }
  return std::make_unique<BpeTokenizer>(std::move(v), "gguf-bpe", path);
}

std::unique_ptr<Tokenizer> load_hf_bpe(const std::string& path) {
  std::error_code ec;
  const fs::path file =
      fs::is_directory(path, ec) ? fs::path(path) / "tokenizer.json" : fs::path(path);
  const fs::path dir = file.parent_path();
  const std::string src = file.string();
  if (!fs::exists(file, ec)) fail(ErrorKind::Io, src + ": no such tokenizer.json");
  const json t = read_json(file);
  const json cfg =
      fs::exists(dir / "config.json", ec) ? read_json(dir / "config.json") : json::object();
  BpeVocab v;
  try {
    const json& model = t.at("model");
    const std::string type = model.value("type", std::string("BPE"));
    if (type != "BPE")
      fail(ErrorKind::Unsupported,
           src + ": tokenizer.json model '" + type + "' is not supported (byte-level BPE only)");
    const std::string decoder =
        t.value("decoder", json::object()).is_object()
            ? t.value("decoder", json::object()).value("type", std::string())
            : std::string();
    if (decoder != "ByteLevel" &&
        t.value("pre_tokenizer", json()).dump().find("\"ByteLevel\"") == std::string::npos)
      fail(ErrorKind::Unsupported, src +
                                       ": not a byte-level BPE tokenizer.json (no ByteLevel "
                                       "step); for SentencePiece models use tokenizer.model");
    if (!model.value("continuing_subword_prefix", json()).is_null() &&
        !model["continuing_subword_prefix"].get<std::string>().empty())
      fail(ErrorKind::Unsupported, src + ": continuing_subword_prefix is not supported");
    const json norm = t.value("normalizer", json());
    if (!norm.is_null() && norm.value("type", std::string()) != "NFC")
      fail(ErrorKind::Unsupported, src + ": normalizer '" + norm.value("type", std::string()) +
                                       "' is not supported (none or NFC)");
    // Ids: the vocabulary, the added tokens, and config.json's vocab_size (unused ids are
    // "[PADn]", as llama.cpp's converter writes them into GGUF files).
    int size = 0;
    auto grow = [&](int id) {
      if (id < 0 || id >= (1 << 24))
        fail(ErrorKind::Format, src + ": token id " + std::to_string(id) + " out of range");
      size = std::max(size, id + 1);
    };
    auto token_id = [&](const json& j) {  // an integer in range (a float would be UB as int)
      if (!j.is_number_integer() || j.get<int64_t>() < 0 || j.get<int64_t>() >= (1 << 24))
        fail(ErrorKind::Format, src + ": token id " + j.dump() + " is not an id in 0..2^24");
      return j.get<int>();
    };
    for (const auto& [piece, id] : model.at("vocab").items()) grow(token_id(id));
    const json added = t.value("added_tokens", json::array());
    for (const auto& a : added) grow(token_id(a.at("id")));
    if (cfg.contains("vocab_size") && cfg["vocab_size"].is_number_integer())
      grow(json_int(cfg["vocab_size"], src + ": vocab_size") - 1);
    v.pieces.resize(size);
    v.types.assign(size, kTokenNormal);
    for (int i = 0; i < size; ++i) v.pieces[i] = "[PAD" + std::to_string(i) + "]";
    for (const auto& [piece, id] : model["vocab"].items()) v.pieces[token_id(id)] = piece;
    for (const auto& a : added) {
      const int id = token_id(a.at("id"));
      v.pieces[id] = a.at("content").get<std::string>();
      v.types[id] = a.value("special", false) ? kTokenControl : kTokenUserDefined;
    }
    for (const auto& m : model.at("merges")) {
      std::pair<std::string, std::string> p;
      if (m.is_array() && m.size() == 2)
        v.merges.emplace_back(m[0].get<std::string>(), m[1].get<std::string>());
      else if (m.is_string() && split_merge(m.get<std::string>(), p))
        v.merges.push_back(std::move(p));
    }
    v.pre = pretokenizer_spec_from_hf(t.value("pre_tokenizer", json()), src);
    v.pre.ignore_merges = model.value("ignore_merges", false);
    const json tc = fs::exists(dir / "tokenizer_config.json", ec)
                        ? read_json(dir / "tokenizer_config.json")
                        : json::object();
    v.bos = find_id(v.pieces, token_text(tc, "bos_token"));
    v.eos = find_id(v.pieces, token_text(tc, "eos_token"));
    if (model.contains("unk_token") && model["unk_token"].is_string())
      v.unk = find_id(v.pieces, model["unk_token"].get<std::string>());
    if (v.bos < 0 && cfg.contains("bos_token_id") && cfg["bos_token_id"].is_number())
      v.bos = json_int(cfg["bos_token_id"], src + ": bos_token_id");
    if (v.eos < 0 && cfg.contains("eos_token_id") && cfg["eos_token_id"].is_number())
      v.eos = json_int(cfg["eos_token_id"], src + ": eos_token_id");
    if (tc.contains("add_bos_token") && tc["add_bos_token"].is_boolean())
      v.add_bos = tc["add_bos_token"].get<bool>();
    else
      v.add_bos = template_adds(t.value("post_processor", json()), v.bos);
  } catch (const json::exception& e) {
    fail(ErrorKind::Format, src + ": bad tokenizer.json: " + e.what());
  }
  return std::make_unique<BpeTokenizer>(std::move(v), "hf-bpe", src);
}

}  // namespace lr

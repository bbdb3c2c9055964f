// HF / RKLLM folder and GGUF exports.
#include "export/model_export.h"

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "core/formats/gguf.h"
#include "core/formats/gguf_rewrite.h"
#include "core/model/model.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "core/util/mapped_file.h"
#include "export/output.h"

namespace fs = std::filesystem;
using nlohmann::json;
using nlohmann::ordered_json;

namespace lr {

namespace {

void check_count(const ExportSource& s, int head_dim, const std::string& model) {
  if (s.long_rows.size() != 1)
    fail(ErrorKind::Unsupported, "per-layer factors (" + std::to_string(s.long_rows.size()) +
                                     " rows) cannot be expressed in this format");
  if (s.half() != head_dim / 2)
    fail(ErrorKind::Data, (s.archive_path.empty() ? s.source_file : s.archive_path) + ": " +
                              std::to_string(s.half()) + " factors, but " + model +
                              " needs head_dim/2 = " + std::to_string(head_dim / 2));
}

void write_rkllm_files(const std::string& dir, const ExportSource& s, const RkllmOptions& o,
                       const std::string& arch) {
  // As RockchipLlama's config/inference_config.json and config/model_registry.json.
  ordered_json inf;
  inf["description"] = "RKLLM inference parameters (longrope export)";
  inf["model_defaults"] = {
      {"max_context_len", s.target_length}, {"max_new_tokens", o.max_new_tokens}, {"n_keep", -1}};
  inf["hardware"] = {{"embed_flash", 0}};
  write_file_atomically(dir + "/inference_config.json", inf.dump(2) + "\n");
  ordered_json reg;
  reg["models"][o.name] = {
      {"path", "models/" + o.name + ".rkllm"},
      {"architecture", arch},
      {"max_context", s.target_length},
      {"description", "LongRoPE " + std::to_string(s.original_max_position) + " -> " +
                          std::to_string(s.target_length) + " (longrope export)"}};
  write_file_atomically(dir + "/model_registry.json", reg.dump(2) + "\n");
}

// Whether `p` is `dir` or lies inside it (both canonical).
bool inside(const fs::path& p, const fs::path& dir) {
  const auto d = std::mismatch(dir.begin(), dir.end(), p.begin(), p.end()).first;
  return d == dir.end() || (std::next(d) == dir.end() && d->empty());
}

}  // namespace

void export_hf(const std::string& model_dir, const std::string& out_dir, const ExportSource& s,
               const ordered_json& record, bool replace_file_factors, bool replace_output,
               const RkllmOptions* rkllm) {
  std::error_code ec;
  const fs::path src(model_dir);
  if (!fs::is_directory(src, ec))
    fail(ErrorKind::Io, model_dir + ": not a Hugging Face model folder (--format " +
                            std::string(rkllm ? "rkllm" : "hf") + " needs one)");
  const std::string cfg_path = (src / "config.json").string();
  if (!fs::exists(cfg_path, ec)) fail(ErrorKind::Io, model_dir + ": no config.json");
  ordered_json cfg;
  try {
    cfg = ordered_json::parse(read_text_file(cfg_path));
  } catch (const json::exception& e) {
    fail(ErrorKind::Format, cfg_path + ": not valid JSON: " + e.what());
  }
  ModelConfig c;
  if (cfg.contains("rope_scaling") && !cfg["rope_scaling"].is_null()) {
    if (!replace_file_factors)
      fail(ErrorKind::InvalidArgument,
           cfg_path + " already has rope_scaling; pass --replace-file-factors to replace it");
    // Check the shape of the base model: the config without its own scaling.
    ordered_json base = cfg;
    base.erase("rope_scaling");
    if (base.contains("original_max_position_embeddings")) {
      base["max_position_embeddings"] = base["original_max_position_embeddings"];
      base.erase("original_max_position_embeddings");
    }
    const std::string probe = unique_sibling(out_dir, "config-check");
    write_file_atomically(probe, base.dump());
    try {
      c = read_hf_config(probe);
    } catch (...) {
      fs::remove(probe, ec);
      throw;
    }
    fs::remove(probe, ec);
  } else {
    c = read_hf_config(cfg_path);  // architecture and shape checks
  }
  check_count(s, c.head_dim, model_dir);
  if (inside(fs::weakly_canonical(src, ec), fs::weakly_canonical(out_dir, ec)))
    fail(ErrorKind::InvalidArgument, out_dir + ": the output would overwrite the model folder");
  cfg["original_max_position_embeddings"] = s.original_max_position;
  cfg["max_position_embeddings"] = s.target_length;
  cfg["rope_scaling"] = {{"rope_type", "longrope"},
                         {"long_factor", s.long_factors()},
                         {"short_factor", s.short_factors},
                         {"factor", s.scale()},
                         {"attention_factor", s.mscale()}};
  write_folder_atomically(
      out_dir,
      [&](const std::string& dir) {
        write_file_atomically(dir + "/config.json", cfg.dump(2) + "\n");
        for (const auto& e : fs::directory_iterator(src)) {
          const std::string name = e.path().filename().string();
          if (name == "config.json" || name == kExportMarker) continue;
          if (rkllm && (name == "inference_config.json" || name == "model_registry.json")) continue;
          fs::create_symlink(fs::canonical(e.path()), fs::path(dir) / name, ec);
          if (ec) fail(ErrorKind::Io, dir + "/" + name + ": cannot create link: " + ec.message());
        }
        if (rkllm) write_rkllm_files(dir, s, *rkllm, c.arch);
        write_file_atomically(dir + "/" + kExportMarker, record.dump(2) + "\n");
      },
      replace_output);
}

void export_gguf(const std::string& model, const std::string& out, const ExportSource& s,
                 const ordered_json& record, bool replace_file_factors) {
  if (!fs::exists(model)) fail(ErrorKind::Io, "model file '" + model + "' does not exist");
  if (!is_gguf_file(model))
    fail(ErrorKind::Format, model + ": not a GGUF file (--format gguf needs one)");
  GgufFile g(model);
  const auto& m = g.meta();
  const std::string arch = m.value("general.architecture", std::string());
  if (arch != "llama")
    fail(ErrorKind::Unsupported, model + ": architecture '" + arch +
                                     "' cannot be exported (supported: llama; llama.cpp reads "
                                     "rope_freqs for llama only: use --format hf)");
  const int n_heads = gguf_int(m, "llama.attention.head_count", model, 0);
  const int dim = gguf_int(m, "llama.embedding_length", model, 0);
  const int head_dim =
      gguf_int(m, "llama.attention.key_length", model, n_heads > 0 ? dim / n_heads : 0);
  const int rot = gguf_int(m, "llama.rope.dimension_count", model, head_dim);
  if (head_dim <= 0) fail(ErrorKind::Format, model + ": GGUF lacks the attention shape keys");
  check_count(s, rot, model);
  if (g.tensors().count("rope_freqs.weight") && !replace_file_factors)
    fail(ErrorKind::InvalidArgument,
         model + " already carries rope_freqs.weight; pass --replace-file-factors to replace it");
  if (m.contains("llama.rope.scaling.type") && m["llama.rope.scaling.type"] != "none")
    fail(ErrorKind::Unsupported, model + ": the file already declares RoPE scaling '" +
                                     m["llama.rope.scaling.type"].get<std::string>() + "'");
  GgufEdits e;
  e.set.emplace_back("llama.context_length", GgufValue::u32(s.target_length));
  e.set.emplace_back("llama.rope.scaling.original_context_length",
                     GgufValue::u32(s.original_max_position));
  e.set.emplace_back("llama.rope.scaling.attn_factor",
                     GgufValue::f32(static_cast<float>(s.mscale())));
  e.set.emplace_back(kGgufExportKey, GgufValue::str(record.dump()));
  std::vector<float> f(s.long_factors().begin(), s.long_factors().end());
  GgufTensorData t;
  t.name = "rope_freqs.weight";
  t.type = ggml_id::F32;
  t.shape = {static_cast<int64_t>(f.size())};
  t.data = reinterpret_cast<const uint8_t*>(f.data());
  t.nbytes = f.size() * sizeof(float);
  e.tensors.push_back(t);
  rewrite_gguf(g, e, out);
}

}  // namespace lr

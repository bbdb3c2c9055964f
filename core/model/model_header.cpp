// Header-only reads of HF folders, bare config.json, GGUF and llama2.c files for `plan`.
#include "core/model/model_header.h"

#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/formats/gguf.h"
#include "core/formats/safetensors.h"
#include "core/model/model.h"
#include "core/util/error.h"
#include "core/util/mapped_file.h"

namespace fs = std::filesystem;

namespace lr {

uint64_t parameter_count(const ModelConfig& c) {
  const uint64_t dim = c.dim, qd = c.q_dim(), kvd = c.kv_dim(), hid = c.hidden_dim;
  const uint64_t vocab = c.vocab_size;
  const uint64_t per_layer = 2 * dim + dim * qd + 2 * dim * kvd + qd * dim + 3 * dim * hid;
  return vocab * dim + c.n_layers * per_layer + dim + (c.tied_output ? 0 : vocab * dim);
}

namespace {

std::string count_note(size_t tensors, size_t files) {
  return "sum of " + std::to_string(tensors) + " tensors in " + std::to_string(files) +
         (files == 1 ? " file" : " files");
}

ModelHeader bare_config(const std::string& path) {
  ModelHeader h;
  h.source = "hf-config";
  h.config = read_hf_config(path);
  const auto j = nlohmann::json::parse(read_text_file(path));  // valid: read_hf_config parsed it
  std::string dtype = "float32";
  std::string how = "torch_dtype ";
  if (j.contains("torch_dtype") && j["torch_dtype"].is_string()) {
    dtype = j["torch_dtype"].get<std::string>();
  } else {
    how = "no torch_dtype, assumed ";
  }
  int bytes = 0;
  if (dtype == "float32")
    bytes = 4;
  else if (dtype == "float16" || dtype == "bfloat16")
    bytes = 2;
  else
    fail(ErrorKind::Unsupported,
         path + ": torch_dtype '" + dtype + "' unknown (known: float32, float16, bfloat16)");
  const uint64_t params = parameter_count(h.config);
  h.stored_bytes = params * bytes;
  const uint64_t vectors =
      static_cast<uint64_t>(h.config.n_layers) * 2 * h.config.dim + h.config.dim;
  h.engine_bytes = h.stored_bytes + vectors * (4 - bytes);
  h.stored_estimated = true;
  h.stored_note = "estimate: " + std::to_string(params) + " parameters x " + std::to_string(bytes) +
                  " bytes (" + how + dtype + ")";
  return h;
}

ModelHeader hf_folder(const std::string& dir) {
  ModelHeader h;
  h.source = "hf";
  const fs::path cfg = fs::path(dir) / "config.json";
  std::error_code ec;
  if (!fs::exists(cfg, ec)) fail(ErrorKind::Io, dir + ": no config.json in the model folder");
  h.config = read_hf_config(cfg.string());
  const auto files = hf_weight_files(dir);
  TensorMap tensors;
  for (const auto& f : files) read_safetensors(f, tensors);  // maps lazily; reads headers only
  for (const auto& [name, t] : tensors) {
    h.stored_bytes += t.nbytes;
    h.engine_bytes += t.shape.size() >= 2 ? t.nbytes : 4 * (t.shape.empty() ? 1 : t.shape[0]);
  }
  h.stored_note = count_note(tensors.size(), files.size());
  return h;
}

ModelHeader gguf(const std::string& path) {
  ModelHeader h;
  h.source = "gguf";
  GgufFile g(path);
  h.config = gguf_model_config(g);
  // Every ggml type counts, also those our engine cannot load (Q4_K, ...): serving runtimes can.
  for (const auto& t : g.tensor_infos()) {
    uint64_t n = 1;
    for (uint64_t d : t.ne) n *= d;
    const uint64_t b = ggml_tensor_bytes(t.type, n);
    if (b == 0 && n > 0)
      fail(ErrorKind::Unsupported, path + ": tensor '" + t.name + "' has ggml type " +
                                       ggml_type_name(t.type) + " of unknown size");
    h.stored_bytes += b;
    h.engine_bytes += t.ne.size() >= 2 ? b : 4 * n;
  }
  h.stored_note = count_note(g.tensor_infos().size(), 1);
  for (const auto& [name, t] : g.tensors())
    if (t.dtype == DType::Other) {
      h.engine_note = "our engine cannot load tensor type " + t.dtype_label + " ('" + name + "')";
      break;
    }
  return h;
}

ModelHeader llama2c(const std::string& path) {
  ModelHeader h;
  h.source = "llama2c";
  auto m = load_llama2c_model(path);  // maps the file; F32 weights are not copied
  h.config = m->config;
  h.stored_bytes = m->weights.maps.front()->size() - 28;  // everything after the 7-int header
  h.engine_bytes = m->weights.bytes;
  h.stored_note = "F32 tensors after the 28-byte header";
  return h;
}

}  // namespace

ModelHeader read_model_header(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) fail(ErrorKind::Io, "model '" + path + "' does not exist");
  if (fs::is_directory(path, ec)) return hf_folder(path);
  const std::string ext = fs::path(path).extension().string();
  if (ext == ".json") return bare_config(path);
  if (is_gguf_file(path)) return with_gguf_metadata_errors(path, [&] { return gguf(path); });
  if (ext == ".gguf") fail(ErrorKind::Format, path + ": not a GGUF file (bad magic)");
  if (ext == ".safetensors") return hf_folder(fs::path(path).parent_path().string());
  if (ext == ".bin") return llama2c(path);
  fail(ErrorKind::Format, "cannot tell the format of '" + path +
                              "': pass a Hugging Face folder or config.json, a .gguf or a "
                              "llama2.c .bin");
}

}  // namespace lr

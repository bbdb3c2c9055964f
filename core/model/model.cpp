// Format dispatch for load_model.
#include "core/model/model.h"

#include <cstring>
#include <filesystem>
#include <fstream>

#include "core/formats/gguf.h"
#include "core/util/error.h"

namespace fs = std::filesystem;

namespace lr {

std::unique_ptr<Model> load_model(const std::string& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) fail(ErrorKind::Io, "model '" + path + "' does not exist");
  if (fs::is_directory(path, ec)) return load_hf_folder(path);
  if (!std::ifstream(path)) fail(ErrorKind::Io, "cannot open model '" + path + "'");
  if (is_gguf_file(path))
    return with_gguf_metadata_errors(path, [&] { return load_gguf_model(path); });
  const std::string ext = fs::path(path).extension().string();
  if (ext == ".gguf") fail(ErrorKind::Format, path + ": not a GGUF file (bad magic)");
  if (ext == ".safetensors") return load_hf_folder(fs::path(path).parent_path().string());
  if (ext == ".bin") return load_llama2c_model(path);
  fail(ErrorKind::Format, "cannot tell the format of '" + path +
                              "': pass a Hugging Face folder, a .gguf file or a llama2.c .bin");
}

}  // namespace lr

#include "core/util/sha256.h"

namespace lr {

std::string model_fingerprint(const Model& m) {
  const ModelConfig& c = m.config;
  Sha256 h;
  h.update("longrope-model-v1 " + c.format + " " + std::to_string(c.dim) + " " +
           std::to_string(c.hidden_dim) + " " + std::to_string(c.n_layers) + " " +
           std::to_string(c.n_heads) + " " + std::to_string(c.n_kv_heads) + " " +
           std::to_string(c.head_dim) + " " + std::to_string(c.vocab_size) + " " +
           std::to_string(c.rope_theta) + "\n");
  for (const auto& f : m.weights.maps) {
    const size_t n = f->size(), edge = std::min<size_t>(n, 1 << 20);
    h.update(std::to_string(n) + "\n");
    h.update(f->data(), edge);
    h.update(f->data() + n - edge, edge);
  }
  return h.hex();
}

}  // namespace lr

// One loaded model: description, weights, and where its tokenizer lives.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "core/model/config.h"
#include "core/model/weights.h"

namespace lr {

class GgufFile;

struct Model {
  ModelConfig config;
  Weights weights;
  std::string path;            // what the user passed
  std::string tokenizer_path;  // file the tokenizer is read from ("" = embedded / unknown)
};

// Loads a Hugging Face folder, a GGUF file or a llama2.c .bin, by content.
std::unique_ptr<Model> load_model(const std::string& path);

// Format-specific loaders (used by load_model; exposed for tests).
std::unique_ptr<Model> load_hf_folder(const std::string& dir);
std::unique_ptr<Model> load_gguf_model(const std::string& path);
std::unique_ptr<Model> load_llama2c_model(const std::string& path);

// The description in a bare Hugging Face config.json (no weights needed), validated.
ModelConfig read_hf_config(const std::string& config_json_path);
// The safetensors files of a Hugging Face folder (single file or sharded index).
std::vector<std::string> hf_weight_files(const std::string& dir);
// The description in a parsed GGUF file's metadata, validated (weights not touched).
ModelConfig gguf_model_config(const GgufFile& g);

}  // namespace lr

namespace lr {
// SHA-256 over the model description and, for each weight file, its size and first and last
// MiB: cheap on multi-GB files, and it changes when the weights do.
std::string model_fingerprint(const Model& m);
}  // namespace lr

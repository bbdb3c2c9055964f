// Model exports: HF folder (rope_scaling longrope, files linked), RKLLM files, GGUF + rope_freqs.
#pragma once
#include <nlohmann/json.hpp>
#include <string>

#include "export/source.h"

namespace lr {

struct RkllmOptions {
  std::string name;  // model name in model_registry.json
  int max_new_tokens = 1024;
};

// Writes `out_dir` from the HF folder `model_dir`: config.json rewritten (top-level
// original_max_position_embeddings = L, max_position_embeddings = T, rope_scaling longrope),
// every other entry symlinked (absolute), plus longrope_export.json (`record`). Refuses a
// config that already has rope_scaling unless `replace_file_factors`. The folder is built
// beside `out_dir` and renamed into place (lr::write_folder_atomically): an existing
// `out_dir` is refused unless `replace_output`, and the model folder is never inside it.
void export_hf(const std::string& model_dir, const std::string& out_dir, const ExportSource& s,
               const nlohmann::ordered_json& record, bool replace_file_factors, bool replace_output,
               const RkllmOptions* rkllm = nullptr);

// Writes `out` = `model` plus an F32 tensor rope_freqs.weight (the long factors),
// llama.rope.scaling.attn_factor, llama.context_length = T,
// llama.rope.scaling.original_context_length = L and longrope.export (the record); every other
// key and tensor byte-identical. Refuses non-llama files and files that already carry
// rope_freqs.weight (unless `replace_file_factors`).
void export_gguf(const std::string& model, const std::string& out, const ExportSource& s,
                 const nlohmann::ordered_json& record, bool replace_file_factors);

}  // namespace lr

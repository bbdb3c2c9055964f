// GGUF (v2/v3) container parser: metadata key/values and tensor directory.
#pragma once
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "assemble.h"
#include "mapped_file.h"

namespace lr {

class GgufFile {
 public:
  explicit GgufFile(const std::string& path);  // throws Format on any inconsistency

  const nlohmann::json& meta() const { return meta_; }  // key -> value (arrays as JSON arrays)
  bool has(const std::string& key) const { return meta_.contains(key); }
  const TensorMap& tensors() const { return tensors_; }
  std::shared_ptr<MappedFile> map() const { return map_; }
  const std::string& path() const { return path_; }
  uint32_t version() const { return version_; }

 private:
  std::string path_;
  std::shared_ptr<MappedFile> map_;
  nlohmann::json meta_;
  TensorMap tensors_;
  uint32_t version_ = 0;
};

// True when `path` starts with the GGUF magic (false for unreadable files).
bool is_gguf_file(const std::string& path);

// llama.cpp's name for a ggml tensor type id (for messages).
std::string ggml_type_name(uint32_t type);

}  // namespace lr

// GGUF (v2/v3) container parser: metadata key/values and tensor directory.
#pragma once
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "core/tensor/ggml_types.h"
#include "core/tensor/raw_tensor.h"
#include "core/util/error.h"
#include "core/util/mapped_file.h"

namespace lr {

// GGUF metadata value type ids (gguf.md).
enum class GgufType : uint32_t {
  U8 = 0,
  I8 = 1,
  U16 = 2,
  I16 = 3,
  U32 = 4,
  I32 = 5,
  F32 = 6,
  Bool = 7,
  String = 8,
  Array = 9,
  U64 = 10,
  I64 = 11,
  F64 = 12,
};

// One metadata record as stored: its key, GGUF value type and raw byte span [begin, end)
// in the file (from the key's length prefix to the end of the value).
struct GgufKvSpan {
  std::string key;
  uint32_t type = 0;
  uint64_t begin = 0, end = 0;
};

// One tensor-directory record: ne in GGUF order (innermost first), ggml type id, data offset
// relative to the data section, and the raw span of the record itself.
struct GgufTensorInfo {
  std::string name;
  std::vector<uint64_t> ne;
  uint32_t type = 0;
  uint64_t offset = 0;
  uint64_t begin = 0, end = 0;
};

class GgufFile {
 public:
  explicit GgufFile(const std::string& path);  // throws Format on any inconsistency

  const nlohmann::json& meta() const { return meta_; }  // key -> value (arrays as JSON arrays)
  bool has(const std::string& key) const { return meta_.contains(key); }
  const TensorMap& tensors() const { return tensors_; }
  std::shared_ptr<MappedFile> map() const { return map_; }
  const std::string& path() const { return path_; }
  uint32_t version() const { return version_; }
  // Raw layout, in file order (used to rewrite a file with untouched records byte-identical).
  const std::vector<GgufKvSpan>& kv_spans() const { return kv_spans_; }
  const std::vector<GgufTensorInfo>& tensor_infos() const { return tensor_infos_; }
  uint64_t alignment() const { return alignment_; }
  uint64_t data_offset() const { return data_offset_; }  // start of the tensor data section

 private:
  std::string path_;
  std::shared_ptr<MappedFile> map_;
  nlohmann::json meta_;
  TensorMap tensors_;
  uint32_t version_ = 0;
  std::vector<GgufKvSpan> kv_spans_;
  std::vector<GgufTensorInfo> tensor_infos_;
  uint64_t alignment_ = 32, data_offset_ = 0;
};

// Runs `f`, which reads GGUF metadata of `path`: a value of an unexpected JSON type (a hostile
// or corrupt file) becomes a Format error naming the file.
template <typename F>
auto with_gguf_metadata_errors(const std::string& path, F f) -> decltype(f()) {
  try {
    return f();
  } catch (const nlohmann::json::exception& e) {
    fail(ErrorKind::Format, path + ": bad GGUF metadata value: " + e.what());
  }
}

// An integer metadata value: a GGUF integer type within int's range, else a Format error naming
// the key and the file (a float would be converted with undefined behaviour); `def` when absent
// (none: absent is an error too).
int gguf_int(const nlohmann::json& m, const std::string& key, const std::string& path,
             std::optional<int> def = std::nullopt);
// An array of such integers (token types).
std::vector<int> gguf_ints(const nlohmann::json& m, const std::string& key,
                           const std::string& path);

// True when `path` starts with the GGUF magic (false for unreadable files).
bool is_gguf_file(const std::string& path);

}  // namespace lr

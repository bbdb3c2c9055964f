// Safetensors header parsing with bounds checks on every offset.
#include "core/formats/safetensors.h"

#include <cstring>
#include <nlohmann/json.hpp>

#include "core/util/error.h"

namespace lr {

static DType st_dtype(const std::string& s) {
  if (s == "F32") return DType::F32;
  if (s == "F16") return DType::F16;
  if (s == "BF16") return DType::BF16;
  return DType::Other;
}

std::shared_ptr<MappedFile> read_safetensors(const std::string& path, TensorMap& out) {
  auto map = std::make_shared<MappedFile>(path);
  const size_t size = map->size();
  if (size < 8) fail(ErrorKind::Format, path + ": truncated safetensors file (no header length)");
  uint64_t hlen;
  std::memcpy(&hlen, map->data(), 8);
  if (hlen > size - 8) {
    fail(ErrorKind::Format, path + ": safetensors header length " + std::to_string(hlen) +
                                " runs past the end of the file (" + std::to_string(size) +
                                " bytes): truncated or corrupt");
  }
  nlohmann::json header;
  try {
    header = nlohmann::json::parse(map->data() + 8, map->data() + 8 + hlen);
  } catch (const std::exception& e) {
    fail(ErrorKind::Format, path + ": safetensors header is not valid JSON: " + e.what());
  }
  if (!header.is_object()) fail(ErrorKind::Format, path + ": safetensors header is not an object");
  const uint8_t* base = map->data() + 8 + hlen;
  const size_t data_size = size - 8 - hlen;
  for (auto it = header.begin(); it != header.end(); ++it) {
    if (it.key() == "__metadata__") continue;
    const auto& j = it.value();
    try {
      RawTensor t;
      t.name = it.key();
      t.dtype_label = j.at("dtype").get<std::string>();
      t.dtype = st_dtype(t.dtype_label);
      t.shape = j.at("shape").get<std::vector<int64_t>>();
      const auto off = j.at("data_offsets").get<std::vector<uint64_t>>();
      if (off.size() != 2 || off[0] > off[1] || off[1] > data_size) {
        fail(ErrorKind::Format,
             path + ": tensor '" + t.name + "' data lies outside the file: truncated or corrupt");
      }
      t.data = base + off[0];
      t.nbytes = off[1] - off[0];
      out[t.name] = t;
    } catch (const nlohmann::json::exception& e) {
      fail(ErrorKind::Format, path + ": bad entry for tensor '" + it.key() + "': " + e.what());
    }
  }
  return map;
}

}  // namespace lr

// GGUF parsing with a bounds-checked cursor; tensor data stays in the map.
#include "core/formats/gguf.h"

#include <cstring>
#include <fstream>

#include "core/util/error.h"
#include "core/util/json_int.h"

namespace lr {

namespace {

class Cursor {
 public:
  Cursor(const uint8_t* p, size_t n, const std::string& path) : p_(p), n_(n), path_(path) {}
  template <typename T>
  T get() {
    need(sizeof(T));
    T v;
    std::memcpy(&v, p_ + off_, sizeof(T));
    off_ += sizeof(T);
    return v;
  }
  std::string str() {
    const uint64_t len = get<uint64_t>();
    need(len);
    std::string s(reinterpret_cast<const char*>(p_ + off_), len);
    off_ += len;
    return s;
  }
  size_t offset() const { return off_; }

 private:
  void need(uint64_t k) {
    if (k > n_ - off_) fail(ErrorKind::Format, path_ + ": GGUF file is truncated or corrupt");
  }
  const uint8_t* p_;
  size_t n_, off_ = 0;
  const std::string& path_;
};

nlohmann::json read_value(Cursor& c, uint32_t type, const std::string& path, int depth = 0) {
  switch (static_cast<GgufType>(type)) {
    case GgufType::U8:
      return c.get<uint8_t>();
    case GgufType::I8:
      return c.get<int8_t>();
    case GgufType::U16:
      return c.get<uint16_t>();
    case GgufType::I16:
      return c.get<int16_t>();
    case GgufType::U32:
      return c.get<uint32_t>();
    case GgufType::I32:
      return c.get<int32_t>();
    case GgufType::F32:
      return c.get<float>();
    case GgufType::Bool:
      return c.get<uint8_t>() != 0;
    case GgufType::String:
      return c.str();
    case GgufType::Array: {
      if (depth > 2) fail(ErrorKind::Format, path + ": GGUF arrays nested too deeply");
      const uint32_t et = c.get<uint32_t>();
      const uint64_t n = c.get<uint64_t>();
      nlohmann::json arr = nlohmann::json::array();
      for (uint64_t i = 0; i < n; ++i) arr.push_back(read_value(c, et, path, depth + 1));
      return arr;
    }
    case GgufType::U64:
      return c.get<uint64_t>();
    case GgufType::I64:
      return c.get<int64_t>();
    case GgufType::F64:
      return c.get<double>();
    default:
      fail(ErrorKind::Format, path + ": unknown GGUF metadata type " + std::to_string(type));
  }
}

DType gguf_dtype(uint32_t t) { return dtype_from_ggml(t); }

}  // namespace

bool is_gguf_file(const std::string& path) {
  char magic[4] = {0, 0, 0, 0};
  std::ifstream in(path, std::ios::binary);
  in.read(magic, 4);
  return in.gcount() == 4 && std::memcmp(magic, "GGUF", 4) == 0;
}

namespace {
// A GGUF integer type only (a float is refused, not truncated), then json_int's range check.
int checked_int(const nlohmann::json& v, const std::string& key, const std::string& path) {
  if (!v.is_number_integer())
    fail(ErrorKind::Format,
         path + ": GGUF key '" + key + "' is not an integer (" + v.dump().substr(0, 40) + ")");
  return json_int(v, path + ": GGUF key '" + key + "'");
}
}  // namespace

int gguf_int(const nlohmann::json& m, const std::string& key, const std::string& path,
             std::optional<int> def) {
  if (!m.contains(key)) {
    if (def) return *def;
    fail(ErrorKind::Format, path + ": missing GGUF key '" + key + "'");
  }
  return checked_int(m.at(key), key, path);
}

std::vector<int> gguf_ints(const nlohmann::json& m, const std::string& key,
                           const std::string& path) {
  const nlohmann::json& a = m.at(key);
  if (!a.is_array()) fail(ErrorKind::Format, path + ": GGUF key '" + key + "' is not an array");
  std::vector<int> out;
  out.reserve(a.size());
  for (const auto& v : a) out.push_back(checked_int(v, key, path));
  return out;
}

GgufFile::GgufFile(const std::string& path) : path_(path) {
  map_ = std::make_shared<MappedFile>(path);
  Cursor c(map_->data(), map_->size(), path_);
  if (map_->size() < 4 || std::memcmp(map_->data(), "GGUF", 4) != 0) {
    fail(ErrorKind::Format, path + ": not a GGUF file (bad magic)");
  }
  c.get<uint32_t>();
  version_ = c.get<uint32_t>();
  if (version_ != 2 && version_ != 3) {
    fail(ErrorKind::Unsupported,
         path + ": GGUF version " + std::to_string(version_) + " unsupported (need 2 or 3)");
  }
  const uint64_t n_tensors = c.get<uint64_t>();
  const uint64_t n_kv = c.get<uint64_t>();
  if (n_tensors > map_->size() || n_kv > map_->size()) {
    fail(ErrorKind::Format, path + ": GGUF header counts are corrupt");
  }
  meta_ = nlohmann::json::object();
  for (uint64_t i = 0; i < n_kv; ++i) {
    GgufKvSpan span;
    span.begin = c.offset();
    span.key = c.str();
    span.type = c.get<uint32_t>();
    if (meta_.contains(span.key))
      fail(ErrorKind::Format, path + ": GGUF key '" + span.key + "' appears twice");
    meta_[span.key] = read_value(c, span.type, path);
    span.end = c.offset();
    kv_spans_.push_back(span);
  }
  struct Info {
    RawTensor t;
    uint64_t offset;
  };
  std::vector<Info> infos;
  for (uint64_t i = 0; i < n_tensors; ++i) {
    Info in;
    GgufTensorInfo ti;
    ti.begin = c.offset();
    in.t.name = c.str();
    const uint32_t nd = c.get<uint32_t>();
    if (nd == 0 || nd > 4)
      fail(ErrorKind::Format, path + ": tensor '" + in.t.name + "' has bad rank");
    std::vector<int64_t> ne(nd);
    for (uint32_t d = 0; d < nd; ++d) {
      ti.ne.push_back(c.get<uint64_t>());
      ne[d] = static_cast<int64_t>(ti.ne.back());
    }
    in.t.shape.assign(ne.rbegin(), ne.rend());  // GGUF lists the innermost dimension first
    const uint32_t type = c.get<uint32_t>();
    in.t.dtype = gguf_dtype(type);
    in.t.dtype_label = ggml_type_name(type);
    in.offset = c.get<uint64_t>();
    ti.name = in.t.name;
    ti.type = type;
    ti.offset = in.offset;
    ti.end = c.offset();
    tensor_infos_.push_back(ti);
    infos.push_back(in);
  }
  uint64_t align = 32;
  if (meta_.contains("general.alignment")) {
    const auto& a = meta_["general.alignment"];
    if (!a.is_number_unsigned() || a.get<uint64_t>() == 0 || a.get<uint64_t>() > (1u << 20))
      fail(ErrorKind::Format, path + ": general.alignment must be an integer in 1..2^20");
    align = a.get<uint64_t>();
  }
  alignment_ = align;
  const uint64_t data_start = (c.offset() + align - 1) / align * align;
  data_offset_ = data_start;
  for (auto& in : infos) {
    size_t count = 1;
    for (int64_t d : in.t.shape) {  // no overflow of the element count (and of its bytes)
      if (d < 0 || (d > 0 && count > (size_t{1} << 60) / static_cast<size_t>(d)))
        fail(ErrorKind::Format, path + ": tensor '" + in.t.name + "' has impossible dimensions");
      count *= static_cast<size_t>(d);
    }
    const size_t nbytes = in.t.dtype == DType::Other ? 0 : dtype_bytes(in.t.dtype, count);
    if (in.offset > map_->size() || nbytes > map_->size() ||
        data_start + in.offset + nbytes > map_->size()) {
      fail(ErrorKind::Format, path + ": tensor '" + in.t.name +
                                  "' data lies past the end of the file: truncated or corrupt");
    }
    in.t.data = map_->data() + data_start + in.offset;
    in.t.nbytes = nbytes;
    tensors_[in.t.name] = in.t;
  }
}

}  // namespace lr

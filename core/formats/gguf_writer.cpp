// GGUF v3 writer: value encoding, tensor directory, aligned data, atomic file replacement.
#include "core/formats/gguf_writer.h"

#include <cstring>
#include <set>

#include "core/formats/gguf.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"

namespace lr {

namespace {

template <typename T>
std::string raw(T v) {
  std::string s(sizeof(T), '\0');
  std::memcpy(s.data(), &v, sizeof(T));
  return s;
}

}  // namespace

GgufValue GgufValue::u8(uint8_t v) { return {GgufType::U8, raw(v)}; }
GgufValue GgufValue::i8(int8_t v) { return {GgufType::I8, raw(v)}; }
GgufValue GgufValue::u16(uint16_t v) { return {GgufType::U16, raw(v)}; }
GgufValue GgufValue::i16(int16_t v) { return {GgufType::I16, raw(v)}; }
GgufValue GgufValue::u32(uint32_t v) { return {GgufType::U32, raw(v)}; }
GgufValue GgufValue::i32(int32_t v) { return {GgufType::I32, raw(v)}; }
GgufValue GgufValue::f32(float v) { return {GgufType::F32, raw(v)}; }
GgufValue GgufValue::boolean(bool v) { return {GgufType::Bool, raw<uint8_t>(v ? 1 : 0)}; }
GgufValue GgufValue::u64(uint64_t v) { return {GgufType::U64, raw(v)}; }
GgufValue GgufValue::i64(int64_t v) { return {GgufType::I64, raw(v)}; }
GgufValue GgufValue::f64(double v) { return {GgufType::F64, raw(v)}; }

GgufValue GgufValue::str(const std::string& v) {
  std::string b;
  gguf::put_string(b, v);
  return {GgufType::String, b};
}

GgufValue GgufValue::array(GgufType elem, const std::vector<GgufValue>& items) {
  std::string b = raw(static_cast<uint32_t>(elem)) + raw(static_cast<uint64_t>(items.size()));
  for (const auto& it : items) {
    if (it.type() != elem)
      fail(ErrorKind::InvalidArgument,
           "GGUF array item has type " + std::to_string(static_cast<uint32_t>(it.type())) +
               ", expected " + std::to_string(static_cast<uint32_t>(elem)));
    b += it.bytes();
  }
  return {GgufType::Array, b};
}

GgufValue GgufValue::f32_array(const std::vector<float>& v) {
  std::vector<GgufValue> items;
  for (float x : v) items.push_back(f32(x));
  return array(GgufType::F32, items);
}

GgufValue GgufValue::i32_array(const std::vector<int32_t>& v) {
  std::vector<GgufValue> items;
  for (int32_t x : v) items.push_back(i32(x));
  return array(GgufType::I32, items);
}

GgufValue GgufValue::str_array(const std::vector<std::string>& v) {
  std::vector<GgufValue> items;
  for (const auto& x : v) items.push_back(str(x));
  return array(GgufType::String, items);
}

namespace gguf {

void put_string(std::string& out, const std::string& s) {
  out += raw(static_cast<uint64_t>(s.size()));
  out += s;
}

std::string encode_kv(const std::string& key, const GgufValue& v) {
  std::string out;
  put_string(out, key);
  out += raw(static_cast<uint32_t>(v.type()));
  out += v.bytes();
  return out;
}

std::string encode_tensor_info(const GgufTensorData& t, uint64_t offset) {
  std::string out;
  put_string(out, t.name);
  out += raw(static_cast<uint32_t>(t.shape.size()));
  for (auto it = t.shape.rbegin(); it != t.shape.rend(); ++it)
    out += raw(static_cast<uint64_t>(*it));  // innermost first
  out += raw(t.type);
  out += raw(offset);
  return out;
}

void check_tensor(const GgufTensorData& t) {
  if (t.name.empty()) fail(ErrorKind::InvalidArgument, "GGUF tensor without a name");
  if (t.shape.empty() || t.shape.size() > 4)
    fail(ErrorKind::InvalidArgument, "GGUF tensor '" + t.name + "' needs 1 to 4 dimensions");
  uint64_t n = 1;
  for (int64_t d : t.shape) {
    if (d <= 0) fail(ErrorKind::InvalidArgument, "GGUF tensor '" + t.name + "' has a bad shape");
    n *= static_cast<uint64_t>(d);
  }
  const uint64_t want = ggml_tensor_bytes(t.type, n);
  if (want == 0)
    fail(ErrorKind::InvalidArgument, "GGUF tensor '" + t.name + "': type " +
                                         ggml_type_name(t.type) +
                                         " unknown or shape not whole blocks");
  if (want != t.nbytes)
    fail(ErrorKind::InvalidArgument, "GGUF tensor '" + t.name + "' has " +
                                         std::to_string(t.nbytes) +
                                         " bytes; its type and shape need " + std::to_string(want));
}

uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

uint64_t alignment_of(const std::vector<std::pair<std::string, GgufValue>>& kv) {
  for (const auto& [k, v] : kv) {
    if (k != "general.alignment") continue;
    uint32_t a = 0;
    if (v.type() == GgufType::U32) std::memcpy(&a, v.bytes().data(), 4);
    if (a == 0 || (a & (a - 1)) != 0)
      fail(ErrorKind::InvalidArgument, "general.alignment must be a U32 power of two");
    return a;
  }
  return 32;
}

}  // namespace gguf

void GgufWriter::set(const std::string& key, const GgufValue& v) {
  if (key.empty()) fail(ErrorKind::InvalidArgument, "empty GGUF key");
  for (auto& [k, old] : kv_)
    if (k == key) {
      old = v;
      return;
    }
  kv_.emplace_back(key, v);
}

void GgufWriter::add_tensor(const std::string& name, uint32_t type,
                            const std::vector<int64_t>& shape, const void* data, uint64_t nbytes) {
  GgufTensorData t;
  t.name = name;
  t.type = type;
  t.shape = shape;
  t.data = static_cast<const uint8_t*>(data);
  t.nbytes = nbytes;
  gguf::check_tensor(t);
  for (const auto& o : tensors_)
    if (o.name == name) fail(ErrorKind::InvalidArgument, "GGUF tensor '" + name + "' added twice");
  tensors_.push_back(t);
}

void GgufWriter::add_tensor(const std::string& name, uint32_t type,
                            const std::vector<int64_t>& shape, std::vector<uint8_t> data) {
  auto owned = std::make_shared<std::vector<uint8_t>>(std::move(data));
  add_tensor(name, type, shape, owned->data(), owned->size());
  tensors_.back().owner = owned;
}

void GgufWriter::add_tensor(const std::string& name, uint32_t type,
                            const std::vector<int64_t>& shape, uint64_t nbytes,
                            GgufTensorFill fill) {
  if (!fill) fail(ErrorKind::InvalidArgument, "GGUF tensor '" + name + "' without bytes");
  add_tensor(name, type, shape, nullptr, nbytes);
  tensors_.back().fill = std::move(fill);
}

void GgufWriter::add_f32_tensor(const std::string& name, const std::vector<int64_t>& shape,
                                const std::vector<float>& values) {
  std::vector<uint8_t> bytes(values.size() * sizeof(float));
  std::memcpy(bytes.data(), values.data(), bytes.size());
  add_tensor(name, ggml_id::F32, shape, std::move(bytes));
}

void GgufWriter::write(const std::string& path) const {
  const uint64_t align = gguf::alignment_of(kv_);
  std::string head = "GGUF";
  head += std::string("\x03\0\0\0", 4);
  uint64_t counts[2] = {tensors_.size(), kv_.size()};
  head.append(reinterpret_cast<const char*>(counts), sizeof counts);
  for (const auto& [k, v] : kv_) head += gguf::encode_kv(k, v);
  uint64_t offset = 0;
  for (const auto& t : tensors_) {
    head += gguf::encode_tensor_info(t, offset);
    offset = gguf::align_up(offset + t.nbytes, align);
  }
  head.resize(gguf::align_up(head.size(), align), '\0');

  AtomicFile out(path);  // removed unless committed (a fill that throws, a write error)
  out.write(head.data(), head.size());
  const std::string zeros(align, '\0');
  std::vector<uint8_t> made;  // bytes of a tensor with a fill function, one at a time
  for (const auto& t : tensors_) {
    const uint8_t* bytes = t.data;
    if (t.fill) {
      made.assign(t.nbytes, 0);
      t.fill(made.data());
      bytes = made.data();
    }
    out.write(bytes, t.nbytes);
    out.write(zeros.data(), gguf::align_up(t.nbytes, align) - t.nbytes);
  }
  out.commit();
}

}  // namespace lr

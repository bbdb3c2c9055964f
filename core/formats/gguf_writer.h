// GGUF v3 writer: typed metadata values (every GGUF type, arrays included) and tensors.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/formats/gguf.h"

namespace lr {

// One encoded metadata value: its type and the bytes that follow the type id in a file.
class GgufValue {
 public:
  static GgufValue u8(uint8_t v);
  static GgufValue i8(int8_t v);
  static GgufValue u16(uint16_t v);
  static GgufValue i16(int16_t v);
  static GgufValue u32(uint32_t v);
  static GgufValue i32(int32_t v);
  static GgufValue f32(float v);
  static GgufValue boolean(bool v);
  static GgufValue str(const std::string& v);
  static GgufValue u64(uint64_t v);
  static GgufValue i64(int64_t v);
  static GgufValue f64(double v);
  // Array of `elem` values; every item must have that type (arrays of arrays are allowed).
  static GgufValue array(GgufType elem, const std::vector<GgufValue>& items);
  static GgufValue f32_array(const std::vector<float>& v);
  static GgufValue i32_array(const std::vector<int32_t>& v);
  static GgufValue str_array(const std::vector<std::string>& v);

  GgufType type() const { return type_; }
  const std::string& bytes() const { return bytes_; }

 private:
  GgufValue(GgufType t, std::string b) : type_(t), bytes_(std::move(b)) {}
  GgufType type_;
  std::string bytes_;
};

// Writes a tensor's bytes (exactly its nbytes) into `dst` when the writer needs them.
using GgufTensorFill = std::function<void(uint8_t* dst)>;

// A tensor to write: shape outermost first (as RawTensor::shape; GGUF stores it reversed),
// raw bytes in the ggml type's layout, either at `data` or made by `fill` (writer only).
struct GgufTensorData {
  std::string name;
  uint32_t type = ggml_id::F32;
  std::vector<int64_t> shape;
  const uint8_t* data = nullptr;
  uint64_t nbytes = 0;
  std::shared_ptr<const void> owner;  // keeps `data` alive when the writer owns it
  GgufTensorFill fill;                // set instead of `data`: bytes made at write time
};

class GgufWriter {
 public:
  // Sets a key (replaces the value in place when the key exists, else appends it).
  // "general.alignment" (U32, a power of two) sets the data alignment; default 32.
  void set(const std::string& key, const GgufValue& v);
  // Adds a tensor whose bytes the caller keeps alive until write() returns.
  void add_tensor(const std::string& name, uint32_t type, const std::vector<int64_t>& shape,
                  const void* data, uint64_t nbytes);
  // Adds a tensor and takes its bytes.
  void add_tensor(const std::string& name, uint32_t type, const std::vector<int64_t>& shape,
                  std::vector<uint8_t> data);
  // Adds a tensor whose `nbytes` bytes `fill` makes while write() runs, one tensor at a time:
  // a file larger than memory is written holding only its largest tensor.
  void add_tensor(const std::string& name, uint32_t type, const std::vector<int64_t>& shape,
                  uint64_t nbytes, GgufTensorFill fill);
  void add_f32_tensor(const std::string& name, const std::vector<int64_t>& shape,
                      const std::vector<float>& values);
  // Writes the file atomically (lr::AtomicFile: unique temporary, fsync, rename). Throws Io /
  // InvalidArgument; a fill that throws leaves `path` as it was and no temporary.
  void write(const std::string& path) const;

 private:
  std::vector<std::pair<std::string, GgufValue>> kv_;
  std::vector<GgufTensorData> tensors_;
};

namespace gguf {
// Low-level encoders shared by the writer and the rewriter.
void put_string(std::string& out, const std::string& s);
std::string encode_kv(const std::string& key, const GgufValue& v);
std::string encode_tensor_info(const GgufTensorData& t, uint64_t offset);
// Checks name, shape and byte count against the type; throws InvalidArgument.
void check_tensor(const GgufTensorData& t);
uint64_t align_up(uint64_t v, uint64_t a);
// Alignment a metadata list declares (general.alignment), default 32; throws on a bad value.
uint64_t alignment_of(const std::vector<std::pair<std::string, GgufValue>>& kv);
}  // namespace gguf

}  // namespace lr

// Shape, type and size checks of raw tensors; matrices stay as stored, vectors become F32.
#include "core/model/weights.h"

#include <cstdint>

#include "core/util/error.h"

namespace lr {

static std::string shape_str(const std::vector<int64_t>& s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
  return r + "]";
}

// Element count after the checks every tensor gets: shape, known type, whole blocks per row,
// byte size equal to what the type implies.
static size_t checked_count(const RawTensor& t, const std::vector<int64_t>& expected,
                            const std::string& source) {
  if (t.shape != expected) {
    fail(ErrorKind::Format, source + ": tensor '" + t.name + "' has shape " + shape_str(t.shape) +
                                ", expected " + shape_str(expected));
  }
  if (t.dtype == DType::Other) {
    fail(ErrorKind::Unsupported, source + ": tensor '" + t.name + "' has unsupported type " +
                                     t.dtype_label + " (supported: " + supported_dtypes() + ")");
  }
  size_t count = 1;
  for (int64_t d : t.shape) count *= static_cast<size_t>(d);
  const size_t row = t.shape.empty() ? 1 : static_cast<size_t>(t.shape.back());
  if (row % dtype_block(t.dtype) != 0) {
    fail(ErrorKind::Format, source + ": tensor '" + t.name + "' rows of " + std::to_string(row) +
                                " are not whole " + dtype_name(t.dtype) + " blocks of " +
                                std::to_string(dtype_block(t.dtype)));
  }
  if (dtype_bytes(t.dtype, count) != t.nbytes) {
    fail(ErrorKind::Format, source + ": tensor '" + t.name + "' holds " + std::to_string(t.nbytes) +
                                " bytes, expected " + std::to_string(dtype_bytes(t.dtype, count)) +
                                " for " + dtype_name(t.dtype) + " " + shape_str(t.shape) +
                                ": truncated or corrupt");
  }
  return count;
}

const float* materialize(const RawTensor& t, const std::vector<int64_t>& expected, Weights& w,
                         const std::string& source) {
  const size_t count = checked_count(t, expected, source);
  w.bytes += count * 4;
  if (t.dtype == DType::F32 && reinterpret_cast<uintptr_t>(t.data) % alignof(float) == 0) {
    return reinterpret_cast<const float*>(t.data);
  }
  auto& buf = w.owned.emplace_back(count);
  to_f32(t.dtype, t.data, count, buf.data());
  return buf.data();
}

QTensor map_matrix(const RawTensor& t, const std::vector<int64_t>& expected, Weights& w,
                   const std::string& source) {
  const size_t count = checked_count(t, expected, source);
  const int64_t rows = expected.size() == 2 ? expected[0] : 1, cols = expected.back();
  if (t.dtype == DType::F32 && reinterpret_cast<uintptr_t>(t.data) % alignof(float) != 0) {
    auto& buf = w.owned.emplace_back(count);
    to_f32(t.dtype, t.data, count, buf.data());
    w.bytes += count * 4;
    return QTensor::f32(buf.data(), rows, cols);
  }
  w.bytes += t.nbytes;
  return QTensor::make(t.dtype, t.data, rows, cols);
}

}  // namespace lr

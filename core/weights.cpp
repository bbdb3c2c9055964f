// Shape checks and dtype conversion of raw tensors into F32 weights.
#include "weights.h"

#include <cstdint>

#include "error.h"

namespace lr {

static std::string shape_str(const std::vector<int64_t>& s) {
  std::string r = "[";
  for (size_t i = 0; i < s.size(); ++i) r += (i ? ", " : "") + std::to_string(s[i]);
  return r + "]";
}

const float* materialize(const RawTensor& t, const std::vector<int64_t>& expected, Weights& w,
                         const std::string& source) {
  if (t.shape != expected) {
    fail(ErrorKind::Format, source + ": tensor '" + t.name + "' has shape " + shape_str(t.shape) +
                                ", expected " + shape_str(expected));
  }
  if (t.dtype == DType::Other) {
    fail(ErrorKind::Unsupported, source + ": tensor '" + t.name + "' has unsupported type " +
                                     t.dtype_label + " (supported: F32, F16, BF16, Q8_0, Q4_0)");
  }
  size_t count = 1;
  for (int64_t d : t.shape) count *= static_cast<size_t>(d);
  if (count % dtype_block(t.dtype) != 0) {
    fail(ErrorKind::Format, source + ": tensor '" + t.name + "' size is not a multiple of the " +
                                dtype_name(t.dtype) + " block");
  }
  if (dtype_bytes(t.dtype, count) != t.nbytes) {
    fail(ErrorKind::Format, source + ": tensor '" + t.name + "' holds " + std::to_string(t.nbytes) +
                                " bytes, expected " + std::to_string(dtype_bytes(t.dtype, count)) +
                                " for " + dtype_name(t.dtype) + " " + shape_str(t.shape));
  }
  w.bytes += count * 4;
  if (t.dtype == DType::F32 && reinterpret_cast<uintptr_t>(t.data) % alignof(float) == 0) {
    return reinterpret_cast<const float*>(t.data);
  }
  auto& buf = w.owned.emplace_back(count);
  to_f32(t.dtype, t.data, count, buf.data());
  return buf.data();
}

}  // namespace lr

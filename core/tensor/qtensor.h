// A weight matrix kept in its file's element type (F32, F16, BF16 or a ggml block type).
#pragma once
#include <cstddef>
#include <cstdint>

#include "core/tensor/dtype.h"
#include "core/tensor/quant_blocks.h"

namespace lr {

// (rows, cols) row-major; every row is whole blocks, so row r starts at data + r·row_bytes
// and a range of rows (a fused phi3 view) is again a QTensor.
struct QTensor {
  DType type = DType::Other;
  const uint8_t* data = nullptr;
  int64_t rows = 0, cols = 0;
  size_t row_bytes = 0;

  static QTensor make(DType t, const void* data, int64_t rows, int64_t cols) {
    return {t, static_cast<const uint8_t*>(data), rows, cols, dtype_bytes(t, cols)};
  }
  static QTensor f32(const float* data, int64_t rows, int64_t cols) {
    return make(DType::F32, data, rows, cols);
  }
  explicit operator bool() const { return data != nullptr; }
  const uint8_t* row(int64_t r) const { return data + static_cast<size_t>(r) * row_bytes; }
  QTensor slice(int64_t r0, int64_t n) const { return {type, row(r0), n, cols, row_bytes}; }
  size_t bytes() const { return static_cast<size_t>(rows) * row_bytes; }
  // F32 rows as floats (nullptr for other types).
  const float* floats() const {
    return type == DType::F32 ? reinterpret_cast<const float*>(data) : nullptr;
  }
  // Rows [r0, r0 + n) decoded into dst (n × cols floats).
  void rows_to_f32(int64_t r0, int64_t n, float* dst) const {
    to_f32(type, row(r0), static_cast<size_t>(n * cols), dst);
  }
};

}  // namespace lr

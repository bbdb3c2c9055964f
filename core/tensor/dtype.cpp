// Dtype sizes, names and scalar conversions (F16, BF16); decoding whole runs is in
// quant_blocks.cpp.
#include "core/tensor/dtype.h"

#include <cstring>

#include "core/tensor/ggml_types.h"

namespace lr {

namespace {
// The ggml id of each type we compute with, in DType order (the order messages list them);
// names and block layouts come from the ggml table.
constexpr uint32_t kGgmlIds[] = {
    ggml_id::F32, ggml_id::F16, ggml_id::BF16, ggml_id::Q8_0, ggml_id::Q4_0, 3, 6, 7, 12, 13, 14};
static_assert(sizeof(kGgmlIds) / sizeof(kGgmlIds[0]) == static_cast<size_t>(DType::Other));
const GgmlType* traits(DType t) {
  return t == DType::Other ? nullptr : ggml_type(kGgmlIds[static_cast<int>(t)]);
}
}  // namespace

size_t dtype_block(DType t) { return traits(t) ? traits(t)->block : 1; }
size_t dtype_block_bytes(DType t) { return traits(t) ? traits(t)->bytes : 0; }
size_t dtype_bytes(DType t, size_t count) {
  const GgmlType* x = traits(t);
  return x ? count / x->block * x->bytes : 0;
}
const char* dtype_name(DType t) { return traits(t) ? traits(t)->name : "other"; }
bool dtype_quantized(DType t) { return dtype_block(t) > 1; }
uint32_t dtype_ggml_id(DType t) { return traits(t) ? traits(t)->id : 0xffffffffu; }
DType dtype_from_ggml(uint32_t id) {
  for (int i = 0; i < static_cast<int>(DType::Other); ++i)
    if (kGgmlIds[i] == id) return static_cast<DType>(i);
  return DType::Other;
}
std::string supported_dtypes() {
  std::string s;
  for (int i = 0; i < static_cast<int>(DType::Other); ++i)
    s += (s.empty() ? "" : ", ") + std::string(dtype_name(static_cast<DType>(i)));
  return s;
}

float f16_to_f32(uint16_t h) {
  const uint32_t sign = (h & 0x8000u) << 16;
  uint32_t exp = (h >> 10) & 0x1f;
  uint32_t mant = h & 0x3ffu;
  uint32_t bits;
  if (exp == 0) {
    if (mant == 0) {
      bits = sign;
    } else {  // subnormal: normalise
      exp = 127 - 15 + 1;
      while ((mant & 0x400u) == 0) {
        mant <<= 1;
        --exp;
      }
      mant &= 0x3ffu;
      bits = sign | (exp << 23) | (mant << 13);
    }
  } else if (exp == 0x1f) {
    bits = sign | 0x7f800000u | (mant << 13);
  } else {
    bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
  }
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

float bf16_to_f32(uint16_t h) {
  const uint32_t bits = static_cast<uint32_t>(h) << 16;
  float f;
  std::memcpy(&f, &bits, 4);
  return f;
}

uint16_t f32_to_f16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const uint32_t sign = (x >> 16) & 0x8000u;
  const uint32_t ax = x & 0x7fffffffu;
  if (ax >= 0x7f800000u)
    return static_cast<uint16_t>(sign | 0x7c00u | (ax > 0x7f800000u ? 0x200u : 0));
  if (ax >= 0x477ff000u) return static_cast<uint16_t>(sign | 0x7c00u);  // rounds to infinity
  if (ax < 0x38800000u) {  // subnormal or zero in binary16: scale by 2^24 and round
    if (ax < 0x33000000u) return static_cast<uint16_t>(sign);  // below half the smallest
    const uint32_t e = ax >> 23, m = (ax & 0x7fffffu) | 0x800000u;
    const uint32_t shift = 126 - e;  // m >> shift gives the binary16 subnormal mantissa
    uint32_t r = m >> shift;
    const uint32_t rem = m & ((1u << shift) - 1), halfway = 1u << (shift - 1);
    if (rem > halfway || (rem == halfway && (r & 1))) ++r;
    return static_cast<uint16_t>(sign | r);
  }
  uint32_t r = ((ax >> 13) - ((127 - 15) << 10));
  const uint32_t rem = ax & 0x1fffu;
  if (rem > 0x1000u || (rem == 0x1000u && (r & 1))) ++r;
  return static_cast<uint16_t>(sign | r);
}

uint16_t f32_to_bf16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  if ((x & 0x7fffffffu) > 0x7f800000u) return static_cast<uint16_t>((x >> 16) | 0x40u);
  return static_cast<uint16_t>((x + 0x7fffu + ((x >> 16) & 1)) >> 16);
}

}  // namespace lr

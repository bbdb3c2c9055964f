// Dtype sizes, names and scalar conversions (F16, BF16); decoding whole runs is in
// quant_blocks.cpp.
#include "core/tensor/dtype.h"

#include <cstring>

namespace lr {

namespace {
struct Traits {
  DType t;
  const char* name;
  uint32_t ggml_id;
  size_t block, bytes;  // elements and bytes per block
};
// Block layouts as ggml defines them (ggml-common.h): see quant_blocks.h for the fields.
constexpr Traits kTraits[] = {
    {DType::F32, "F32", 0, 1, 4},        {DType::F16, "F16", 1, 1, 2},
    {DType::BF16, "BF16", 30, 1, 2},     {DType::Q8_0, "Q8_0", 8, 32, 34},
    {DType::Q4_0, "Q4_0", 2, 32, 18},    {DType::Q4_1, "Q4_1", 3, 32, 20},
    {DType::Q5_0, "Q5_0", 6, 32, 22},    {DType::Q5_1, "Q5_1", 7, 32, 24},
    {DType::Q4_K, "Q4_K", 12, 256, 144}, {DType::Q5_K, "Q5_K", 13, 256, 176},
    {DType::Q6_K, "Q6_K", 14, 256, 210},
};
const Traits* traits(DType t) {
  for (const auto& x : kTraits)
    if (x.t == t) return &x;
  return nullptr;
}
}  // namespace

size_t dtype_block(DType t) { return traits(t) ? traits(t)->block : 1; }
size_t dtype_block_bytes(DType t) { return traits(t) ? traits(t)->bytes : 0; }
size_t dtype_bytes(DType t, size_t count) {
  const Traits* x = traits(t);
  return x ? count / x->block * x->bytes : 0;
}
const char* dtype_name(DType t) { return traits(t) ? traits(t)->name : "other"; }
bool dtype_quantized(DType t) { return dtype_block(t) > 1; }
uint32_t dtype_ggml_id(DType t) { return traits(t) ? traits(t)->ggml_id : 0xffffffffu; }
DType dtype_from_ggml(uint32_t id) {
  for (const auto& x : kTraits)
    if (x.ggml_id == id) return x.t;
  return DType::Other;
}
std::string supported_dtypes() {
  std::string s;
  for (const auto& x : kTraits) s += (s.empty() ? "" : ", ") + std::string(x.name);
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

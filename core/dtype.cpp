// Dtype sizes and scalar conversions (F16, BF16, and llama.cpp's Q8_0 / Q4_0 blocks).
#include "dtype.h"

#include <cstring>

namespace lr {

size_t dtype_block(DType t) { return (t == DType::Q8_0 || t == DType::Q4_0) ? 32 : 1; }

size_t dtype_bytes(DType t, size_t count) {
  switch (t) {
    case DType::F32:
      return count * 4;
    case DType::F16:
    case DType::BF16:
      return count * 2;
    case DType::Q8_0:
      return count / 32 * 34;  // f16 scale + 32 int8
    case DType::Q4_0:
      return count / 32 * 18;  // f16 scale + 16 bytes of nibbles
    case DType::Other:
      return 0;
  }
  return 0;
}

const char* dtype_name(DType t) {
  switch (t) {
    case DType::F32:
      return "F32";
    case DType::F16:
      return "F16";
    case DType::BF16:
      return "BF16";
    case DType::Q8_0:
      return "Q8_0";
    case DType::Q4_0:
      return "Q4_0";
    case DType::Other:
      return "other";
  }
  return "?";
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

static uint16_t load_u16(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}

void to_f32(DType t, const uint8_t* src, size_t count, float* dst) {
  switch (t) {
    case DType::F32:
      std::memcpy(dst, src, count * 4);
      return;
    case DType::F16:
      for (size_t i = 0; i < count; ++i) dst[i] = f16_to_f32(load_u16(src + 2 * i));
      return;
    case DType::BF16:
      for (size_t i = 0; i < count; ++i) dst[i] = bf16_to_f32(load_u16(src + 2 * i));
      return;
    case DType::Q8_0:
      for (size_t b = 0; b < count / 32; ++b) {
        const uint8_t* blk = src + b * 34;
        const float d = f16_to_f32(load_u16(blk));
        for (int j = 0; j < 32; ++j) dst[b * 32 + j] = d * static_cast<int8_t>(blk[2 + j]);
      }
      return;
    case DType::Q4_0:
      for (size_t b = 0; b < count / 32; ++b) {
        const uint8_t* blk = src + b * 18;
        const float d = f16_to_f32(load_u16(blk));
        for (int j = 0; j < 16; ++j) {
          dst[b * 32 + j] = d * ((blk[2 + j] & 0x0f) - 8);
          dst[b * 32 + j + 16] = d * ((blk[2 + j] >> 4) - 8);
        }
      }
      return;
    case DType::Other:
      return;
  }
}

}  // namespace lr

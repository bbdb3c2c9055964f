// ggml's quantized block layouts (read byte by byte, no packed structs) and their decoding.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

#include "core/tensor/dtype.h"

namespace lr {

// Layouts (little-endian, "h" = IEEE binary16 scale), as ggml-common.h defines them:
//   Q8_0  34 B / 32: h d, int8 q[32]                       x = d·q
//   Q4_0  18 B / 32: h d, u8 qs[16]                        x[j] = d·((qs[j]&15)-8), x[j+16] =
//   d·((qs[j]>>4)-8) Q4_1  20 B / 32: h d, h m, u8 qs[16]                   x = d·nibble + m Q5_0
//   22 B / 32: h d, u32 qh, u8 qs[16]                5th bit of x[j] is bit j of qh; x = d·(q-16)
//   Q5_1  24 B / 32: h d, h m, u32 qh, u8 qs[16]           x = d·q + m
//   Q4_K 144 B / 256: h d, h dmin, u8 scales[12], u8 qs[128]: 8 sub-blocks of 32 with 6-bit
//         scale sc and min m packed in scales[]; x = d·sc·q - dmin·m; qs[32 i + l] holds
//         sub-block 2i in its low nibble, 2i+1 in its high nibble
//   Q5_K 176 B / 256: h d, h dmin, u8 scales[12], u8 qh[32], u8 qs[128]: as Q4_K plus a 5th
//         bit: bit 2i of qh[l] for sub-block 2i, bit 2i+1 for 2i+1
//   Q6_K 210 B / 256: u8 ql[128], u8 qh[64], int8 scales[16], h d: 16 sub-blocks of 16,
//         x = d·scale·(q-32), q = 4 low bits from ql + 2 high bits from qh (see dequant)
inline uint16_t load_u16(const uint8_t* p) {
  uint16_t v;
  std::memcpy(&v, p, 2);
  return v;
}
inline uint32_t load_u32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
inline float load_f16(const uint8_t* p) { return f16_to_f32(load_u16(p)); }

// The 6-bit scale and min of sub-block j (0..7) of a Q4_K / Q5_K block from its scales[12].
inline void kquant_scale_min(int j, const uint8_t* s, uint8_t& sc, uint8_t& m) {
  if (j < 4) {
    sc = s[j] & 63;
    m = s[j + 4] & 63;
  } else {
    sc = (s[j + 4] & 0x0f) | ((s[j - 4] >> 6) << 4);
    m = (s[j + 4] >> 4) | ((s[j] >> 6) << 4);
  }
}

// Decodes `nblocks` consecutive blocks of quantized type `t` into F32 (block size each).
void dequant_blocks(DType t, const uint8_t* src, size_t nblocks, float* dst);

// Converts `count` elements stored as `t` at `src` into `dst` (F32); count must be whole
// blocks. Exact: every stored value is representable in F32.
void to_f32(DType t, const uint8_t* src, size_t count, float* dst);

}  // namespace lr

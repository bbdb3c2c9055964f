// Scalar decoding of ggml's quantized blocks into F32 (the reference for every other path).
#include "core/tensor/quant_blocks.h"

namespace lr {

namespace {

// 32-element blocks: the signed or unsigned integer q of each element, then x = d·q (+ m).
void q4_0(const uint8_t* b, float* y) {
  const float d = load_f16(b);
  for (int j = 0; j < 16; ++j) {
    y[j] = static_cast<float>((b[2 + j] & 0x0f) - 8) * d;
    y[j + 16] = static_cast<float>((b[2 + j] >> 4) - 8) * d;
  }
}
void q4_1(const uint8_t* b, float* y) {
  const float d = load_f16(b), m = load_f16(b + 2);
  for (int j = 0; j < 16; ++j) {
    y[j] = static_cast<float>(b[4 + j] & 0x0f) * d + m;
    y[j + 16] = static_cast<float>(b[4 + j] >> 4) * d + m;
  }
}
// 5-bit quants: low nibble from qs, bit j (or j + 16) of qh as the 5th bit.
void q5_ints(const uint8_t* qh_p, const uint8_t* qs, int* q) {
  const uint32_t qh = load_u32(qh_p);
  for (int j = 0; j < 16; ++j) {
    q[j] = (qs[j] & 0x0f) | static_cast<int>(((qh >> j) & 1) << 4);
    q[j + 16] = (qs[j] >> 4) | static_cast<int>(((qh >> (j + 16)) & 1) << 4);
  }
}
void q5_0(const uint8_t* b, float* y) {
  const float d = load_f16(b);
  int q[32];
  q5_ints(b + 2, b + 6, q);
  for (int j = 0; j < 32; ++j) y[j] = static_cast<float>(q[j] - 16) * d;
}
void q5_1(const uint8_t* b, float* y) {
  const float d = load_f16(b), m = load_f16(b + 2);
  int q[32];
  q5_ints(b + 4, b + 8, q);
  for (int j = 0; j < 32; ++j) y[j] = static_cast<float>(q[j]) * d + m;
}
void q8_0(const uint8_t* b, float* y) {
  const float d = load_f16(b);
  for (int j = 0; j < 32; ++j) y[j] = static_cast<float>(static_cast<int8_t>(b[2 + j])) * d;
}

// Q4_K / Q5_K: sub-block s (0..7) of 32 decodes as (d·sc_s)·q - (dmin·m_s).
void q45_k(const uint8_t* b, float* y, bool five) {
  const float d = load_f16(b), dmin = load_f16(b + 2);
  const uint8_t* sc = b + 4;
  const uint8_t* qh = b + 16;
  const uint8_t* qs = five ? b + 48 : b + 16;
  for (int i = 0; i < 4; ++i) {  // sub-blocks 2i (low nibbles) and 2i+1 (high nibbles)
    for (int half = 0; half < 2; ++half) {
      const int s = 2 * i + half;
      uint8_t scale, min;
      kquant_scale_min(s, sc, scale, min);
      const float d1 = d * scale, m1 = dmin * min;
      for (int l = 0; l < 32; ++l) {
        int q = half ? qs[32 * i + l] >> 4 : qs[32 * i + l] & 0x0f;
        if (five) q |= ((qh[l] >> s) & 1) << 4;
        y[32 * s + l] = d1 * static_cast<float>(q) - m1;
      }
    }
  }
}

// Q6_K: two halves of 128; in half h, element l + 32 k (k = 0..3, l = 0..31) takes its low
// nibble from ql[64 h + l + 32 (k & 1)] (high nibble for k >= 2) and bits 2k..2k+1 of
// qh[32 h + l]; its scale is scales[8 h + l / 16 + 2 k].
void q6_k(const uint8_t* b, float* y) {
  const uint8_t* ql = b;
  const uint8_t* qh = b + 128;
  const int8_t* sc = reinterpret_cast<const int8_t*>(b + 192);
  const float d = load_f16(b + 208);
  for (int h = 0; h < 2; ++h)
    for (int k = 0; k < 4; ++k)
      for (int l = 0; l < 32; ++l) {
        const uint8_t lo = ql[64 * h + l + 32 * (k & 1)];
        const int q =
            ((k < 2 ? lo & 0x0f : lo >> 4) | (((qh[32 * h + l] >> (2 * k)) & 3) << 4)) - 32;
        y[128 * h + 32 * k + l] =
            d * static_cast<float>(sc[8 * h + l / 16 + 2 * k]) * static_cast<float>(q);
      }
}

}  // namespace

void dequant_blocks(DType t, const uint8_t* src, size_t nblocks, float* dst) {
  const size_t bb = dtype_block_bytes(t), n = dtype_block(t);
  for (size_t i = 0; i < nblocks; ++i) {
    const uint8_t* b = src + i * bb;
    float* y = dst + i * n;
    switch (t) {
      case DType::Q8_0:
        q8_0(b, y);
        break;
      case DType::Q4_0:
        q4_0(b, y);
        break;
      case DType::Q4_1:
        q4_1(b, y);
        break;
      case DType::Q5_0:
        q5_0(b, y);
        break;
      case DType::Q5_1:
        q5_1(b, y);
        break;
      case DType::Q4_K:
        q45_k(b, y, false);
        break;
      case DType::Q5_K:
        q45_k(b, y, true);
        break;
      case DType::Q6_K:
        q6_k(b, y);
        break;
      default:
        return;
    }
  }
}

void to_f32(DType t, const uint8_t* src, size_t count, float* dst) {
  switch (t) {
    case DType::F32:
      std::memcpy(dst, src, count * 4);
      return;
    case DType::F16:
      for (size_t i = 0; i < count; ++i) {
        uint16_t v;
        std::memcpy(&v, src + 2 * i, 2);
        dst[i] = f16_to_f32(v);
      }
      return;
    case DType::BF16:
      for (size_t i = 0; i < count; ++i) {
        uint16_t v;
        std::memcpy(&v, src + 2 * i, 2);
        dst[i] = bf16_to_f32(v);
      }
      return;
    case DType::Other:
      return;
    default:
      dequant_blocks(t, src, count / dtype_block(t), dst);
  }
}

}  // namespace lr

// Scalar activation quantizers and the scalar (reference) quantized dot products.
#include <algorithm>
#include <cmath>

#include "core/kernels/qdot.h"
#include "core/tensor/quant_blocks.h"

namespace lr {

ActType act_type(DType w) {
  switch (w) {
    case DType::Q8_0:
    case DType::Q4_0:
    case DType::Q5_0:
      return ActType::Q8_0;
    case DType::Q4_1:
    case DType::Q5_1:
      return ActType::Q8_1;
    case DType::Q4_K:
    case DType::Q5_K:
    case DType::Q6_K:
      return ActType::Q8_K;
    default:
      return ActType::None;
  }
}

size_t act_block_bytes(ActType a) {
  switch (a) {
    case ActType::Q8_0:
      return 34;
    case ActType::Q8_1:
      return 36;
    case ActType::Q8_K:
      return 4 + 256 + 32;
    case ActType::None:
      return 0;
  }
  return 0;
}

size_t act_row_bytes(DType w, int64_t cols) {
  const ActType a = act_type(w);
  if (a == ActType::None) return 0;
  return static_cast<size_t>(cols) / (a == ActType::Q8_K ? 256 : 32) * act_block_bytes(a);
}

void quantize_act_row(DType w, const float* x, int64_t cols, uint8_t* out) {
  const ActType a = act_type(w);
  if (a == ActType::Q8_K) {
    for (int64_t b = 0; b < cols / 256; ++b, x += 256, out += 292) {
      float amax = 0, max = 0;  // the value of largest magnitude, with its sign
      for (int j = 0; j < 256; ++j)
        if (std::fabs(x[j]) > amax) amax = std::fabs(x[j]), max = x[j];
      int8_t* q = reinterpret_cast<int8_t*>(out + 4);
      int16_t sums[16] = {};
      float d = 0;
      if (amax > 0) {
        const float iscale = -127.f / max;
        for (int j = 0; j < 256; ++j)
          q[j] =
              static_cast<int8_t>(std::min(127, static_cast<int>(std::nearbyint(iscale * x[j]))));
        for (int j = 0; j < 256; ++j) sums[j / 16] = static_cast<int16_t>(sums[j / 16] + q[j]);
        d = 1 / iscale;
      } else {
        std::fill(q, q + 256, 0);
      }
      std::memcpy(out, &d, 4);
      std::memcpy(out + 260, sums, 32);
    }
    return;
  }
  const bool with_sum = a == ActType::Q8_1;
  const size_t bb = act_block_bytes(a), qoff = with_sum ? 4 : 2;
  for (int64_t b = 0; b < cols / 32; ++b, x += 32, out += bb) {
    float amax = 0;
    for (int j = 0; j < 32; ++j) amax = std::max(amax, std::fabs(x[j]));
    const float d = amax / 127, id = amax != 0 ? 127.f / amax : 0.0f;
    const uint16_t dh = f32_to_f16(d);
    std::memcpy(out, &dh, 2);
    int sum = 0;
    for (int j = 0; j < 32; ++j) {
      const int q = static_cast<int>(std::nearbyint(x[j] * id));
      out[qoff + j] = static_cast<uint8_t>(static_cast<int8_t>(q));
      sum += q;
    }
    if (with_sum) {
      const uint16_t sh = f32_to_f16(static_cast<float>(sum) * d);
      std::memcpy(out + 2, &sh, 2);
    }
  }
}

namespace {

// Integer sum of 32 weight ints with 32 int8 activations.
int dot32(const int* q, const int8_t* a) {
  int s = 0;
  for (int j = 0; j < 32; ++j) s += q[j] * a[j];
  return s;
}

// The integers of one 32-element weight block (signed for type-0, 0..31 for type-1).
void block_ints(DType t, const uint8_t* b, int* q) {
  switch (t) {
    case DType::Q8_0:
      for (int j = 0; j < 32; ++j) q[j] = static_cast<int8_t>(b[2 + j]);
      return;
    case DType::Q4_0:
    case DType::Q4_1: {
      const uint8_t* qs = b + (t == DType::Q4_0 ? 2 : 4);
      const int off = t == DType::Q4_0 ? 8 : 0;
      for (int j = 0; j < 16; ++j) {
        q[j] = (qs[j] & 0x0f) - off;
        q[j + 16] = (qs[j] >> 4) - off;
      }
      return;
    }
    default: {  // Q5_0, Q5_1
      const bool one = t == DType::Q5_1;
      const uint32_t qh = load_u32(b + (one ? 4 : 2));
      const uint8_t* qs = b + (one ? 8 : 6);
      const int off = one ? 0 : 16;
      for (int j = 0; j < 16; ++j) {
        q[j] = ((qs[j] & 0x0f) | static_cast<int>(((qh >> j) & 1) << 4)) - off;
        q[j + 16] = ((qs[j] >> 4) | static_cast<int>(((qh >> (j + 16)) & 1) << 4)) - off;
      }
    }
  }
}

}  // namespace

// Per-block float terms shared with the SIMD files (they include the same formulas):
//   type-0: acc = fma(dw·da, isum, acc); type-1: then acc = fma(mw, sa, acc)
//   Q4_K/Q5_K: acc = fma(da·dw, sumi, acc); acc = fma(-(da·dmin), summ, acc)
//   Q6_K: acc = fma(da·dw, sumi, acc)
static float dot_scalar(DType t, const uint8_t* w, const uint8_t* a, int64_t nb) {
  float lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  const size_t wb = dtype_block_bytes(t);
  const ActType at = act_type(t);
  const size_t ab = act_block_bytes(at);
  for (int64_t b = 0; b < nb; ++b) {
    const uint8_t* W = w + b * wb;
    const uint8_t* A = a + b * ab;
    float& acc = lane[b % 8];
    if (at == ActType::Q8_K) {
      float da;
      std::memcpy(&da, A, 4);
      const int8_t* aq = reinterpret_cast<const int8_t*>(A + 4);
      int16_t bs[16];
      std::memcpy(bs, A + 260, 32);
      if (t == DType::Q6_K) {
        const uint8_t* ql = W;
        const uint8_t* qh = W + 128;
        const int8_t* sc = reinterpret_cast<const int8_t*>(W + 192);
        int sumi = 0;
        for (int h = 0; h < 2; ++h)
          for (int k = 0; k < 4; ++k)
            for (int half = 0; half < 2; ++half) {
              int s = 0;
              for (int l = 16 * half; l < 16 * half + 16; ++l) {
                const uint8_t lo = ql[64 * h + l + 32 * (k & 1)];
                const int q =
                    ((k < 2 ? lo & 0x0f : lo >> 4) | (((qh[32 * h + l] >> (2 * k)) & 3) << 4)) - 32;
                s += q * aq[128 * h + 32 * k + l];
              }
              sumi += sc[8 * h + half + 2 * k] * s;
            }
        acc = std::fma(da * load_f16(W + 208), static_cast<float>(sumi), acc);
      } else {
        const bool five = t == DType::Q5_K;
        const uint8_t* qh = W + 16;
        const uint8_t* qs = five ? W + 48 : W + 16;
        int sumi = 0, summ = 0;
        for (int s = 0; s < 8; ++s) {
          uint8_t scale, min;
          kquant_scale_min(s, W + 4, scale, min);
          int isum = 0;
          for (int l = 0; l < 32; ++l) {
            int q = s % 2 ? qs[32 * (s / 2) + l] >> 4 : qs[32 * (s / 2) + l] & 0x0f;
            if (five) q |= ((qh[l] >> s) & 1) << 4;
            isum += q * aq[32 * s + l];
          }
          sumi += scale * isum;
          summ += min * (bs[2 * s] + bs[2 * s + 1]);
        }
        acc = std::fma(da * load_f16(W), static_cast<float>(sumi), acc);
        acc = std::fma(-(da * load_f16(W + 2)), static_cast<float>(summ), acc);
      }
      continue;
    }
    int q[32];
    block_ints(t, W, q);
    const int8_t* aq = reinterpret_cast<const int8_t*>(A + (at == ActType::Q8_1 ? 4 : 2));
    const int isum = dot32(q, aq);
    acc = std::fma(load_f16(W) * load_f16(A), static_cast<float>(isum), acc);
    if (at == ActType::Q8_1) acc = std::fma(load_f16(W + 2), load_f16(A + 2), acc);
  }
  return qdot_reduce8(lane);
}

namespace kern {
const QDotKernels& qdot_scalar() {
  static const QDotKernels k{"scalar", dot_scalar};
  return k;
}
}  // namespace kern

}  // namespace lr

// AVX2 quantized dot products (maddubs/madd on int8), bit-identical to qdot_scalar.cpp.
#include "core/kernels/qdot.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>

#include <cmath>

#include "core/tensor/quant_blocks.h"

namespace lr::kern {

namespace {

// int32 x8 sums of byte products: signed w (made unsigned by the sign trick) times signed a.
inline __m256i mul_ss(__m256i w, __m256i a) {
  const __m256i p = _mm256_maddubs_epi16(_mm256_sign_epi8(w, w), _mm256_sign_epi8(a, w));
  return _mm256_madd_epi16(p, _mm256_set1_epi16(1));
}
// Unsigned w (0..63) times signed a.
inline __m256i mul_us(__m256i w, __m256i a) {
  return _mm256_madd_epi16(_mm256_maddubs_epi16(w, a), _mm256_set1_epi16(1));
}
inline int hsum(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0x4e));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, 0xb1));
  return _mm_cvtsi128_si32(s);
}
// Byte i = 0xff where bit i of `bits` is set.
inline __m256i bits_to_bytes(uint32_t bits) {
  const __m256i shuf =
      _mm256_setr_epi64x(0, 0x0101010101010101, 0x0202020202020202, 0x0303030303030303);
  const __m256i v = _mm256_shuffle_epi8(_mm256_set1_epi32(static_cast<int>(bits)), shuf);
  const __m256i bit = _mm256_set1_epi64x(static_cast<long long>(0x8040201008040201ull));
  return _mm256_cmpeq_epi8(_mm256_and_si256(v, bit), bit);
}
// The 32 integers of a 32-element weight block as bytes (signed for type-0).
inline __m256i block_bytes(DType t, const uint8_t* b) {
  const __m256i low4 = _mm256_set1_epi8(0x0f);
  switch (t) {
    case DType::Q8_0:
      return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(b + 2));
    case DType::Q4_0:
    case DType::Q4_1: {
      const __m128i q =
          _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + (t == DType::Q4_0 ? 2 : 4)));
      const __m256i v = _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(q, 4), q), low4);
      return t == DType::Q4_0 ? _mm256_sub_epi8(v, _mm256_set1_epi8(8)) : v;
    }
    default: {  // Q5_0, Q5_1
      const bool one = t == DType::Q5_1;
      const __m128i q = _mm_loadu_si128(reinterpret_cast<const __m128i*>(b + (one ? 8 : 6)));
      __m256i v = _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(q, 4), q), low4);
      v = _mm256_or_si256(
          v, _mm256_and_si256(bits_to_bytes(load_u32(b + (one ? 4 : 2))), _mm256_set1_epi8(0x10)));
      return one ? v : _mm256_sub_epi8(v, _mm256_set1_epi8(16));
    }
  }
}

// The integer sum of one 32-element block pair.
inline __m256i block_isum(DType t, const uint8_t* W, const uint8_t* aq) {
  const __m256i w = block_bytes(t, W);
  const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(aq));
  return (t == DType::Q4_1 || t == DType::Q5_1) ? mul_us(w, a) : mul_ss(w, a);
}

float dot_32(DType t, const uint8_t* w, const uint8_t* a, int64_t nb) {
  const size_t wb = dtype_block_bytes(t);
  const bool one = t == DType::Q4_1 || t == DType::Q5_1;
  const size_t ab = one ? 36 : 34, aoff = one ? 4 : 2;
  __m256 acc = _mm256_setzero_ps();
  int64_t b = 0;
  for (; b + 8 <= nb; b += 8) {  // eight blocks: their exact sums in the eight lanes
    __m256i s[8];
    alignas(32) uint16_t dw[8], da[8], mw[8], sa[8];
    for (int i = 0; i < 8; ++i) {
      const uint8_t* W = w + (b + i) * wb;
      const uint8_t* A = a + (b + i) * ab;
      s[i] = block_isum(t, W, A + aoff);
      dw[i] = load_u16(W);
      da[i] = load_u16(A);
      if (one) mw[i] = load_u16(W + 2), sa[i] = load_u16(A + 2);
    }
    const __m256i h01 = _mm256_hadd_epi32(s[0], s[1]), h23 = _mm256_hadd_epi32(s[2], s[3]);
    const __m256i h45 = _mm256_hadd_epi32(s[4], s[5]), h67 = _mm256_hadd_epi32(s[6], s[7]);
    const __m256i h0123 = _mm256_hadd_epi32(h01, h23), h4567 = _mm256_hadd_epi32(h45, h67);
    // lanes: (0,1,2,3 low halves | 0,1,2,3 high halves) and the same for 4..7
    const __m256i lo = _mm256_permute2x128_si256(h0123, h4567, 0x20);
    const __m256i hi = _mm256_permute2x128_si256(h0123, h4567, 0x31);
    const __m256 isum = _mm256_cvtepi32_ps(_mm256_add_epi32(lo, hi));
    const __m256 d =
        _mm256_mul_ps(_mm256_cvtph_ps(_mm_load_si128(reinterpret_cast<const __m128i*>(dw))),
                      _mm256_cvtph_ps(_mm_load_si128(reinterpret_cast<const __m128i*>(da))));
    acc = _mm256_fmadd_ps(d, isum, acc);
    if (one)
      acc = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_load_si128(reinterpret_cast<const __m128i*>(mw))),
                            _mm256_cvtph_ps(_mm_load_si128(reinterpret_cast<const __m128i*>(sa))),
                            acc);
  }
  alignas(32) float lane[8];
  _mm256_store_ps(lane, acc);
  for (; b < nb; ++b) {  // the tail, into the same lanes
    const uint8_t* W = w + b * wb;
    const uint8_t* A = a + b * ab;
    const int isum = hsum(block_isum(t, W, A + aoff));
    float& l = lane[b % 8];
    l = std::fma(load_f16(W) * load_f16(A), static_cast<float>(isum), l);
    if (one) l = std::fma(load_f16(W + 2), load_f16(A + 2), l);
  }
  return qdot_reduce8(lane);
}

// Q4_K / Q5_K super-block: sumi = Σ sc_s·isum_s, summ = Σ m_s·(sum of a in sub-block s).
void k45_sums(const uint8_t* W, const int8_t* aq, const int16_t* bs, bool five, int& sumi,
              int& summ) {
  const uint8_t* qh = W + 16;
  const uint8_t* qs = five ? W + 48 : W + 16;
  const __m256i low4 = _mm256_set1_epi8(0x0f);
  const __m256i hv =
      five ? _mm256_loadu_si256(reinterpret_cast<const __m256i*>(qh)) : _mm256_setzero_si256();
  __m256i acc = _mm256_setzero_si256();
  summ = 0;
  for (int i = 0; i < 4; ++i) {
    const __m256i q = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(qs + 32 * i));
    for (int half = 0; half < 2; ++half) {
      const int s = 2 * i + half;
      __m256i v = _mm256_and_si256(half ? _mm256_srli_epi16(q, 4) : q, low4);
      if (five) {
        const __m256i bit = _mm256_set1_epi8(static_cast<char>(1 << s));
        v = _mm256_or_si256(v, _mm256_and_si256(_mm256_cmpeq_epi8(_mm256_and_si256(hv, bit), bit),
                                                _mm256_set1_epi8(0x10)));
      }
      uint8_t sc, m;
      kquant_scale_min(s, W + 4, sc, m);
      const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(aq + 32 * s));
      const __m256i p = _mm256_maddubs_epi16(v, a);
      acc = _mm256_add_epi32(acc, _mm256_madd_epi16(p, _mm256_set1_epi16(sc)));
      summ += m * (bs[2 * s] + bs[2 * s + 1]);
    }
  }
  sumi = hsum(acc);
}

// Q6_K super-block: Σ sc·Σ (q - 32)·a = Σ sc·Σ q·a - 32·Σ sc·bsum.
int k6_sum(const uint8_t* W, const int8_t* aq, const int16_t* bs) {
  const uint8_t* ql = W;
  const uint8_t* qh = W + 128;
  const int8_t* sc = reinterpret_cast<const int8_t*>(W + 192);
  const __m256i low4 = _mm256_set1_epi8(0x0f), two = _mm256_set1_epi8(3);
  __m256i acc = _mm256_setzero_si256();
  int off = 0;
  for (int h = 0; h < 2; ++h) {
    const __m256i hb = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(qh + 32 * h));
    for (int k = 0; k < 4; ++k) {
      const __m256i lq =
          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(ql + 64 * h + 32 * (k & 1)));
      const __m256i lo = _mm256_and_si256(k < 2 ? lq : _mm256_srli_epi16(lq, 4), low4);
      const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(hb, 2 * k), two);
      const __m256i v = _mm256_or_si256(lo, _mm256_slli_epi16(hi, 4));
      const __m256i a = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(aq + 128 * h + 32 * k));
      const int s0 = sc[8 * h + 2 * k], s1 = sc[8 * h + 1 + 2 * k];
      const __m256i scv = _mm256_set_m128i(_mm_set1_epi16(static_cast<short>(s1)),
                                           _mm_set1_epi16(static_cast<short>(s0)));
      acc = _mm256_add_epi32(acc, _mm256_madd_epi16(_mm256_maddubs_epi16(v, a), scv));
      off += s0 * bs[8 * h + 2 * k] + s1 * bs[8 * h + 2 * k + 1];
    }
  }
  return hsum(acc) - 32 * off;
}

float dot_k(DType t, const uint8_t* w, const uint8_t* a, int64_t nb) {
  float lane[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  const size_t wb = dtype_block_bytes(t);
  for (int64_t b = 0; b < nb; ++b) {
    const uint8_t* W = w + b * wb;
    const uint8_t* A = a + b * 292;
    float da;
    std::memcpy(&da, A, 4);
    const int8_t* aq = reinterpret_cast<const int8_t*>(A + 4);
    int16_t bs[16];
    std::memcpy(bs, A + 260, 32);
    float& acc = lane[b % 8];
    if (t == DType::Q6_K) {
      acc = std::fma(da * load_f16(W + 208), static_cast<float>(k6_sum(W, aq, bs)), acc);
    } else {
      int sumi, summ;
      k45_sums(W, aq, bs, t == DType::Q5_K, sumi, summ);
      acc = std::fma(da * load_f16(W), static_cast<float>(sumi), acc);
      acc = std::fma(-(da * load_f16(W + 2)), static_cast<float>(summ), acc);
    }
  }
  return qdot_reduce8(lane);
}

float dot_avx2(DType t, const uint8_t* w, const uint8_t* a, int64_t nb) {
  if (t == DType::Q4_K || t == DType::Q5_K || t == DType::Q6_K) return dot_k(t, w, a, nb);
  return dot_32(t, w, a, nb);
}

}  // namespace

// F16C from cpuid leaf 1 (ECX bit 29): clang's __builtin_cpu_supports does not know "f16c".
static bool cpu_has_f16c() {
  unsigned a = 0, b = 0, c = 0, d = 0;
  return __get_cpuid(1, &a, &b, &c, &d) && (c & (1u << 29)) != 0;
}

const QDotKernels* qdot_avx2() {
  static const bool ok =
      __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && cpu_has_f16c();
  static const QDotKernels k{"avx2", dot_avx2};
  return ok ? &k : nullptr;
}

}  // namespace lr::kern

#else
namespace lr::kern {
const QDotKernels* qdot_avx2() { return nullptr; }
}  // namespace lr::kern
#endif

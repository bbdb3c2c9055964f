// Random F32/F16/BF16 values and random valid Q8_0, Q5_0, Q4_K and Q6_K blocks.
#include "bench/random_blocks.h"

#include <cmath>
#include <cstring>

#include "core/util/error.h"

namespace lr::bench {

namespace {

// Root mean square of the integers lo..hi minus `zero` (the spread of a uniform quant).
double rms_of_range(int lo, int hi, double zero) {
  double s = 0;
  for (int v = lo; v <= hi; ++v) s += (v - zero) * (v - zero);
  return std::sqrt(s / (hi - lo + 1));
}

void put_u16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
}

void put_u32(uint8_t* p, uint32_t v) {
  for (int k = 0; k < 4; ++k) p[k] = static_cast<uint8_t>(v >> (8 * k));
}

void random_bytes(Rng& rng, uint8_t* dst, size_t n) {
  for (size_t i = 0; i < n; i += 8) {
    const uint64_t r = rng();
    for (size_t k = 0; k < 8 && i + k < n; ++k) dst[i + k] = static_cast<uint8_t>(r >> (8 * k));
  }
}

// Uniform in [-1, 1) from the top 24 bits of a 32-bit half of the engine's output.
float unit(uint32_t bits) { return static_cast<float>(bits >> 8) * (2.0f / 16777216.0f) - 1.0f; }

// An f16 scale: finite and > 0 for any sensible spread (f16 ranges from 6e-8 to 65504).
uint16_t f16_scale(double v) {
  const uint16_t h = f32_to_f16(static_cast<float>(v));
  if (!(f16_to_f32(h) > 0) || !std::isfinite(f16_to_f32(h)))
    fail(ErrorKind::InvalidArgument,
         "random block scale " + std::to_string(v) + " is not a finite positive f16 value");
  return h;
}

void floats(DType t, size_t count, float stddev, Rng& rng, uint8_t* dst) {
  const float a = stddev * 1.7320508f;  // uniform ±a has standard deviation stddev
  for (size_t i = 0; i < count; i += 2) {
    const uint64_t r = rng();
    for (size_t k = 0; k < 2 && i + k < count; ++k) {
      const float x = a * unit(static_cast<uint32_t>(r >> (32 * k)));
      if (t == DType::F32) {
        uint32_t bits;
        std::memcpy(&bits, &x, 4);
        put_u32(dst + 4 * (i + k), bits);
      } else {
        put_u16(dst + 2 * (i + k), t == DType::F16 ? f32_to_f16(x) : f32_to_bf16(x));
      }
    }
  }
}

void q8_0(size_t blocks, float stddev, Rng& rng, uint8_t* p) {
  const uint16_t d = f16_scale(stddev / rms_of_range(-128, 127, 0));
  for (size_t b = 0; b < blocks; ++b, p += 34) {
    put_u16(p, d);
    random_bytes(rng, p + 2, 32);
  }
}

void q5_0(size_t blocks, float stddev, Rng& rng, uint8_t* p) {
  const uint16_t d = f16_scale(stddev / rms_of_range(0, 31, 16));
  for (size_t b = 0; b < blocks; ++b, p += 22) {
    put_u16(p, d);
    random_bytes(rng, p + 2, 20);  // qh (5th bits), qs (low nibbles)
  }
}

void q4_k(size_t blocks, float stddev, Rng& rng, uint8_t* p) {
  const double sc_rms = rms_of_range(32, 63, 0);
  const uint16_t d = f16_scale(stddev / (rms_of_range(0, 15, 7.5) * sc_rms));
  const uint16_t dmin = f16_scale(7.5 * f16_to_f32(d));
  for (size_t b = 0; b < blocks; ++b, p += 144) {
    put_u16(p, d);
    put_u16(p + 2, dmin);
    uint8_t sc[8];
    const uint64_t r = rng();
    for (int j = 0; j < 8; ++j) sc[j] = static_cast<uint8_t>(32 + ((r >> (8 * j)) & 31));
    pack_kquant_scales(sc, sc, p + 4);
    random_bytes(rng, p + 16, 128);
  }
}

void q6_k(size_t blocks, float stddev, Rng& rng, uint8_t* p) {
  const uint16_t d = f16_scale(stddev / (rms_of_range(0, 63, 32) * rms_of_range(32, 127, 0)));
  for (size_t b = 0; b < blocks; ++b, p += 210) {
    random_bytes(rng, p, 192);  // ql[128], qh[64]
    for (int j = 0; j < 16; j += 8) {
      const uint64_t r = rng();
      for (int k = 0; k < 8; ++k)
        p[192 + j + k] = static_cast<uint8_t>(32 + ((r >> (8 * k)) & 0xff) % 96);
    }
    put_u16(p + 208, d);
  }
}

}  // namespace

uint64_t stream_seed(uint64_t seed, uint64_t index) {
  uint64_t z = seed + 0x9e3779b97f4a7c15ull * (index + 1);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

void pack_kquant_scales(const uint8_t sc[8], const uint8_t m[8], uint8_t out[12]) {
  for (int j = 0; j < 4; ++j) {
    out[j] = static_cast<uint8_t>((sc[j] & 63) | ((sc[j + 4] >> 4) << 6));
    out[j + 4] = static_cast<uint8_t>((m[j] & 63) | ((m[j + 4] >> 4) << 6));
    out[j + 8] = static_cast<uint8_t>((sc[j + 4] & 15) | ((m[j + 4] & 15) << 4));
  }
}

void random_tensor(DType t, size_t count, float stddev, Rng& rng, uint8_t* dst) {
  if (count % dtype_block(t) != 0)
    fail(ErrorKind::InvalidArgument,
         std::to_string(count) + " elements are not whole " + dtype_name(t) + " blocks");
  const size_t blocks = count / dtype_block(t);
  switch (t) {
    case DType::F32:
    case DType::F16:
    case DType::BF16:
      return floats(t, count, stddev, rng, dst);
    case DType::Q8_0:
      return q8_0(blocks, stddev, rng, dst);
    case DType::Q5_0:
      return q5_0(blocks, stddev, rng, dst);
    case DType::Q4_K:
      return q4_k(blocks, stddev, rng, dst);
    case DType::Q6_K:
      return q6_k(blocks, stddev, rng, dst);
    default:
      fail(ErrorKind::Unsupported, std::string("no random blocks for type ") + dtype_name(t) +
                                       " (F32, F16, BF16, Q8_0, Q5_0, Q4_K, Q6_K)");
  }
}

}  // namespace lr::bench

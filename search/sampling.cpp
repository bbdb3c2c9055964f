// Lemire's bounded integers and 53-bit doubles from the raw bits of std::mt19937_64.
#include "search/sampling.h"

namespace lr {

static_assert(Rng::min() == 0 && Rng::max() == UINT64_MAX, "the engine must give 64 raw bits");

int64_t sample_int(Rng& rng, int64_t lo, int64_t hi) {
  const uint64_t range = static_cast<uint64_t>(hi) - static_cast<uint64_t>(lo);
  if (range == UINT64_MAX) return static_cast<int64_t>(rng());
  const uint64_t s = range + 1;  // number of values
  unsigned __int128 m = static_cast<unsigned __int128>(rng()) * s;
  uint64_t low = static_cast<uint64_t>(m);
  if (low < s) {
    const uint64_t threshold = (0 - s) % s;  // 2^64 mod s
    while (low < threshold) {
      m = static_cast<unsigned __int128>(rng()) * s;
      low = static_cast<uint64_t>(m);
    }
  }
  return static_cast<int64_t>(static_cast<uint64_t>(lo) + static_cast<uint64_t>(m >> 64));
}

double sample_unit(Rng& rng) { return static_cast<double>(rng() >> 11) * 0x1.0p-53; }

}  // namespace lr

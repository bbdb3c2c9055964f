// Platform-independent sampling (no std::*_distribution) and the NaN-safe selection order.
#pragma once
#include <cstdint>

#include "search/space.h"

namespace lr {

// Uniform integer in [lo, hi] (inclusive) by Lemire's nearly divisionless method: the same
// engine state gives the same value with every standard library. Requires lo <= hi.
int64_t sample_int(Rng& rng, int64_t lo, int64_t hi);

// Uniform double in [0, 1) from the top 53 bits of one engine output.
double sample_unit(Rng& rng);

// True with probability p (one engine output).
inline bool sample_coin(Rng& rng, double p) { return sample_unit(rng) < p; }

// Selection order: lower objective first, a NaN objective is the worst, ties by id. A strict
// weak order for every input (std::sort's requirement), NaN included.
inline bool fitness_before(double oa, int64_t ida, double ob, int64_t idb) {
  const bool na = oa != oa, nb = ob != ob;
  if (na != nb) return nb;
  if (!na && oa != ob) return oa < ob;
  return ida < idb;
}

}  // namespace lr

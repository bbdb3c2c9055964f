// Mutation and crossover over the monotonic factor grid (and LongRoPE2's constrained one).
#include "search/operators.h"

#include <algorithm>

#include "search/sampling.h"

namespace lr {

namespace {
bool coin(Rng& rng, double p) { return sample_coin(rng, p); }
int uniform(Rng& rng, int lo, int hi) { return static_cast<int>(sample_int(rng, lo, hi)); }
}  // namespace

std::optional<Individual> mutate(const Individual& parent, const SearchSpace& s,
                                 const SeenSet& seen, Rng& rng, int max_tries) {
  for (int t = 0; t < max_tries; ++t) {
    Individual c;
    c.lambda = parent.lambda;
    c.start_tokens = parent.start_tokens;
    for (int i = 0; i < s.half; ++i) {
      if (!s.searched(i) || !coin(rng, 0.3)) continue;
      // The lower neighbour bounds a searched pair unless it is derived from it (LongRoPE2).
      const int lo = i == 0 || s.derived(i - 1) ? s.min_grid(i)
                                                : std::max(s.min_grid(i), s.grid(c.lambda[i - 1]));
      const int hi =
          i == s.half - 1 ? s.max_grid() : std::min(s.max_grid(), s.grid(c.lambda[i + 1]));
      if (lo <= hi) c.lambda[i] = s.value(uniform(rng, lo, hi));
    }
    s.derive(c.lambda);
    if (s.search_start_tokens && coin(rng, 0.3)) {
      const auto& set = s.start_token_set;
      const int idx =
          static_cast<int>(std::find(set.begin(), set.end(), c.start_tokens) - set.begin());
      const int to =
          std::clamp(idx + (coin(rng, 0.5) ? 1 : -1), 0, static_cast<int>(set.size()) - 1);
      c.start_tokens = set[to];
    }
    if (s.violation(c).empty() && !seen.count(s.key(c))) {
      c.origin = Origin::Mutation;
      c.parent1 = parent.id;
      return c;
    }
  }
  return std::nullopt;
}

std::optional<Individual> crossover(const Individual& a, const Individual& b, const SearchSpace& s,
                                    const SeenSet& seen, Rng& rng, int max_tries) {
  if (s.key(a) == s.key(b)) return std::nullopt;
  for (int t = 0; t < max_tries; ++t) {
    Individual c;
    c.lambda = a.lambda;
    c.start_tokens = a.start_tokens;
    for (int i = 0; i < s.half; ++i)
      if (coin(rng, 0.5)) c.lambda[i] = b.lambda[i];
    s.derive(c.lambda);  // LongRoPE2: the pairs below the critical one follow the crossed one
    if (s.search_start_tokens && coin(rng, 0.5)) c.start_tokens = b.start_tokens;
    if (s.violation(c).empty() && !seen.count(s.key(c))) {
      c.origin = Origin::Crossover;
      c.parent1 = a.id;
      c.parent2 = b.id;
      return c;
    }
  }
  return std::nullopt;
}

}  // namespace lr

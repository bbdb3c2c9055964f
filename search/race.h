// Racing: score a candidate item by item and stop once it provably cannot enter the population.
#pragma once
#include <cstddef>
#include <functional>
#include <vector>

#include "search/space.h"

namespace lr {

// One generation's early-rejection rule (docs/search.md, "Racing"). The reference is the K-th best
// parent: a child whose final fitness is not below it cannot enter the next population. After
// j of n items the child's final mean NLL minus the reference's, Δ, is bounded below by
//   mean_j(δ) − z·σ·(n−j)/n·sqrt(1/j + 1/(n−j)),   δ_d = child_d − reference_d,
// where σ = max(spread of δ among the parents, the child's own δ spread once j ≥ 2). The
// child is rejected when that bound is > 0. Everything comes from the previous generation, so
// the decision for a candidate does not depend on evaluation order or parallelism.
struct Race {
  std::vector<double> ref;  // the reference's per-item mean NLL; empty = no racing
  double sigma = 0.0;       // pooled spread of the parents' paired differences
  double z = 2.0;
  bool active() const { return !ref.empty(); }
  // True when a candidate whose first items scored `nll` must stop now.
  bool reject(const std::vector<double>& nll) const;
};

// The race of a generation from its parents (best first, all fully scored); inactive when
// there are fewer than `k` parents, or the K-th best has no finite per-item record.
Race make_race(const std::vector<Individual>& parents, size_t k, double z);

// Scores items 0..n-1 in order with `score` (mean NLL of one item; `tokens` accumulates the
// forward-pass tokens) until `race` rejects. Returns the per-item means scored.
struct ItemScores {
  std::vector<double> nll;
  long tokens = 0;
  bool rejected = false;
};
ItemScores score_items(size_t n, const std::function<double(size_t, long& tokens)>& score,
                       const Race& race);

// exp(mean of the per-item mean NLLs): the fitness PPL (the original repos' definition).
double ppl_of(const std::vector<double>& nll);

}  // namespace lr

// Genetic operators: free functions that only ever return valid, never-seen individuals.
#pragma once
#include <optional>
#include <string>
#include <unordered_set>

#include "search/space.h"

namespace lr {

using SeenSet = std::unordered_set<std::string>;  // SearchSpace::key of every generated genome

// Each searched dim moves, with probability 0.3, to a uniform grid value inside the interval its
// neighbours and its bounds allow; n̂ (when searched) moves to a neighbouring member of its set
// with probability 0.3. Pairs below a critical one (LongRoPE2) are re-derived from it. Retries
// until the child is new; nullopt after `max_tries`.
std::optional<Individual> mutate(const Individual& parent, const SearchSpace& space,
                                 const SeenSet& seen, Rng& rng, int max_tries = 1000);

// Child = parent a with each gene taken from b with probability 0.5 (derived pairs then
// re-derived from the child's critical pair); retried up to
// `max_tries` times until the child is valid, new and differs from both parents.
std::optional<Individual> crossover(const Individual& a, const Individual& b,
                                    const SearchSpace& space, const SeenSet& seen, Rng& rng,
                                    int max_tries);

}  // namespace lr

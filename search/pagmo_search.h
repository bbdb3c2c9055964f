// pagmo2's optimizers (CMA-ES, xNES, PSO, GACO, NSGA-II) searching the box genotype.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>

#include "search/algorithm.h"
#include "search/optimizer_settings.h"

namespace lr {

struct PagmoOptions {
  Optimizer optimizer = Optimizer::Cmaes;
  nlohmann::json settings;  // default_optimizer_settings + the user's, validated
  uint64_t seed = 0;
  Budget budget;
  // Length screen (batch optimizers only): each generation's new candidates are scored on
  // `screen` first; the best share `screen_keep` go on to the full score, the others get the
  // worst fitness. Null: off.
  Evaluator* screen = nullptr;
  double screen_keep = 0.5;
};

// A search by `o.optimizer` over the genotype of `space` (search/genotype.h). Generation 0 is
// the seeds (plus, for the population-based batch optimizers, samples around them up to the
// population size); each later generation is one pagmo evolve() call with the algorithm's
// memory kept, so a run is deterministic given the seed and resumes by replay like the GA.
// Candidates with a snapped genome seen before reuse its score (no tokens). Throws
// Unsupported in a build without pagmo2.
std::unique_ptr<SearchAlgorithm> make_pagmo_search(SearchSpace space, PagmoOptions o,
                                                   Evaluator& evaluator,
                                                   std::function<double(const Fitness&)> objective);

}  // namespace lr

// The genetic algorithm: seeds -> population; select parents; mutate + cross over; score.
#pragma once
#include <functional>
#include <vector>

#include "search/algorithm.h"
#include "search/hyperparams.h"
#include "search/optimizer_settings.h"
#include "search/sampling.h"

namespace lr {

struct EvolutionOptions {
  // Racing (race.h): from iteration 1 on, children are raced against the K-th best parent.
  bool racing = false;
  double racing_z = 2.0;
  // Length screen (docs/search.md, "Length screen"): from iteration 1 on, each generation's
  // children are first scored by `screen` (the same items cut to a shorter length, the same
  // scaling); only the best ceil(keep x children) by that PPL (ties by id) are scored in full, the
  // others are screened out. `screen` must outlive the run; null turns it off.
  Evaluator* screen = nullptr;
  double screen_keep = 0.5;
  // Stops after the generation that reaches it (no budget: the full run).
  Budget budget;
};

// Deterministic given the seed: every generation's candidates are drawn before any of them is
// evaluated, and selection sorts by (objective, id). Resuming replays the run from the seed with
// the archived evaluations as the evaluator's (search/replay_evaluator.h), so a killed-and-
// resumed run ends exactly where an uninterrupted one does. Observers record the run.
class Evolution : public SearchAlgorithm {
 public:
  Evolution(SearchSpace space, HyperParams hp, uint64_t seed, Evaluator& evaluator,
            std::function<double(const Fitness&)> objective, EvolutionOptions o = {});
  EvolutionResult run(const std::vector<Seed>& seeds) override;
  // Evaluations a full run plans: the population, then each iteration's children.
  long planned() const;

 private:
  HyperParams hp_;
  Rng rng_;
  EvolutionOptions opt_;
};

}  // namespace lr

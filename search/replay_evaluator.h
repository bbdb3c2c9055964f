// Resuming: an Evaluator that returns a resumed archive's results for known candidates.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "search/evaluator.h"

namespace lr {

// Which score of an archived individual a replay returns.
enum class ReplayStage {
  Full,   // its full score (ppl, item NLL, raced out); not one only screened so far
  Screen  // its length-screen PPL (as the Fitness's ppl)
};

// Wraps `inner`: a candidate with the genome (grid key in `space`) and id of an individual in
// `archived` gets that individual's result (Fitness::reused set, its wall time and tokens);
// the others are scored by `inner`, in their order, under the same race.
class ReplayEvaluator : public Evaluator {
 public:
  ReplayEvaluator(Evaluator& inner, const SearchSpace& space,
                  const std::vector<Individual>& archived, ReplayStage stage);
  void evaluate(const std::vector<Individual>& batch, const Race& race,
                const OnResult& done) override;
  double evaluate_scaling(const RopeScaling& r) override { return inner_.evaluate_scaling(r); }

 private:
  struct Archived {
    int64_t id;
    Scores scores;
  };
  // The archived scores of `ind` (same genome and id) at this stage, else null.
  const Scores* archived(const Individual& ind) const;

  Evaluator& inner_;
  const SearchSpace& space_;
  std::map<std::string, Archived> by_key_;  // by SearchSpace::key of the genome
  ReplayStage stage_;
};

}  // namespace lr

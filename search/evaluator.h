// Fitness of candidates: PPL at the target length through the same code path as `eval ppl`.
#pragma once
#include <functional>
#include <memory>
#include <vector>

#include "model.h"
#include "rope.h"
#include "shard.h"
#include "space.h"

namespace lr {

struct Fitness {
  double ppl = 0.0;
  double short_ppl = 0.0;
};

// Called once per finished candidate (index into the batch), possibly from worker threads,
// serialised by the evaluator.
using OnResult = std::function<void(size_t index, const Fitness& f)>;

class Evaluator {
 public:
  virtual ~Evaluator() = default;
  virtual void evaluate(const std::vector<Individual>& batch, const OnResult& done) = 0;
  // PPL of a plain scaling at the fitness length (for the baseline table).
  virtual double evaluate_scaling(const RopeScaling& r) = 0;
};

struct FitnessSpec {
  int target_length = 0;
  int original_length = 0;  // L
  int samples = 5;
  int short_length = 0;      // 0 = no short objective
  double short_weight = 0;   // fitness = ppl + short_weight * short_ppl
  double short_max_ppl = 0;  // > 0: candidates above it are infeasible (fitness = +inf)
  MscaleKind mscale = MscaleKind::Su;
  double mscale_value = 1.0;
  // Short-factor search: candidates are the short factors deployed beside these fixed long
  // factors (HF rule, mscale from s = target / L), scored at L.
  std::vector<double> long_factors;
  bool short_search() const { return !long_factors.empty(); }
  int fitness_length() const { return short_search() ? original_length : target_length; }
  double scale() const { return static_cast<double>(target_length) / original_length; }
  RopeScaling scaling_for(const Individual& ind, int length) const;
  double combine(const Fitness& f) const;  // the number the evolution minimises
};

// Evaluates on this machine: `parallel` engines at once, `threads` split between them.
std::unique_ptr<Evaluator> make_local_evaluator(const Model& model, const Shard& shard,
                                                const FitnessSpec& spec, int threads, int parallel);

}  // namespace lr

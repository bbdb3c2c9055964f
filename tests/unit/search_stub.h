// A closed-form search fitness for the search tests (no model): a stub evaluator and seeds.
#pragma once
#include <cmath>
#include <stdexcept>
#include <vector>

#include "search/evaluator.h"
#include "search/hyperparams.h"
#include "search/init.h"
#include "search/run_recorder.h"

namespace lr::test {

// Closed-form fitness: distance to a hidden monotonic target, plus a preference for n̂ = 4 and,
// when searched, for an attention factor of mscale_target.
class StubEvaluator : public Evaluator {
 public:
  explicit StubEvaluator(int half, long fail_after = -1) : fail_after_(fail_after) {
    for (int i = 0; i < half; ++i)
      target_.push_back(1.0 + 6.0 * std::pow(i / std::max(1.0, half - 1.0), 2));
  }
  void evaluate(const std::vector<Individual>& batch, const Race&, const OnResult& done) override {
    for (size_t i = 0; i < batch.size(); ++i) {
      if (fail_after_ >= 0 && calls_ >= fail_after_) throw std::runtime_error("simulated crash");
      ++calls_;
      double d = 0;
      for (size_t k = 0; k < target_.size(); ++k) d += std::pow(batch[i].lambda[k] - target_[k], 2);
      Fitness f;
      f.ppl = 10.0 + d + 0.01 * std::abs(batch[i].start_tokens - 4);
      if (batch[i].mscale > 0)
        f.ppl += mscale_weight * std::pow(batch[i].mscale - mscale_target, 2);
      if (short_objective) {  // prefers the original RoPE: conflicts with the long objective
        f.short_ppl = 5.0;
        for (double l : batch[i].lambda) f.short_ppl += 0.1 * (l - 1.0) * (l - 1.0);
      }
      done(i, f);
    }
  }
  double evaluate_scaling(const RopeScaling&) override { return 0; }
  long calls_ = 0;
  bool short_objective = false;
  double mscale_target = 1.3;  // the searched attention factor's best value (--search-mscale)
  double mscale_weight = 1.0;

 private:
  long fail_after_;
  std::vector<double> target_;
};

inline std::vector<Seed> seeds(int half, double s) {
  ModelConfig c;
  c.head_dim = 2 * half;
  c.rope_theta = 10000;
  SeedOptions o;
  o.scale = s;
  o.original_length = 512;
  return make_seeds(c, o);
}

// A small GA: 12 seeds and mutations, then 5 iterations of 4 mutations + 4 crossovers, 6 parents.
inline HyperParams small_hp() {
  HyperParams hp;
  hp.population_size = 12;
  hp.max_time_budget = 5;
  hp.mutation_numbers = 4;
  hp.crossover_size = 4;
  hp.parents_size = 6;
  return hp;
}

// The recorder of a test run: into `dir` ("" = no files), quiet, resuming `archived`.
inline RecorderOptions recorder_options(const std::string& dir, int half,
                                        const std::vector<Individual>& archived) {
  RecorderOptions ro;
  ro.dir = dir;
  ro.config = {{"test", true}};
  ro.half = half;
  ro.archived = archived;
  ro.quiet = true;
  return ro;
}

}  // namespace lr::test

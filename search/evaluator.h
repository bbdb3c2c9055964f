// Fitness of candidates: per-item NLL (eval ppl's documents, or needle prompts), raced or not.
#pragma once
#include <functional>
#include <memory>
#include <vector>

#include "core/model/model.h"
#include "core/rope/rope.h"
#include "datasets/shard.h"
#include "search/fitness_items.h"
#include "search/race.h"
#include "search/space.h"

namespace lr {

struct Fitness {
  double ppl = 0.0;  // exp(mean of item_nll); an estimate when rejected
  double short_ppl = 0.0;
  std::vector<double> item_nll;  // per item scored, in order
  bool rejected = false;         // raced out before its last item
  long tokens = 0;               // forward-pass tokens run
  bool reused = false;           // taken from a resumed archive (search/replay_evaluator.h)
  double wall_time = 0.0;        // when reused: the archived individual's
};

// Called once per finished candidate (index into the batch), possibly from worker threads,
// serialised by the evaluator.
using OnResult = std::function<void(size_t index, const Fitness& f)>;

class Evaluator {
 public:
  virtual ~Evaluator() = default;
  // Scores every candidate of `batch` under `race` (inactive: every item).
  virtual void evaluate(const std::vector<Individual>& batch, const Race& race,
                        const OnResult& done) = 0;
  // Fitness PPL of a plain scaling on the same items (for the baseline table).
  virtual double evaluate_scaling(const RopeScaling& r) = 0;
};

struct FitnessSpec {
  int target_length = 0;
  int original_length = 0;  // L
  int samples = 5;          // items: documents or needle prompts
  FitnessKind kind = FitnessKind::Ppl;
  int short_length = 0;      // 0 = no short objective
  double short_weight = 0;   // fitness = ppl + short_weight * short_ppl
  double short_max_ppl = 0;  // > 0: candidates above it are infeasible (fitness = +inf)
  MscaleKind mscale = MscaleKind::Su;
  double mscale_value = 1.0;
  // Short-factor search: candidates are the short factors deployed beside these fixed long
  // factors (HF rule, mscale from s = target / L), scored at L.
  std::vector<double> long_factors;
  // The short objective as a runtime with one factor set applies it (llama.cpp rope_freqs,
  // RKLLM; --optimizer nsga2): the factors and the target's attention factor at every length.
  bool single_set = false;
  bool short_search() const { return !long_factors.empty(); }
  int fitness_length() const { return short_search() ? original_length : target_length; }
  double scale() const { return static_cast<double>(target_length) / original_length; }
  RopeScaling scaling_for(const Genome& g, int length) const;
  double combine(const Fitness& f) const;  // the number the evolution minimises
};

// Evaluates `items` on this machine: `parallel` engines at once, `threads` split between them;
// the short objective (spec.short_length > 0) on `shard`.
std::unique_ptr<Evaluator> make_local_evaluator(const Model& model, std::vector<FitnessItem> items,
                                                const Shard& shard, const FitnessSpec& spec,
                                                int threads, int parallel);

}  // namespace lr

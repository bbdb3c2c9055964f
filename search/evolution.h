// The generation loop: seeds -> population; select parents; mutate + cross over; evaluate.
#pragma once
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "search/archive.h"
#include "search/evaluator.h"
#include "search/hyperparams.h"
#include "search/init.h"
#include "search/operators.h"

namespace lr {

struct EvolutionResult {
  Individual best;
  std::vector<IterationRecord> iterations;
  std::vector<Individual> individuals;  // every evaluated individual, by id
  long evaluated = 0;                   // evaluations run now
  long reused = 0;                      // evaluations taken from the resumed archive
  long rejected = 0;                    // raced or screened out (of all, reused included)
  long screened_out = 0;                // of `rejected`: stopped by the length screen
  long tokens = 0;                      // forward-pass tokens of all evaluations, reused included
  long raced_out() const { return rejected - screened_out; }
};

// Deterministic given the seed: every generation's candidates are drawn before any of them is
// evaluated, and selection sorts by (objective, id). Resuming replays the run from the seed and
// takes finished evaluations from the archive, so a killed-and-resumed run ends exactly where
// an uninterrupted one does.
class Evolution {
 public:
  Evolution(SearchSpace space, HyperParams hp, uint64_t seed, Evaluator& evaluator,
            std::function<double(const Fitness&)> objective);

  // Outputs: archive.h5, result_itNNN.csv, result_final.{csv,json}, search.log in `dir`.
  // `factors_key` names the searched factors in result_final.json ("short_factor" for a
  // short-factor search, so the file reads back as a long/short pair).
  void set_output(const std::string& dir, nlohmann::json config, nlohmann::json final_extra,
                  std::string factors_key = "factors");
  void set_resume_cache(const std::vector<Individual>& done);
  void set_quiet(bool q) { quiet_ = q; }
  // Racing (race.h): from iteration 1 on, children are raced against the K-th best parent.
  void set_racing(bool on, double z) {
    racing_ = on;
    racing_z_ = z;
  }

  // Length screen (README, "Length screen"): from iteration 1 on, each generation's children
  // are first scored by `screen` (the same items cut to a shorter length, the same scaling);
  // only the best ceil(keep x children) by that PPL (ties by id) are scored in full, the
  // others are screened out. `screen` must outlive the run; null turns it off.
  void set_screen(Evaluator* screen, double keep) {
    screen_ = screen;
    screen_keep_ = keep;
  }

  EvolutionResult run(const std::vector<Seed>& seeds);

 private:
  void add_candidate(Individual ind, std::vector<Individual>& batch);
  void evaluate(std::vector<Individual>& batch, const Race& race = Race{});
  // Scores `batch` on the screen and marks all but the kept as screened out (scored).
  void screen(std::vector<Individual>& batch);
  // The archived evaluation of `ind` (same genome and id) when resuming, else null.
  const Individual* cached(const Individual& ind) const;
  void add_scored(const Individual& ind);  // into the result's individuals and totals
  std::vector<Individual> select(std::vector<Individual> pop, size_t n) const;
  void record(int iteration, const std::vector<Individual>& pop);
  void save_archive(int64_t final_best = -1);
  void log_line(const std::string& s);
  double objective(const Individual& i) const;

  SearchSpace space_;
  HyperParams hp_;
  Rng rng_;
  Evaluator& evaluator_;
  std::function<double(const Fitness&)> objective_;
  SeenSet seen_;
  int64_t next_id_ = 0;
  int iteration_ = 0;
  std::map<std::string, Individual> cache_;
  EvolutionResult result_;
  std::string dir_;
  nlohmann::json config_, final_extra_;
  std::string factors_key_ = "factors";
  bool quiet_ = false;
  bool racing_ = false;
  double racing_z_ = 2.0;
  Evaluator* screen_ = nullptr;
  double screen_keep_ = 0.5;
  std::map<int64_t, Individual> pending_;  // screened and kept, full score not finished
  double start_ = 0;
  long planned_ = 0;
};

double now_seconds();

}  // namespace lr

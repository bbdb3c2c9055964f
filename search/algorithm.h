// What every search algorithm shares (pagmo-style): candidates in, scores out, observers told.
#pragma once
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "search/archive.h"
#include "search/evaluator.h"
#include "search/init.h"
#include "search/operators.h"
#include "search/race.h"
#include "search/rejudge.h"
#include "search/space.h"

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
  // F32 re-judging (search/rejudge.h): the finalists with ppl_f32, by the search's rank; empty
  // when off. `best` is then the best of them by the objective of their F32 scores.
  std::vector<Individual> rejudged;
  long raced_out() const { return rejected - screened_out; }
};

// Told what a run does; records it (search/run_recorder.h), never changes it.
class SearchObserver {
 public:
  virtual ~SearchObserver() = default;
  virtual void on_seed(const std::string& /*label*/, int64_t /*id*/) {}
  // `batch` is about to be scored.
  virtual void on_batch(const std::vector<Individual>& /*batch*/) {}
  // One candidate scored: in full, raced out, screened out, or screened and kept (pending: its
  // full score to come). `fresh`: computed now, not taken from a resumed archive.
  virtual void on_scored(const Individual& /*ind*/, bool /*fresh*/) {}
  // Every candidate of the batch has its score (or its screen score).
  virtual void on_batch_end() {}
  // An iteration ended: its record and population (best first), and the run so far.
  virtual void on_iteration(const IterationRecord& /*r*/, const std::vector<Individual>& /*ranked*/,
                            const EvolutionResult& /*so_far*/) {}
  // A finalist re-judged in F32 (its ppl_f32 set); `fresh`: computed now, not archived before.
  virtual void on_rejudged(const Individual& /*ind*/, bool /*fresh*/) {}
  virtual void on_end(const EvolutionResult& /*result*/) {}
};

// The problem side of a search: the space, the evaluator (the fitness of a genome), the
// objective; an algorithm derived from it proposes genomes and calls score()/screen().
class SearchAlgorithm {
 public:
  SearchAlgorithm(SearchSpace space, Evaluator& evaluator,
                  std::function<double(const Fitness&)> objective);
  virtual ~SearchAlgorithm() = default;
  void add_observer(SearchObserver& o) { observers_.push_back(&o); }
  // F32 re-judging of the last generation's best at the end (search/rejudge.h); off by default.
  void set_rejudge(RejudgeOptions o) { rejudge_ = std::move(o); }
  // Runs from `seeds` to the end; the result's individuals are sorted by id.
  virtual EvolutionResult run(const std::vector<Seed>& seeds) = 0;

 protected:
  // The seeds projected onto the grid and constraints (n̂ the set's first), repeats dropped,
  // each told to the observers, as iteration 0's candidates. Throws when none is left.
  std::vector<Individual> seed_candidates(const std::vector<Seed>& seeds);
  // Gives `ind` the next id at `iteration`, clears its scores, checks the constraints.
  void add_candidate(Individual ind, int iteration, std::vector<Individual>& batch);
  // Scores `batch` (all but the screened out) under `race`.
  void score(std::vector<Individual>& batch, const Race& race = Race{});
  // Length screen: scores `batch` on `screen` and marks all but the best ceil(keep x size) (by
  // screen PPL, ties by id) as screened out (scored).
  void screen(std::vector<Individual>& batch, Evaluator& screen, double keep);
  double objective(const Individual& i) const;
  // The `n` best of `pop` by (objective, id).
  std::vector<Individual> select(std::vector<Individual> pop, size_t n) const;
  // Ends an iteration: its record into the result, observers told.
  void record(int iteration, const std::vector<Individual>& pop);
  // Ends the run with `best` (or, re-judging, the best by F32 of the finalists: the best
  // rejudge_.count of the last recorded generation and `best`).
  EvolutionResult finish(const Individual& best);
  void tell_seed(const std::string& label, int64_t id);
  void start_clock();

  SearchSpace space_;
  SeenSet seen_;
  int64_t next_id_ = 0;
  EvolutionResult result_;

 private:
  void add_scored(const Individual& ind, bool fresh);  // into the result, observers told
  Individual rejudge(const Individual& best);          // the finalists in F32; the F32 best

  Evaluator& evaluator_;
  std::function<double(const Fitness&)> objective_;
  std::vector<SearchObserver*> observers_;
  std::vector<Individual> last_generation_;  // the last record()'s population, best first
  RejudgeOptions rejudge_;
  double start_ = 0;
};

double now_seconds();

}  // namespace lr

// A search built from its run configuration: model, shard, fitness, space, seeds, evaluators.
#pragma once
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/model/model.h"
#include "datasets/shard.h"
#include "search/evaluator.h"
#include "search/evolution.h"
#include "search/hyperparams.h"
#include "search/init.h"
#include "search/optimizer_settings.h"
#include "search/space.h"

namespace lr {

struct SearchSetup {
  // The run configuration, completed with what the archive records beside the options: the
  // model and shard fingerprints, the numerics signature and kernel path, the scale and L.
  nlohmann::json config;
  std::unique_ptr<Model> model;
  Shard shard;  // empty for --fitness needle without --data
  FitnessSpec spec;
  HyperParams hp;
  Algorithm algorithm = Algorithm::DimMono;
  SearchSpace space{Algorithm::DimMono, 1, 1.0, 0.01, {0}, false};  // set by setup_search
  SeedOptions seed_options;
  std::vector<Seed> seeds;
  std::vector<FitnessItem> items;  // what the fitness scores
  int screen_length = 0;           // 0: no length screen
  double screen_keep = 0.5;
  bool racing = false;
  double racing_z = 2.0;
  Optimizer optimizer = Optimizer::Ga;
  nlohmann::json optimizer_settings;  // a pagmo optimizer's (empty for the GA)
  Budget budget;
  int rejudge_f32 = 0;  // finalists re-judged in F32 when computing in another precision
};

struct SetupOptions {
  // The archive resumed ("" for a new run): the model and the shard must be those it recorded
  // (fingerprints) and the numerics alike.
  std::string resume;
  bool quiet = false;  // no notes on stderr
};

// Loads and checks everything `config` (config_from_options, or an archive's) names. Throws
// (InvalidArgument naming the option or key, Data, Format) on a configuration that cannot run.
SearchSetup setup_search(nlohmann::json config, const SetupOptions& o = {});

// The evaluator of the fitness on this machine (`parallel` candidates at once).
std::unique_ptr<Evaluator> make_search_evaluator(const SearchSetup& s, int threads, int parallel);

// The length screen's evaluator (the same items cut to screen_length), null without a screen.
// `distributed`: refused (Unsupported) under MPI.
std::unique_ptr<Evaluator> make_screen_evaluator(const SearchSetup& s, int threads, int parallel,
                                                 bool distributed);

// Runs the search of `s` (the GA or a pagmo optimizer) writing into `dir` (archive, result CSVs and
// JSON, log), taking the evaluations in `done` (a resumed archive's) instead of running them again.
// Computing in a precision other than F32, a one-objective run re-judges its finalists in F32
// (search/rejudge.h) with `judge` (null: `evaluator`; under MPI a local one: see
// make_judge_evaluator).
EvolutionResult run_search_evolution(const SearchSetup& s, Evaluator& evaluator, Evaluator* screen,
                                     const std::string& dir, const std::vector<Individual>& done,
                                     bool quiet, Evaluator* judge = nullptr);

// The fitness on this machine for the F32 re-judging, null when the run re-judges nothing (F32
// compute, --rejudge-f32 0). Under MPI the ranks compute in the run's precision: rank 0 re-judges
// alone with this.
std::unique_ptr<Evaluator> make_judge_evaluator(const SearchSetup& s, int threads, int parallel);

// The final table: the searched factors, then (with `baselines`) PI, NTK and YaRN at the same
// scale, or for a short-factor search the pair vs the long factors alone, ones and none.
// Rows: {"method", "ppl", "start_tokens"}; for a two-objective run (search/pareto.h) also
// "short_ppl": the PPL at the short length, the baselines' scored there with the same scaling
// (a runtime holds one set at every length) by an evaluator of `threads` threads (0 = all).
nlohmann::json result_rows(const SearchSetup& s, const Individual& best, Evaluator& evaluator,
                           bool baselines, int threads = 0);

}  // namespace lr

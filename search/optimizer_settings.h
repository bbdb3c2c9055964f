// Which optimizer proposes the genomes (--optimizer), its settings file, and the search budget.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "search/hyperparams.h"

namespace lr {

// ga: the LongRoPE paper's genetic algorithm (search/evolution.h). The others are pagmo2's,
// run on the box genotype of search/genotype.h (search/pagmo_search.h).
enum class Optimizer { Ga, Cmaes, Xnes, PsoGen, Gaco, Nsga2 };

Optimizer parse_optimizer(const std::string& name);  // throws InvalidArgument naming the choices
const char* optimizer_name(Optimizer o);
// pso_gen, gaco and nsga2 hand a whole generation to a batch evaluator; cmaes and xnes score one
// candidate at a time.
bool optimizer_takes_batches(Optimizer o);
int optimizer_objectives(Optimizer o);  // 2 for nsga2 (long PPL, short PPL), else 1
bool optimizer_available(Optimizer o);  // false for the pagmo ones in a build without pagmo2

// The settings of a pagmo optimizer (hyperparams/<optimizer>.json, then --set): every key of the
// built-in defaults present, unknown keys refused. "population_size" and "generations" are
// common to all; the rest are the pagmo constructor's arguments of the same names.
nlohmann::json default_optimizer_settings(Optimizer o);
// Applies `j` on top of `settings` (keys must exist there; "_comment" is skipped).
void apply_optimizer_settings(nlohmann::json& settings, const nlohmann::json& j,
                              const std::string& source);
// The JSON object of a settings file (Io/Format errors name it).
nlohmann::json read_optimizer_settings_file(const std::string& path);
// Throws InvalidArgument naming the impossible value.
void validate_optimizer_settings(Optimizer o, const nlohmann::json& settings);

// A limit on what a search may spend, checked between generations: the run ends after the first
// generation that reaches either (0: no limit). Every optimizer also stops at its generation cap.
struct Budget {
  long max_evaluations = 0;  // evaluations run (cached repeats are free and not counted)
  long max_tokens = 0;       // forward-pass tokens
  bool reached(long evaluations, long tokens) const {
    return (max_evaluations > 0 && evaluations >= max_evaluations) ||
           (max_tokens > 0 && tokens >= max_tokens);
  }
};

// The 32-bit seed handed to pagmo, from the run's 64-bit seed: the high half of splitmix64(seed)
// (so seeds 0, 1, 2... give unrelated pagmo streams and every 64-bit seed is usable).
unsigned pagmo_seed(uint64_t seed);

// Evaluations a run of `config` (a search run configuration: "optimizer", "optimizer_settings",
// "hyperparams", "max_evaluations") plans at most: the GA's population plus its generations'
// children, or a pagmo optimizer's population over its generations (the seeds included), capped
// by the evaluation budget. Cached repeats make the real count smaller.
long planned_evaluations(const nlohmann::json& config);

}  // namespace lr

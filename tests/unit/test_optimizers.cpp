// The box genotype, the optimizer settings and the pagmo optimizers on a stub fitness.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <limits>

#include "core/util/error.h"
#include "search/archive.h"
#include "search/genotype.h"
#include "search/optimizer_settings.h"
#include "search/pagmo_search.h"
#include "search/replay_evaluator.h"
#include "search/run_recorder.h"
#include "search/sampling.h"
#include "tests/unit/search_stub.h"
#include "tests/unit/test_util.h"

namespace lr {
namespace {

using test::seeds;
using test::StubEvaluator;

SearchSpace space(int half, bool n_hat, Algorithm a = Algorithm::DimMono) {
  return SearchSpace(a, half, 8.0, 0.01, {0, 1, 2, 4, 8, 16}, n_hat);
}

TEST(Genotype, SeedsComeBackAfterTheSnap) {
  for (Algorithm a : {Algorithm::DimMono, Algorithm::DimPieceMono})
    for (int half : {4, 16, 64}) {
      const SearchSpace sp = space(half, true, a);
      const Genotype gt(sp);
      auto all = seeds(half, 8.0);
      all.push_back({"ones", std::vector<double>(half, 1.0)});
      all.push_back({"top", std::vector<double>(half, 10.0)});
      for (const auto& s : all) {
        for (int n : {0, 4, 16}) {
          Genome g;
          g.lambda = sp.project(s.lambda);
          g.start_tokens = n;
          const std::vector<double> z = gt.encode(g);
          ASSERT_EQ(z.size(), gt.size());
          for (double v : z) EXPECT_TRUE(v >= 0 && v <= 1) << v;
          const Genome back = gt.decode(z);
          EXPECT_EQ(back.lambda, g.lambda) << s.label << " half " << half;
          EXPECT_EQ(back.start_tokens, n);
        }
      }
    }
}

TEST(Genotype, EveryPointOfTheBoxAndBeyondIsFeasible) {
  const SearchSpace sp = space(16, true);
  const Genotype gt(sp);
  EXPECT_EQ(gt.size(), 17u);
  Rng rng(3);
  for (int t = 0; t < 2000; ++t) {
    std::vector<double> z(gt.size());
    for (double& v : z) v = 3.0 * sample_unit(rng) - 1.0;  // a third outside the box
    if (t % 7 == 0) z[t % z.size()] = std::numeric_limits<double>::quiet_NaN();
    const Genome g = gt.decode(z);
    EXPECT_EQ(sp.violation(g), "") << t;
  }
  // The bounds: all genes 0 is λ = 1 everywhere; all 1 is 1.25 s everywhere.
  EXPECT_EQ(gt.decode(std::vector<double>(17, 0.0)).lambda, std::vector<double>(16, 1.0));
  EXPECT_EQ(gt.decode(std::vector<double>(17, 1.0)).lambda, std::vector<double>(16, 10.0));
  EXPECT_EQ(gt.decode(std::vector<double>(17, 1.0)).start_tokens, 16);
  // dim_piece_mono: only the middle pairs are genes.
  EXPECT_EQ(Genotype(space(16, false, Algorithm::DimPieceMono)).size(), 8u);
}

TEST(Genotype, LongRoPE2ModeSearchesThePairsFromTheCriticalOne) {
  SearchSpace sp = space(16, false);
  sp.critical = 6;
  const Genotype gt(sp);
  EXPECT_EQ(gt.size(), 10u);  // pairs 6..15
  Rng rng(5);
  for (int t = 0; t < 500; ++t) {
    std::vector<double> z(gt.size());
    for (double& v : z) v = 1.4 * sample_unit(rng) - 0.2;
    const Genome g = gt.decode(z);
    EXPECT_EQ(sp.violation(g), "") << t;
    for (int i = 6; i < 16; ++i) EXPECT_GE(g.lambda[i], 8.0);
    EXPECT_EQ(gt.decode(gt.encode(g)).lambda, g.lambda);
  }
  for (const auto& s : seeds(16, 8.0)) {
    Genome g;
    g.lambda = sp.project(s.lambda);
    EXPECT_EQ(gt.decode(gt.encode(g)).lambda, g.lambda) << s.label;
  }
}

TEST(OptimizerSettings, NamesDefaultsAndRefusals) {
  EXPECT_EQ(parse_optimizer("cmaes"), Optimizer::Cmaes);
  EXPECT_STREQ(optimizer_name(Optimizer::PsoGen), "pso_gen");
  EXPECT_THROW(parse_optimizer("adam"), Error);
  EXPECT_FALSE(optimizer_takes_batches(Optimizer::Cmaes));
  EXPECT_TRUE(optimizer_takes_batches(Optimizer::Nsga2));
  EXPECT_EQ(optimizer_objectives(Optimizer::Nsga2), 2);
  nlohmann::json s = default_optimizer_settings(Optimizer::Cmaes);
  apply_optimizer_settings(s, {{"sigma0", 0.5}, {"generations", 3}}, "test");
  EXPECT_EQ(s["sigma0"], 0.5);
  EXPECT_THROW(apply_optimizer_settings(s, {{"sigma", 0.5}}, "test"), Error);        // unknown
  EXPECT_THROW(apply_optimizer_settings(s, {{"generations", 2.5}}, "test"), Error);  // not int
  s["sigma0"] = 0.0;
  EXPECT_THROW(validate_optimizer_settings(Optimizer::Cmaes, s), Error);
  nlohmann::json n = default_optimizer_settings(Optimizer::Nsga2);
  n["population_size"] = 10;
  EXPECT_THROW(validate_optimizer_settings(Optimizer::Nsga2, n), Error);  // not a multiple of 4
  // Planned evaluations: the GA's 64 + 40 x 32; a pagmo optimizer's population per generation.
  HyperParams hp;
  EXPECT_EQ(planned_evaluations({{"hyperparams", hp.to_json()}}), 1344);
  EXPECT_EQ(
      planned_evaluations({{"optimizer", "cmaes"},
                           {"optimizer_settings", default_optimizer_settings(Optimizer::Cmaes)},
                           {"max_evaluations", 0}}),
      16 * 17);
  EXPECT_EQ(planned_evaluations({{"hyperparams", hp.to_json()}, {"max_evaluations", 100}}), 100);
  // The stated seed mix (splitmix64, high half).
  EXPECT_EQ(pagmo_seed(0), 0xE220A839u);
  EXPECT_NE(pagmo_seed(1), pagmo_seed(2));
}

TEST(OptimizerSettings, FilesInHyperparamsAreTheBuiltInDefaults) {
  for (Optimizer o :
       {Optimizer::Cmaes, Optimizer::Xnes, Optimizer::PsoGen, Optimizer::Gaco, Optimizer::Nsga2}) {
    const std::string path =
        std::string(LONGROPE_SOURCE_DIR) + "/hyperparams/" + optimizer_name(o) + ".json";
    nlohmann::json file = read_optimizer_settings_file(path);
    file.erase("_comment");
    EXPECT_EQ(file, default_optimizer_settings(o)) << path;
  }
}

EvolutionResult run_pagmo(Optimizer o, uint64_t seed, Evaluator& ev, const std::string& dir = "",
                          const std::vector<Individual>& cache = {}, Budget budget = {},
                          const std::vector<Seed>& start = seeds(4, 8.0)) {
  const SearchSpace sp = space(4, true);
  ReplayEvaluator replay(ev, sp, cache, ReplayStage::Full);
  PagmoOptions po;
  po.optimizer = o;
  po.settings = default_optimizer_settings(o);
  po.settings["generations"] = 6;
  po.settings["population_size"] = o == Optimizer::Nsga2 ? 12 : 10;
  if (o == Optimizer::Gaco) po.settings["ker"] = 5;
  po.seed = seed;
  po.budget = budget;
  auto algo = make_pagmo_search(sp, po, replay, [](const Fitness& f) { return f.ppl; });
  RunRecorder recorder(test::recorder_options(dir, 4, cache));
  algo->add_observer(recorder);
  return algo->run(start);
}

class PagmoOptimizers : public ::testing::TestWithParam<Optimizer> {
 protected:
  void SetUp() override {
    if (!optimizer_available(GetParam())) GTEST_SKIP() << "built without pagmo2";
  }
};

TEST_P(PagmoOptimizers, SameSeedSameRunImprovesOnTheSeeds) {
  StubEvaluator a(4), b(4), c(4);
  a.short_objective = b.short_objective = c.short_objective = true;
  const auto r1 = run_pagmo(GetParam(), 7, a), r2 = run_pagmo(GetParam(), 7, b);
  EXPECT_EQ(r1.best.lambda, r2.best.lambda);
  EXPECT_EQ(r1.best.ppl, r2.best.ppl);
  ASSERT_EQ(r1.individuals.size(), r2.individuals.size());
  for (size_t i = 0; i < r1.individuals.size(); ++i)
    EXPECT_EQ(r1.individuals[i].lambda, r2.individuals[i].lambda);
  double best_seed = 1e300;
  for (const auto& ind : r1.individuals)
    if (ind.iteration == 0 && ind.origin == Origin::Init) best_seed = std::min(best_seed, ind.ppl);
  if (GetParam() != Optimizer::Nsga2) {
    EXPECT_LT(r1.best.ppl, best_seed);
    for (size_t i = 1; i < r1.iterations.size(); ++i)  // each record's best: the best so far
      EXPECT_LE(r1.iterations[i].best_ppl, r1.iterations[i - 1].best_ppl) << i;
    EXPECT_EQ(r1.iterations.back().best_id, r1.best.id);
  }
  // Every candidate feasible, none scored twice, the calls = the individuals.
  std::set<std::string> keys;
  const SearchSpace sp = space(4, true);
  for (const auto& ind : r1.individuals) {
    EXPECT_EQ(sp.violation(ind), "");
    EXPECT_TRUE(keys.insert(sp.key(ind)).second);
  }
  EXPECT_EQ(a.calls_, static_cast<long>(r1.individuals.size()));
  const auto r3 = run_pagmo(GetParam(), 8, c);
  EXPECT_NE(r3.individuals.back().lambda, r1.individuals.back().lambda);  // another seed
}

TEST_P(PagmoOptimizers, CrashThenResumeEndsIdentically) {
  // One folder per optimizer: ctest runs the instances at once.
  const std::string dir = test::tmp_dir() + "/pagmo-resume-" + optimizer_name(GetParam());
  StubEvaluator full(4);
  full.short_objective = true;
  const auto ref = run_pagmo(GetParam(), 5, full);
  for (long crash_at : {3L, 17L, 31L}) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    StubEvaluator crashing(4, crash_at), rest(4);
    crashing.short_objective = rest.short_objective = true;
    EXPECT_THROW(run_pagmo(GetParam(), 5, crashing, dir), std::runtime_error);
    const auto cache = read_archive(dir + "/archive.h5").individuals;
    EXPECT_EQ(static_cast<long>(cache.size()), crash_at);
    const auto r = run_pagmo(GetParam(), 5, rest, dir, cache);
    EXPECT_EQ(r.best.lambda, ref.best.lambda) << "crash at " << crash_at;
    EXPECT_EQ(r.best.ppl, ref.best.ppl);
    EXPECT_EQ(rest.calls_ + crash_at, full.calls_);
    EXPECT_EQ(read_archive(dir + "/archive.h5").individuals.size(), ref.individuals.size());
  }
}

TEST_P(PagmoOptimizers, BudgetStopsBetweenGenerations) {
  StubEvaluator a(4);
  a.short_objective = true;
  const auto full = run_pagmo(GetParam(), 1, a);
  StubEvaluator b(4);
  b.short_objective = true;
  Budget budget;
  budget.max_evaluations = 12;
  const auto r = run_pagmo(GetParam(), 1, b, "", {}, budget);
  EXPECT_GE(r.individuals.size(), 12u);
  EXPECT_LT(r.individuals.size(), full.individuals.size());
  EXPECT_LE(r.individuals.size(), 12u + 12u);  // at most one generation past the budget
}

// One seed: the population is copies of it (equal fitnesses); the search must still move.
TEST_P(PagmoOptimizers, OneSeedStillSearches) {
  StubEvaluator a(4);
  a.short_objective = true;
  const auto r = run_pagmo(GetParam(), 2, a, "", {}, {}, {Seed{"ones", {1, 1, 1, 1}}});
  EXPECT_GT(r.individuals.size(), 20u);
  EXPECT_LT(r.best.ppl, r.individuals.front().ppl);
}

INSTANTIATE_TEST_SUITE_P(All, PagmoOptimizers,
                         ::testing::Values(Optimizer::Cmaes, Optimizer::Xnes, Optimizer::PsoGen,
                                           Optimizer::Gaco, Optimizer::Nsga2),
                         [](const auto& info) { return std::string(optimizer_name(info.param)); });

}  // namespace
}  // namespace lr

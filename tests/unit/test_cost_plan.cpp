// plan --search's projection arithmetic (search/cost_plan.h): exact figures for given configs.
#include <gtest/gtest.h>

#include <cmath>

#include "core/engine/speed_probe.h"
#include "core/util/error.h"
#include "search/cost_plan.h"
#include "search/hyperparams.h"

using nlohmann::json;

namespace lr {
namespace {

// 6 + 2 x (2 + 2) = 14 candidates, 3 documents of 2048 tokens each, L = 512.
json tiny_config() {
  HyperParams hp;
  hp.population_size = 6;
  hp.max_time_budget = 2;
  hp.mutation_numbers = 2;
  hp.crossover_size = 2;
  hp.parents_size = 3;
  return {{"target_length", 2048},
          {"original_max_position", 512},
          {"samples", 3},
          {"fitness", "ppl"},
          {"short_length", 0},
          {"screen_length", 0},
          {"screen_keep", 0.5},
          {"racing", false},
          {"search_short_factors", false},
          {"hyperparams", hp.to_json()}};
}

TEST(CostPlan, FitRecoversLinearAndQuadraticTerms) {
  std::vector<std::pair<int, double>> s;
  for (int n : {256, 512, 1024, 2048}) s.emplace_back(n, 1e-5 * n + 2e-9 * n * n);
  const ForwardSpeed f = fit_forward_speed(s);
  EXPECT_NEAR(f.a, 1e-5, 1e-12);
  EXPECT_NEAR(f.b, 2e-9, 1e-15);
  // A negative quadratic term is never fitted: the linear term alone then.
  const ForwardSpeed g = fit_forward_speed({{256, 1.0}, {512, 1.9}});
  EXPECT_GE(g.b, 0.0);
  EXPECT_GT(g.a, 0.0);
  EXPECT_THROW(fit_forward_speed({}), Error);
}

TEST(CostPlan, PlainGaTokensTimeAndRanks) {
  const ForwardSpeed speed{1e-4, 0.0};  // 0.2048 s per 2048-token item
  const SearchCostPlan p = plan_search_cost(tiny_config(), 0, speed, {1, 4}, true);
  EXPECT_EQ(p.evaluations, 14);
  EXPECT_EQ(p.generations, 3);
  EXPECT_EQ(p.full_scores, 14);
  EXPECT_EQ(p.screen_scores, 0);
  EXPECT_DOUBLE_EQ(p.tokens, 14.0 * 3 * 2048);  // 86016
  EXPECT_DOUBLE_EQ(p.plain_tokens, p.tokens);
  EXPECT_NEAR(p.seconds, 14 * 3 * 0.2048, 1e-9);
  EXPECT_EQ(p.baseline_scores, 3);
  EXPECT_NEAR(p.baseline_seconds, 3 * 3 * 0.2048, 1e-9);
  ASSERT_EQ(p.ranks.size(), 2u);
  EXPECT_EQ(p.ranks[0].workers, 1);
  EXPECT_EQ(p.ranks[0].rounds, 14);
  EXPECT_NEAR(p.ranks[0].seconds, p.seconds + p.baseline_seconds, 1e-9);
  // 4 ranks: 3 evaluate; rounds ceil(6/3) + 2 x ceil(4/3) = 6.
  EXPECT_EQ(p.ranks[1].workers, 3);
  EXPECT_EQ(p.ranks[1].rounds, 6);
  EXPECT_NEAR(p.ranks[1].seconds, 6 * 3 * 0.2048 + 3 * 3 * 0.2048, 1e-9);
}

TEST(CostPlan, QuadraticTermAndShortObjective) {
  json c = tiny_config();
  c["short_length"] = 512;
  const ForwardSpeed speed{1e-5, 1e-9};
  const SearchCostPlan p = plan_search_cost(c, 0, speed, {1}, false);
  EXPECT_DOUBLE_EQ(p.tokens_per_score, 3.0 * (2048 + 512));
  const double item = 1e-5 * 2048 + 1e-9 * 2048.0 * 2048,
               short_item = 1e-5 * 512 + 1e-9 * 512.0 * 512;
  EXPECT_NEAR(p.seconds, 14 * 3 * (item + short_item), 1e-9);
  EXPECT_EQ(p.baseline_scores, 0);
  EXPECT_DOUBLE_EQ(p.ranks[0].seconds, p.seconds);
}

TEST(CostPlan, ScreenBudgetAndRacingRange) {
  json c = tiny_config();
  c["screen_length"] = 512;
  const ForwardSpeed speed{1e-4, 0.0};
  SearchCostPlan p = plan_search_cost(c, 0, speed, {1, 3}, true);
  // Children (2 generations of 4) screened at 512, ceil(0.5 x 4) = 2 of each kept.
  EXPECT_EQ(p.screen_scores, 8);
  EXPECT_EQ(p.full_scores, 6 + 2 * 2);
  EXPECT_DOUBLE_EQ(p.tokens, 10.0 * 3 * 2048 + 8.0 * 3 * 512);  // 73728
  EXPECT_NEAR(p.seconds, 10 * 3 * 0.2048 + 8 * 3 * 0.0512, 1e-9);
  EXPECT_TRUE(std::isnan(p.ranks[1].seconds));  // the screen is refused under mpirun
  EXPECT_EQ(p.racing_hi, 0.0);                  // no racing: no range

  json r = tiny_config();
  r["racing"] = true;
  p = plan_search_cost(r, 0, speed, {1}, true);
  EXPECT_DOUBLE_EQ(p.racing_lo, 0.64 * 86016);
  EXPECT_DOUBLE_EQ(p.racing_hi, 0.87 * 86016);
  r["screen_length"] = 512;  // T/4, keep 1/2: the measured 69-77 %
  p = plan_search_cost(r, 0, speed, {1}, true);
  EXPECT_DOUBLE_EQ(p.racing_lo, 0.69 * 86016);
  EXPECT_DOUBLE_EQ(p.racing_hi, 0.77 * 86016);  // never above the screened projection (73728)
  r["screen_length"] = 300;                     // no measurement: 64 % of the screened figure .. it
  p = plan_search_cost(r, 0, speed, {1}, true);
  EXPECT_DOUBLE_EQ(p.racing_hi, p.tokens);
  EXPECT_DOUBLE_EQ(p.racing_lo, 0.64 * p.tokens);
}

TEST(CostPlan, BudgetCutsGenerationsAndShortSearchScoresAtL) {
  json c = tiny_config();
  c["max_evaluations"] = 10;
  EXPECT_EQ(generation_batches(c), (std::vector<long>{6, 4}));
  c["max_evaluations"] = 8;
  EXPECT_EQ(generation_batches(c), (std::vector<long>{6, 2}));
  json s = tiny_config();
  s["search_short_factors"] = true;
  s["original_max_position"] = 0;
  const SearchCostPlan p = plan_search_cost(s, 256, ForwardSpeed{1e-4, 0}, {1}, true);
  EXPECT_EQ(p.length, 256);
  EXPECT_DOUBLE_EQ(p.tokens, 14.0 * 3 * 256);
  json bad = tiny_config();
  bad["samples"] = 0;
  EXPECT_THROW(plan_search_cost(bad, 0, ForwardSpeed{1e-4, 0}, {1}, true), Error);
  EXPECT_THROW(plan_search_cost(tiny_config(), 0, ForwardSpeed{1e-4, 0}, {0}, true), Error);
}

// The calibration at a shape: random weights run, lengths double, the fit is positive.
TEST(CostPlan, ProbeTimesRandomWeightsAtTheShape) {
  ModelConfig c;
  c.dim = 64;
  c.hidden_dim = 128;
  c.n_layers = 3;
  c.n_heads = 4;
  c.n_kv_heads = 2;
  c.head_dim = 16;
  c.vocab_size = 300;
  c.max_position = 256;
  const auto m = random_weight_model(c, 2, 7);
  EXPECT_EQ(m->weights.layers.size(), 2u);
  EXPECT_EQ(first_layers(*m, 1)->config.n_layers, 1);
  const SpeedProbe p = probe_forward_speed(c, nullptr, 0.5, 512);
  ASSERT_GE(p.samples.size(), 2u);
  EXPECT_EQ(p.samples[1].length, 2 * p.samples[0].length);
  std::vector<std::pair<int, double>> s;
  for (const auto& t : p.samples) s.emplace_back(t.length, t.seconds);
  EXPECT_GT(fit_forward_speed(s).seconds(4096), 0.0);
}

}  // namespace
}  // namespace lr

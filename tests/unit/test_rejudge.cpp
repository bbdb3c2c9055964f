// F32 re-judging of a search's finalists and the ranking across precisions (Spearman, summary).
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/util/mapped_file.h"
#include "search/evolution.h"
#include "search/optimizer_settings.h"
#include "search/pagmo_search.h"
#include "search/rank_precision.h"
#include "search/rejudge.h"
#include "search/replay_evaluator.h"
#include "search/run_recorder.h"
#include "tests/unit/search_stub.h"
#include "tests/unit/test_util.h"

namespace lr {
namespace {

// The stub's fitness in F32; in int8 a genome-dependent error that reorders close candidates
// (it favours large last factors). Counts the calls made in F32; throws there when asked.
class PrecisionStub : public Evaluator {
 public:
  void evaluate(const std::vector<Individual>& batch, const Race& race,
                const OnResult& done) override {
    const bool f32 = compute_precision() == Compute::F32;
    if (f32 && throw_in_f32) throw std::runtime_error("F32 failure");
    inner_.evaluate(batch, race, [&](size_t k, const Fitness& f) {
      Fitness g = f;
      if (f32 && f32_calls == kill_after_f32) throw std::runtime_error("killed");
      if (f32)
        ++f32_calls;
      else
        g.ppl -= 0.4 * batch[k].lambda.back();
      done(k, g);
    });
  }
  double evaluate_scaling(const RopeScaling&) override { return 0; }
  double f32_ppl(const Individual& ind) {
    double v = 0;
    inner_.evaluate({ind}, Race{}, [&](size_t, const Fitness& f) { v = f.ppl; });
    return v;
  }
  long f32_calls = 0;
  bool throw_in_f32 = false;
  long kill_after_f32 = -1;  // >= 0: throws after this many F32 scores

 private:
  test::StubEvaluator inner_{4};
};

EvolutionResult run_int8(PrecisionStub& ev, const std::string& dir = "",
                         const std::vector<Individual>& done = {}) {
  const ScopedCompute int8(Compute::Int8);
  SearchSpace sp(Algorithm::DimMono, 4, 8.0, 0.01, {0, 1, 2, 4, 8}, true);
  ReplayEvaluator replay(ev, sp, done, ReplayStage::Full);
  Evolution e(sp, test::small_hp(), 3, replay, [](const Fitness& f) { return f.ppl; });
  e.set_rejudge({kDefaultRejudgeF32, &ev, done});
  RecorderOptions ro = test::recorder_options(dir, 4, done);
  ro.compute = "int8";
  RunRecorder recorder(ro);
  e.add_observer(recorder);
  EvolutionResult r = e.run(test::seeds(4, 8.0));
  EXPECT_EQ(compute_precision(), Compute::Int8);  // restored after the re-judging
  return r;
}

TEST(Rejudge, FinalistsOfTheLastGenerationJudgedInF32) {
  PrecisionStub ev;
  const EvolutionResult r = run_int8(ev);
  EXPECT_EQ(compute_precision(), Compute::F32);
  ASSERT_EQ(r.rejudged.size(), 4u);
  EXPECT_EQ(ev.f32_calls, 4);                         // the finalists only, each once
  const auto& last = r.iterations.back().population;  // best first by the int8 fitness
  for (size_t k = 0; k < 4; ++k) {
    EXPECT_EQ(r.rejudged[k].id, last[k]);
    EXPECT_DOUBLE_EQ(r.rejudged[k].ppl_f32, ev.f32_ppl(r.rejudged[k]));
    EXPECT_NE(r.rejudged[k].ppl_f32, r.rejudged[k].ppl);
  }
  const Individual* best = &r.rejudged[0];
  for (const auto& f : r.rejudged)
    if (f.ppl_f32 < best->ppl_f32) best = &f;
  EXPECT_EQ(r.best.id, best->id);
  EXPECT_NE(r.best.id, last[0]);         // this seed: the int8 winner is not the F32 one
  for (const auto& i : r.individuals) {  // the run's records carry the F32 figures too
    if (i.id == r.best.id) {
      EXPECT_EQ(i.ppl_f32, r.best.ppl_f32);
    }
  }
}

TEST(Rejudge, PrecisionRestoredWhenTheF32ScoreThrows) {
  PrecisionStub ev;
  ev.throw_in_f32 = true;
  std::vector<Individual> finalists(1);
  finalists[0].lambda = {1, 2, 4, 8};
  set_compute_precision(Compute::Int8);
  EXPECT_THROW(rejudge_in_f32(finalists, {1, &ev, {}}, [](const Individual&, bool) {}),
               std::runtime_error);
  EXPECT_EQ(compute_precision(), Compute::Int8);
  set_compute_precision(Compute::F32);
}

TEST(Rejudge, OffInF32AndArchivedJudgementsReusedOnResume) {
  {  // computing in F32 already: nothing to re-judge
    PrecisionStub ev;
    SearchSpace sp(Algorithm::DimMono, 4, 8.0, 0.01, {0}, false);
    Evolution e(sp, test::small_hp(), 1, ev, [](const Fitness& f) { return f.ppl; });
    e.set_rejudge({4, &ev, {}});
    EXPECT_TRUE(e.run(test::seeds(4, 8.0)).rejudged.empty());
    EXPECT_EQ(ev.f32_calls, 52);  // the 12 + 5 × (4 + 4) scores of the run, no more
  }
  const std::string dir = test::tmp_dir() + "/rejudge-resume";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  PrecisionStub first;
  const EvolutionResult r = run_int8(first, dir);
  const ArchiveData a = read_archive(dir + "/archive.h5");
  EXPECT_EQ(a.final_best, r.best.id);
  long judged = 0;
  for (const auto& i : a.individuals) judged += i.ppl_f32 > 0 ? 1 : 0;
  EXPECT_EQ(judged, 4);
  const auto j = nlohmann::json::parse(read_text_file(dir + "/result_final.json"));
  EXPECT_EQ(j.at("id").get<int64_t>(), r.best.id);
  EXPECT_EQ(j.at("ppl").get<double>(), r.best.ppl);
  EXPECT_EQ(j.at("ppl_f32").get<double>(), r.best.ppl_f32);
  EXPECT_EQ(j.at("rejudged_f32").size(), 4u);
  EXPECT_EQ(j.at("result"), "best_f32_of_rejudged");
  // Resumed after it finished: every score and every re-judgement comes from the archive.
  PrecisionStub again;
  const EvolutionResult r2 = run_int8(again, dir, a.individuals);
  EXPECT_EQ(again.f32_calls, 0);
  EXPECT_EQ(r2.best.id, r.best.id);
  EXPECT_EQ(r2.best.ppl_f32, r.best.ppl_f32);
  long kept = 0;
  for (const auto& i : read_archive(dir + "/archive.h5").individuals) kept += i.ppl_f32 > 0;
  EXPECT_EQ(kept, 4);
}

// A pagmo optimizer's result is its best of the whole run: it is always one of the finalists.
TEST(Rejudge, PagmoRunsJudgeTheirBestOfTheRunToo) {
  if (!optimizer_available(Optimizer::PsoGen)) GTEST_SKIP() << "this build has no pagmo2";
  PrecisionStub ev;
  const ScopedCompute int8(Compute::Int8);
  PagmoOptions po;
  po.optimizer = Optimizer::PsoGen;
  po.settings = default_optimizer_settings(Optimizer::PsoGen);
  po.settings["generations"] = 4;
  po.settings["population_size"] = 8;
  const SearchSpace sp(Algorithm::DimMono, 4, 8.0, 0.01, {0}, false);
  auto algo = make_pagmo_search(sp, po, ev, [](const Fitness& f) { return f.ppl; });
  algo->set_rejudge({3, &ev, {}});
  const EvolutionResult r = algo->run(test::seeds(4, 8.0));
  ASSERT_EQ(r.rejudged.size(), 3u);
  const Individual* run_best = &r.individuals.front();  // by the int8 fitness
  for (const auto& i : r.individuals)
    if (i.ppl < run_best->ppl) run_best = &i;
  EXPECT_EQ(r.rejudged.front().id, run_best->id);
  const Individual* best = &r.rejudged[0];
  for (const auto& f : r.rejudged)
    if (f.ppl_f32 < best->ppl_f32) best = &f;
  EXPECT_EQ(r.best.id, best->id);
  EXPECT_EQ(ev.f32_calls, 3);
}

// Killed after two of the four re-judgements: the archive keeps both, a resume scores the rest.
TEST(Rejudge, KilledDuringTheRejudgingKeepsFinishedOnes) {
  const std::string dir = test::tmp_dir() + "/rejudge-kill";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  PrecisionStub killed;
  killed.kill_after_f32 = 2;
  EXPECT_THROW(run_int8(killed, dir), std::runtime_error);
  EXPECT_EQ(compute_precision(), Compute::F32);
  const ArchiveData a = read_archive(dir + "/archive.h5");
  EXPECT_EQ(a.final_best, -1);
  long judged = 0;
  for (const auto& i : a.individuals) judged += i.ppl_f32 > 0;
  EXPECT_EQ(judged, 2);
  PrecisionStub rest, whole;
  const EvolutionResult r = run_int8(rest, dir, a.individuals);
  EXPECT_EQ(rest.f32_calls, 2);
  EXPECT_EQ(r.best.id, run_int8(whole).best.id);
}

TEST(RankPrecision, AverageRanksAndSpearmanByHand) {
  EXPECT_EQ(average_ranks({10, 20, 20, 5}), (std::vector<double>{2, 3.5, 3.5, 1}));
  // No ties: 1 - 6·Σd²/(n(n²-1)) with d = (0, -1, 1, 0): 1 - 12/60.
  EXPECT_NEAR(spearman({1, 2, 3, 4}, {10, 30, 20, 40}), 0.8, 1e-15);
  // Ties: ranks of b = (1, 2, 3.5, 5, 3.5); Pearson of the ranks = 8 / sqrt(10 · 9.5).
  EXPECT_NEAR(spearman({1, 2, 3, 4, 5}, {5, 6, 7, 8, 7}), 8 / std::sqrt(95.0), 1e-15);
  EXPECT_NEAR(spearman({1, 2, 3}, {3, 2, 1}), -1.0, 1e-15);
  EXPECT_TRUE(std::isnan(spearman({1, 2, 3}, {4, 4, 4})));
  EXPECT_TRUE(std::isnan(spearman({1}, {2})));
}

TEST(RankPrecision, SummaryByHand) {
  const std::vector<RankRow> rows = {
      {7, 4.0, 4.1}, {8, 3.0, 3.2}, {9, 3.5, 3.1}, {10, NAN, 3.0}};  // the NaN row left out
  const RankSummary s = rank_summary(rows);
  EXPECT_EQ(s.n, 3);
  EXPECT_NEAR(s.spearman, 0.5, 1e-15);  // ranks (3, 1, 2) vs (3, 2, 1): 1 - 6·2/24
  EXPECT_EQ(s.best_f32, 8);
  EXPECT_EQ(s.best_other, 9);
  EXPECT_FALSE(s.same_best());
  EXPECT_EQ(s.max_rel_id, 9);
  EXPECT_NEAR(s.max_rel_change, -0.4 / 3.5, 1e-15);
  const auto j = summary_json(s, Compute::Int8);
  EXPECT_EQ(j["compute"], "int8");
  EXPECT_EQ(j["same_best"], false);
  EXPECT_EQ(rank_csv({{3, 2.0, 2.5}}), "id,ppl_f32,ppl_other,rel_change\n3,2,2.5,0.25\n");
}

TEST(RankPrecision, CandidatesSpreadOverTheRunScoredInFull) {
  std::vector<Individual> all;
  for (int64_t id = 0; id < 14; ++id) {
    Individual i;
    i.id = 13 - id;  // out of order
    i.ppl = 5.0;
    i.rejected = i.id % 5 == 4;  // ids 4, 9: raced out
    all.push_back(i);
  }
  // Scored in full: 0 1 2 3 5 6 7 8 10 11 12 13; four of the twelve: k·12/4 = 0, 3, 6, 9.
  std::vector<int64_t> ids;
  for (const auto& i : rank_candidates(all, 4)) ids.push_back(i.id);
  EXPECT_EQ(ids, (std::vector<int64_t>{0, 3, 7, 11}));
  EXPECT_EQ(rank_candidates(all, 50).size(), 12u);
  EXPECT_THROW(rank_candidates(all, 0), Error);
}

}  // namespace
}  // namespace lr

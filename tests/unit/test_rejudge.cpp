// F32 re-judging of a search's finalists.
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "core/util/mapped_file.h"
#include "search/evolution.h"
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

}  // namespace
}  // namespace lr

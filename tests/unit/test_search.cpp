// Search side with a stub fitness: operators keep constraints, determinism, crash + resume.
#include <cmath>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/util/error.h"
#include "datasets/h5util.h"
#include "search/evolution.h"
#include "search/init.h"
#include "search/replay_evaluator.h"
#include "search/run_recorder.h"
#include "tests/unit/search_stub.h"
#include "tests/unit/test_util.h"

namespace lr {
namespace {
using test::seeds;
using test::StubEvaluator;

EvolutionResult run(int half, uint64_t seed, Evaluator& ev, const std::string& dir = "",
                    const std::vector<Individual>& cache = {}) {
  SearchSpace sp(Algorithm::DimMono, half, 8.0, 0.01, {0, 1, 2, 4, 8}, true);
  ReplayEvaluator replay(ev, sp, cache, ReplayStage::Full);
  Evolution e(sp, test::small_hp(), seed, replay, [](const Fitness& f) { return f.ppl; });
  RunRecorder recorder(test::recorder_options(dir, half, cache));
  e.add_observer(recorder);
  return e.run(seeds(half, 8.0));
}

TEST(Operators, NeverViolateNorRepeat) {
  for (Algorithm a : {Algorithm::DimMono, Algorithm::DimPieceMono}) {
    for (int half : {1, 4, 32}) {
      SearchSpace sp(a, half, 8.0, 0.01, {0, 1, 2, 4, 8}, true);
      Rng rng(7);
      SeenSet seen;
      std::vector<Individual> pool;
      for (const auto& s : seeds(half, 8.0)) {
        Individual i;
        i.lambda = sp.project(s.lambda);
        ASSERT_EQ(sp.violation(i), "") << "seed projection";
        if (seen.insert(sp.key(i)).second) pool.push_back(i);
      }
      for (int t = 0; t < 1500; ++t) {
        const auto& p = pool[rng() % pool.size()];
        const auto& q = pool[rng() % pool.size()];
        auto c = (t % 2) ? crossover(p, q, sp, seen, rng, 20) : mutate(p, sp, seen, rng);
        if (!c) continue;
        ASSERT_EQ(sp.violation(*c), "") << algorithm_name(a) << " half=" << half;
        ASSERT_TRUE(seen.insert(sp.key(*c)).second) << "repeated genome";
        pool.push_back(*c);
      }
      EXPECT_GT(pool.size(), 50u) << algorithm_name(a) << " half=" << half;
    }
  }
}

TEST(Space, PieceMonoFixesOuterDims) {
  SearchSpace sp(Algorithm::DimPieceMono, 32, 8.0, 0.01, {0}, false);
  const auto l = sp.project(std::vector<double>(32, 3.0));
  EXPECT_EQ(l[0], 1.0);
  EXPECT_EQ(l[sp.alpha], 1.0);
  EXPECT_EQ(l[31], 8.0);
  EXPECT_EQ(l[sp.alpha + 1], 3.0);
}

TEST(Evolution, SameSeedSameRunAndImproves) {
  StubEvaluator a(4), b(4), c(4);
  const auto r1 = run(4, 42, a), r2 = run(4, 42, b), r3 = run(4, 43, c);
  ASSERT_EQ(r1.individuals.size(), r2.individuals.size());
  for (size_t i = 0; i < r1.individuals.size(); ++i) {
    EXPECT_EQ(r1.individuals[i].lambda, r2.individuals[i].lambda);
    EXPECT_EQ(r1.individuals[i].ppl, r2.individuals[i].ppl);
  }
  EXPECT_EQ(r1.best.lambda, r2.best.lambda);
  bool differs = r1.individuals.size() != r3.individuals.size();
  for (size_t i = 0; !differs && i < r1.individuals.size(); ++i)
    differs = r1.individuals[i].lambda != r3.individuals[i].lambda;
  EXPECT_TRUE(differs) << "another seed should explore differently";
  double best_seed = 1e300;
  for (const auto& ind : r1.individuals)
    if (ind.origin == Origin::Init && ind.parent1 < 0) best_seed = std::min(best_seed, ind.ppl);
  EXPECT_LT(r1.best.ppl, best_seed);
  EXPECT_EQ(r1.iterations.size(), 6u);
}

TEST(Evolution, CrashThenResumeEndsIdentically) {
  const std::string dir = test::tmp_dir() + "/evo-resume";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  StubEvaluator full(4);
  const auto ref = run(4, 5, full);
  for (long crash_at : {0L, 3L, 13L, 29L}) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    StubEvaluator crashing(4, crash_at);
    EXPECT_THROW(run(4, 5, crashing, dir), std::runtime_error);
    std::vector<Individual> cache;
    if (std::filesystem::exists(dir + "/archive.h5"))
      cache = read_archive(dir + "/archive.h5").individuals;
    EXPECT_EQ(static_cast<long>(cache.size()), crash_at);  // every finished evaluation kept
    StubEvaluator rest(4);
    const auto r = run(4, 5, rest, dir, cache);
    EXPECT_EQ(r.best.lambda, ref.best.lambda) << "crash at " << crash_at;
    EXPECT_EQ(r.best.ppl, ref.best.ppl);
    EXPECT_EQ(r.reused, crash_at);
    EXPECT_EQ(rest.calls_ + crash_at, full.calls_);  // nothing evaluated twice
    const auto a = read_archive(dir + "/archive.h5");
    EXPECT_EQ(a.final_best, r.best.id);
    EXPECT_EQ(a.individuals.size(), ref.individuals.size());
  }
}

// A resumed run replays from the seed; killed again during the replay, its archive must still
// hold every evaluation of the first run (it rewrites the archive while replaying).
TEST(Evolution, KillDuringResumeReplayKeepsEveryEvaluation) {
  const std::string dir = test::tmp_dir() + "/evo-replay";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  StubEvaluator first(4, 29);
  EXPECT_THROW(run(4, 5, first, dir), std::runtime_error);
  auto cache = read_archive(dir + "/archive.h5").individuals;
  ASSERT_EQ(cache.size(), 29u);
  cache.erase(cache.begin() + 14);  // a gap: the replay stops there, 14 archived ones later
  StubEvaluator second(4, 0);       // fails at the first evaluation not in the cache
  EXPECT_THROW(run(4, 5, second, dir, cache), std::runtime_error);
  EXPECT_EQ(second.calls_, 0);
  EXPECT_EQ(read_archive(dir + "/archive.h5").individuals.size(), 28u);
}

TEST(HyperParams, Validation) {
  HyperParams hp;
  EXPECT_NO_THROW(hp.validate());
  hp.parents_size = 100;
  EXPECT_THROW(hp.validate(), Error);
  hp = HyperParams{};
  hp.list_step = 0;
  EXPECT_THROW(hp.validate(), Error);
  // Scaled sizes saturate instead of overflowing int (fuzzing: 2 × 1 687 888 777), and are
  // bounded; an infinite evo_scale is refused.
  hp = HyperParams{};
  hp.evo_scale = 2.0;
  hp.crossover_size = 1687888777;
  EXPECT_EQ(hp.crossovers(), 2147483647);
  EXPECT_THROW(hp.validate(), Error);
  hp.crossover_size = 500'000;
  EXPECT_EQ(hp.crossovers(), 1'000'000);
  EXPECT_NO_THROW(hp.validate());
  hp.evo_scale = std::numeric_limits<double>::infinity();
  EXPECT_THROW(hp.validate(), Error);
  EXPECT_THROW(apply_hyperparams(hp, {{"population_size", 4e97}}, "t"), Error);  // json_int
  EXPECT_THROW(apply_hyperparams(hp, {{"populaton_size", 3}}, "t"), Error);
  EXPECT_THROW(apply_override(hp, "list_step"), Error);
  apply_override(hp, "population_size=10");
  EXPECT_EQ(hp.population_size, 10);
  EXPECT_THROW(apply_override(hp, "list_step=abc"), Error);
  const auto q = load_hyperparams(test::repo_root() + "/hyperparams/dim_mono.json");
  EXPECT_EQ(q.population_size, 64);
  EXPECT_EQ(q.max_time_budget, 40);
  EXPECT_EQ(q.parents_size, 32);
  EXPECT_DOUBLE_EQ(q.list_step, 0.01);
}

TEST(Init, SeedsAndRescale) {
  const auto s = seeds(4, 8.0);
  ASSERT_EQ(s.size(), 3u);
  EXPECT_EQ(s[0].label, "pi");
  EXPECT_EQ(s[0].lambda, std::vector<double>(4, 8.0));
  const auto r = rescale_factors({1.0, 2.0, 9.0}, 9.0, 5.0);  // 1 + (λ-1)(5-1)/(9-1)
  EXPECT_DOUBLE_EQ(r[0], 1.0);
  EXPECT_DOUBLE_EQ(r[1], 1.5);
  EXPECT_DOUBLE_EQ(r[2], 5.0);
}

}  // namespace
}  // namespace lr

namespace lr {
namespace {

TEST(Archive, ResumeRefusesOtherNumerics) {
  nlohmann::json cfg = {{"numerics", "kernels-v1 x86_64, eigen SSE, SSE2"}, {"kernels", "avx2"}};
  EXPECT_TRUE(check_archive_numerics(cfg, "kernels-v1 x86_64, eigen SSE, SSE2", "avx512", "a.h5"));
  try {
    check_archive_numerics(cfg, "kernels-v1 aarch64, eigen ARM NEON", "neon", "a.h5");
    ADD_FAILURE() << "mixed numerics accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Unsupported);
    EXPECT_NE(std::string(e.what()).find("a.h5: this run was scored with different numerics"),
              std::string::npos);
  }
  EXPECT_FALSE(check_archive_numerics(nlohmann::json::object(), "x", "avx2", "old.h5"));
}

}  // namespace
}  // namespace lr

namespace lr {
namespace {
using test::seeds;
using test::StubEvaluator;

// Counts what the loop tells its observers.
struct CountingObserver : SearchObserver {
  long seeds = 0, scored = 0, fresh = 0, iterations = 0, ends = 0;
  void on_seed(const std::string&, int64_t) override { ++seeds; }
  void on_scored(const Individual&, bool f) override {
    ++scored;
    fresh += f ? 1 : 0;
  }
  void on_iteration(const IterationRecord& r, const std::vector<Individual>& ranked,
                    const EvolutionResult&) override {
    ++iterations;
    EXPECT_EQ(r.best_id, ranked.front().id);
  }
  void on_end(const EvolutionResult&) override { ++ends; }
};

TEST(Evolution, ObserversSeeEveryScoreAndChangeNothing) {
  SearchSpace sp(Algorithm::DimMono, 4, 8.0, 0.01, {0, 1, 2, 4, 8}, true);
  StubEvaluator a(4), b(4);
  Evolution observed(sp, test::small_hp(), 42, a, [](const Fitness& f) { return f.ppl; });
  CountingObserver o;
  observed.add_observer(o);
  const auto r = observed.run(seeds(4, 8.0));
  EXPECT_GE(o.seeds, 1);
  EXPECT_EQ(o.scored, static_cast<long>(r.individuals.size()));
  EXPECT_EQ(o.fresh, r.evaluated);
  EXPECT_EQ(o.iterations, test::small_hp().iterations() + 1);
  EXPECT_EQ(o.ends, 1);
  Evolution bare(sp, test::small_hp(), 42, b, [](const Fitness& f) { return f.ppl; });
  const auto r2 = bare.run(seeds(4, 8.0));
  ASSERT_EQ(r2.individuals.size(), r.individuals.size());
  for (size_t i = 0; i < r.individuals.size(); ++i)
    EXPECT_EQ(r2.individuals[i].lambda, r.individuals[i].lambda);
  EXPECT_EQ(r2.best.id, r.best.id);
}

TEST(Evolution, ReplayEvaluatorReturnsArchivedResultsDelegatesTheRest) {
  SearchSpace sp(Algorithm::DimMono, 4, 8.0, 0.01, {0}, false);
  Individual a;
  a.id = 0;
  a.lambda = sp.project({1.0, 2.0, 3.0, 4.0});
  a.ppl = 12.5;
  a.item_nll = {1.0, 2.0};
  a.tokens = 99;
  a.wall_time = 3.0;
  Individual other = a, moved = a;
  other.lambda = sp.project({1.0, 1.5, 2.0, 2.5});
  other.id = 1;
  moved.id = 7;  // the same genome under another id: not the archived evaluation
  StubEvaluator stub(4);
  ReplayEvaluator full(stub, sp, {a}, ReplayStage::Full);
  std::vector<Fitness> got(3);
  full.evaluate({other, a, moved}, Race{}, [&](size_t k, const Fitness& f) { got[k] = f; });
  EXPECT_TRUE(got[1].reused);
  EXPECT_EQ(got[1].ppl, 12.5);
  EXPECT_EQ(got[1].item_nll, a.item_nll);
  EXPECT_EQ(got[1].tokens, 99);
  EXPECT_EQ(got[1].wall_time, 3.0);
  EXPECT_FALSE(got[0].reused);
  EXPECT_FALSE(got[2].reused);
  EXPECT_EQ(stub.calls_, 2);
  // Screened and kept, its full score not finished: the screen replays, the full score runs.
  Individual pending = a;
  pending.screen_ppl = 20;
  pending.ppl = std::nan("");
  pending.item_nll.clear();
  ReplayEvaluator screen(stub, sp, {pending}, ReplayStage::Screen);
  ReplayEvaluator full_p(stub, sp, {pending}, ReplayStage::Full);
  Fitness s, f;
  screen.evaluate({a}, Race{}, [&](size_t, const Fitness& x) { s = x; });
  full_p.evaluate({a}, Race{}, [&](size_t, const Fitness& x) { f = x; });
  EXPECT_TRUE(s.reused);
  EXPECT_EQ(s.ppl, 20);
  EXPECT_FALSE(f.reused);
  EXPECT_EQ(stub.calls_, 3);
}

TEST(Archive, FormatVersionRefusedByNameAbsentIsVersionOne) {
  const std::string dir = test::tmp_dir() + "/evo-version";
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  StubEvaluator ev(4);
  run(4, 5, ev, dir);
  const std::string path = dir + "/archive.h5";
  auto set_version = [&](long long v) {
    h5::Handle f{H5Fopen(path.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), H5Fclose};
    ASSERT_GE(f.id, 0);
    H5Adelete(f.id, "format_version");
    if (v > 0) h5::write_attr_int(f.id, "format_version", v);
  };
  set_version(0);  // archives from before the attribute: version 1
  EXPECT_NO_THROW(read_archive(path));
  set_version(2);
  try {
    read_archive(path);
    ADD_FAILURE() << "format version 2 accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::Unsupported);
    EXPECT_NE(std::string(e.what()).find("archive format version 2 unsupported"), std::string::npos)
        << e.what();
  }
}

}  // namespace
}  // namespace lr

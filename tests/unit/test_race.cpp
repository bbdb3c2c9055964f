// Racing: the bound by hand, the race of a generation, and racing inside the evolution
// (fewer items, same best, independent of evaluation order, exact resume, archive records).
#include <cmath>
#include <filesystem>

#include "search/archive.h"
#include "search/evolution.h"
#include "search/init.h"
#include "search/race.h"
#include "search/replay_evaluator.h"
#include "search/run_recorder.h"
#include "tests/unit/search_stub.h"
#include "tests/unit/test_util.h"

namespace lr {
namespace {

TEST(RaceBound, HandComputed) {
  Race r;
  r.ref = {1, 1, 1, 1};
  r.sigma = 0.1;
  r.z = 2;
  // j = 1: bound = 0.5 - 2 * 0.1 * 3/4 * sqrt(1 + 1/3) = 0.3268 > 0.
  EXPECT_TRUE(r.reject({1.5}));
  // 0.1 - 0.1732 < 0: could still win.
  EXPECT_FALSE(r.reject({1.1}));
  // j = 2, own spread sd({0.3, 0.1}) = 0.1414 > σ: 0.2 - 2 * 0.1414 * 2/4 * sqrt(1) = 0.0586.
  EXPECT_TRUE(r.reject({1.3, 1.1}));
  r.z = 3;  // 0.2 - 0.2121 < 0
  EXPECT_FALSE(r.reject({1.3, 1.1}));
  EXPECT_FALSE(r.reject({9, 9, 9, 9}));  // complete: selection decides, not the race
  EXPECT_TRUE(r.reject({std::nan("")}));
  EXPECT_TRUE(r.reject({INFINITY}));
  r.sigma = 0;
  EXPECT_FALSE(r.reject({1.5}));  // one item and no spread known: keep going
  EXPECT_FALSE(Race{}.reject({100}));
}

TEST(RaceBound, GenerationRace) {
  Individual a, b, c;
  a.item_nll = {1, 2};
  b.item_nll = {2, 2};
  c.item_nll = {3, 3};
  EXPECT_FALSE(make_race({a, b}, 3, 2).active());  // fewer parents than K: anyone enters
  const Race r = make_race({a, b, c}, 2, 2);
  ASSERT_TRUE(r.active());
  EXPECT_EQ(r.ref, b.item_nll);                 // the K-th best
  EXPECT_NEAR(r.sigma, std::sqrt(0.5), 1e-12);  // sd of a - b = {-1, 0}
  b.item_nll = {2, INFINITY};
  EXPECT_FALSE(make_race({a, b}, 2, 2).active());  // a diverged reference: no race
}

// Per-item NLL: a document difficulty, the candidate's distance to a hidden target weighted
// per item, and item-specific noise, so paired differences vary from item to item.
class ItemStub : public Evaluator {
 public:
  // `tokens_per_item` and `distortion` (a second, candidate-dependent error) make it the
  // length screen's stand-in: cheaper items, a noisier view of the same fitness.
  explicit ItemStub(int half, bool reverse = false, long fail_after = -1,
                    long tokens_per_item = 100, double distortion = 0.0)
      : reverse_(reverse),
        fail_after_(fail_after),
        tokens_per_item_(tokens_per_item),
        distortion_(distortion) {
    for (int i = 0; i < half; ++i)
      target_.push_back(1.0 + 6.0 * std::pow(i / std::max(1.0, half - 1.0), 2));
  }
  static constexpr int kItems = 8;
  // Per-item sensitivity, without a trend over the items (racing assumes no order effect).
  static constexpr double kWeight[kItems] = {1.0, 0.7, 1.2, 0.9, 1.3, 0.8, 1.1, 0.9};
  double nll(const Individual& ind, size_t d) const {
    double dist = 0, h = 0;
    for (size_t k = 0; k < target_.size(); ++k) {
      dist += std::pow(ind.lambda[k] - target_[k], 2);
      h += ind.lambda[k] * (k + 1.7) * (d + 3.1);
    }
    const double noise = 0.05 * std::sin(h * 12.9898) + distortion_ * std::sin(h * 7.77 + 1.3);
    return 2.0 + 0.4 * static_cast<double>(d % 4) + 0.05 * dist * kWeight[d] + noise;
  }
  void evaluate(const std::vector<Individual>& batch, const Race& race,
                const OnResult& done) override {
    for (size_t n = 0; n < batch.size(); ++n) {
      const size_t i = reverse_ ? batch.size() - 1 - n : n;
      if (fail_after_ >= 0 && calls_ >= fail_after_) throw std::runtime_error("simulated crash");
      ++calls_;
      const ItemScores s = score_items(
          kItems,
          [&](size_t d, long& tokens) {
            tokens += tokens_per_item_;
            return nll(batch[i], d);
          },
          race);
      items_ += static_cast<long>(s.nll.size());
      Fitness f;
      f.item_nll = s.nll;
      f.rejected = s.rejected;
      f.tokens = s.tokens;
      f.ppl = ppl_of(s.nll);
      done(i, f);
    }
  }
  double evaluate_scaling(const RopeScaling&) override { return 0; }
  long calls_ = 0, items_ = 0;

 private:
  bool reverse_;
  long fail_after_;
  long tokens_per_item_;
  double distortion_;
  std::vector<double> target_;
};

EvolutionResult run(Evaluator& ev, bool racing, const std::string& dir = "",
                    const std::vector<Individual>& cache = {}, Evaluator* screen = nullptr) {
  HyperParams hp;
  hp.population_size = 16;
  hp.max_time_budget = 8;
  hp.mutation_numbers = 6;
  hp.crossover_size = 6;
  hp.parents_size = 8;
  SearchSpace sp(Algorithm::DimMono, 6, 8.0, 0.01, {0}, false);
  ReplayEvaluator replay(ev, sp, cache, ReplayStage::Full);
  std::unique_ptr<ReplayEvaluator> screen_replay;
  if (screen)
    screen_replay = std::make_unique<ReplayEvaluator>(*screen, sp, cache, ReplayStage::Screen);
  Evolution e(sp, hp, 11, replay, [](const Fitness& f) { return f.ppl; },
              {racing, 2.0, screen_replay.get(), 0.5, Budget{}});
  RecorderOptions ro = test::recorder_options(dir, sp.half, cache);
  ro.screen = screen != nullptr;
  RunRecorder recorder(ro);
  e.add_observer(recorder);
  ModelConfig c;
  c.head_dim = 12;
  c.rope_theta = 10000;
  SeedOptions o;
  o.scale = 8.0;
  o.original_length = 512;
  return e.run(make_seeds(c, o));
}

TEST(Racing, FewerItemsSameQuality) {
  ItemStub plain(6), raced(6);
  const auto p = run(plain, false), r = run(raced, true);
  EXPECT_EQ(p.rejected, 0);
  EXPECT_GT(r.rejected, 0);
  EXPECT_LT(raced.items_, 0.8 * plain.items_) << "racing should skip items";
  EXPECT_EQ(r.tokens, raced.items_ * 100);  // tokens accounted per item scored
  // The same search quality: best within 1 % (the stub is smooth; a false rejection may
  // change the path, not the outcome).
  EXPECT_LT(r.best.ppl, 1.01 * p.best.ppl);
  EXPECT_FALSE(r.best.rejected);
  // No raced-out candidate is ever a parent: the first K of each record are complete.
  std::map<int64_t, bool> rej;
  for (const auto& ind : r.individuals) rej[ind.id] = ind.rejected;
  for (const auto& it : r.iterations)
    for (size_t k = 0; k < std::min<size_t>(8, it.population.size()); ++k)
      EXPECT_FALSE(rej[it.population[k]]) << "iteration " << it.iteration;
  // A rejected candidate's full score would not have entered (checked in hindsight). The bound
  // is statistical and looked at after every item: allow 5 % of the rejections (here 2 of
  // 53 with z = 2; z = 0 misses 11 of 70).
  int wrong = 0;
  for (const auto& it : r.iterations) {
    if (it.iteration == 0) continue;
    const auto& prev = r.iterations[it.iteration - 1].population;
    double kth = 0;  // the K-th best parent of this generation
    for (const auto& ind : r.individuals)
      if (ind.id == prev[std::min<size_t>(7, prev.size() - 1)]) kth = ind.ppl;
    for (const auto& ind : r.individuals) {
      if (!ind.rejected || ind.iteration != it.iteration) continue;
      std::vector<double> full;
      for (size_t d = 0; d < ItemStub::kItems; ++d) full.push_back(raced.nll(ind, d));
      wrong += ppl_of(full) < kth ? 1 : 0;
    }
  }
  EXPECT_LE(wrong * 20, r.rejected) << wrong << " of " << r.rejected << " rejected";
}

TEST(Racing, IndependentOfEvaluationOrder) {
  ItemStub fwd(6), rev(6, true);
  const auto a = run(fwd, true), b = run(rev, true);
  ASSERT_EQ(a.individuals.size(), b.individuals.size());
  for (size_t i = 0; i < a.individuals.size(); ++i) {
    EXPECT_EQ(a.individuals[i].lambda, b.individuals[i].lambda);
    EXPECT_EQ(a.individuals[i].item_nll, b.individuals[i].item_nll);
    EXPECT_EQ(a.individuals[i].rejected, b.individuals[i].rejected);
  }
  EXPECT_EQ(a.best.id, b.best.id);
}

TEST(Racing, CrashThenResumeEndsIdentically) {
  const std::string dir = test::tmp_dir() + "/race-resume";
  ItemStub full(6);
  const auto ref = run(full, true);
  for (long crash_at : {5L, 40L, 71L}) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    ItemStub crashing(6, false, crash_at);
    EXPECT_THROW(run(crashing, true, dir), std::runtime_error);
    const auto saved = read_archive(dir + "/archive.h5").individuals;
    ASSERT_EQ(static_cast<long>(saved.size()), crash_at);
    ItemStub rest(6);
    const auto r = run(rest, true, dir, saved);
    EXPECT_EQ(rest.calls_ + crash_at, full.calls_) << "nothing scored twice";
    EXPECT_EQ(r.best.id, ref.best.id);
    EXPECT_EQ(r.tokens, ref.tokens);
    EXPECT_EQ(r.rejected, ref.rejected);
    const auto a = read_archive(dir + "/archive.h5");  // the records survive the archive
    ASSERT_EQ(a.individuals.size(), ref.individuals.size());
    for (size_t i = 0; i < a.individuals.size(); ++i) {
      EXPECT_EQ(a.individuals[i].item_nll, ref.individuals[i].item_nll);
      EXPECT_EQ(a.individuals[i].rejected, ref.individuals[i].rejected);
      EXPECT_EQ(a.individuals[i].tokens, ref.individuals[i].tokens);
    }
  }
}

// Length screen: every child of iterations >= 1 is screened (8 items x 25 tokens), the better
// half (ceil(12 / 2) = 6 of 12, ties by id) is scored in full, the rest never becomes a parent.
TEST(Screen, HalvesTheFullScoresKeepsQuality) {
  ItemStub plain(6), full(6), screen(6, false, -1, 25, 0.02);
  const auto p = run(plain, false), r = run(full, false, "", {}, &screen);
  EXPECT_EQ(screen.calls_, 8 * 12);  // every child of the 8 iterations
  EXPECT_EQ(full.calls_, 16 + 8 * 6);
  EXPECT_EQ(r.screened_out, 8 * 6);
  EXPECT_EQ(r.rejected, r.screened_out);
  EXPECT_EQ(r.tokens, full.items_ * 100 + screen.items_ * 25);
  EXPECT_EQ(p.tokens, 112 * 800);            // 16 + 8 x 12 full scores
  EXPECT_EQ(r.tokens, 64 * 800 + 96 * 200);  // 16 + 8 x 6 full scores + 96 screens: 79 %
  EXPECT_LT(r.best.ppl, 1.01 * p.best.ppl) << "the screen keeps the search's quality";
  std::map<int64_t, const Individual*> by_id;
  for (const auto& ind : r.individuals) by_id[ind.id] = &ind;
  for (const auto& ind : r.individuals) {
    if (ind.iteration == 0) {
      EXPECT_EQ(ind.screen_ppl, 0.0);
      continue;
    }
    EXPECT_GT(ind.screen_ppl, 1.0);
    if (ind.rejected) {  // screened out: no full score, the screen's tokens only
      EXPECT_TRUE(ind.item_nll.empty());
      EXPECT_TRUE(std::isnan(ind.ppl));
      EXPECT_EQ(ind.tokens, 8 * 25);
    } else {
      EXPECT_EQ(ind.item_nll.size(), 8u);
      EXPECT_EQ(ind.tokens, 8 * 25 + 8 * 100);
    }
  }
  // Per generation the kept are exactly the better half by screen PPL.
  for (int it = 1; it <= 8; ++it) {
    double worst_kept = 0, best_out = 1e300;
    for (const auto& ind : r.individuals) {
      if (ind.iteration != it) continue;
      (ind.rejected ? best_out : worst_kept) =
          ind.rejected ? std::min(best_out, ind.screen_ppl) : std::max(worst_kept, ind.screen_ppl);
    }
    EXPECT_LE(worst_kept, best_out) << "iteration " << it;
  }
  for (const auto& it : r.iterations)
    for (size_t k = 0; k < std::min<size_t>(8, it.population.size()); ++k)
      EXPECT_FALSE(by_id[it.population[k]]->rejected) << "iteration " << it.iteration;
}

// Killed during a screen or a full score, resumed from the archive: the same run, nothing
// scored twice (screens of kept children archived before their full score included).
TEST(Screen, CrashThenResumeEndsIdentically) {
  const std::string dir = test::tmp_dir() + "/screen-resume";
  ItemStub full(6), screen(6, false, -1, 25, 0.02);
  const auto ref = run(full, true, "", {}, &screen);
  struct Crash {
    long full_at, screen_at;
  };
  for (const Crash c : {Crash{-1, 5}, Crash{20, -1}, Crash{-1, 40}, Crash{35, -1}}) {
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    ItemStub f1(6, false, c.full_at), s1(6, false, c.screen_at, 25, 0.02);
    EXPECT_THROW(run(f1, true, dir, {}, &s1), std::runtime_error);
    const auto saved = read_archive(dir + "/archive.h5").individuals;
    long pending = 0;
    for (const auto& ind : saved) pending += ind.screen_pending() ? 1 : 0;
    ItemStub f2(6), s2(6, false, -1, 25, 0.02);
    const auto r = run(f2, true, dir, saved, &s2);
    EXPECT_EQ(f1.calls_ + f2.calls_, full.calls_) << "full scores: nothing twice";
    EXPECT_EQ(s1.calls_ + s2.calls_, screen.calls_) << "screens: nothing twice";
    EXPECT_EQ(r.best.id, ref.best.id);
    EXPECT_EQ(r.tokens, ref.tokens);
    EXPECT_EQ(r.rejected, ref.rejected);
    EXPECT_EQ(r.screened_out, ref.screened_out);
    const auto a = read_archive(dir + "/archive.h5");
    ASSERT_EQ(a.individuals.size(), ref.individuals.size());
    for (size_t i = 0; i < a.individuals.size(); ++i) {
      const auto &x = a.individuals[i], &y = ref.individuals[i];
      EXPECT_EQ(x.screen_ppl, y.screen_ppl);
      EXPECT_EQ(x.item_nll, y.item_nll);
      EXPECT_EQ(x.rejected, y.rejected);
      EXPECT_EQ(x.tokens, y.tokens);
      EXPECT_FALSE(x.screen_pending());
    }
    if (c.full_at == 20) {
      EXPECT_GT(pending, 0) << "a kill during full scores leaves pending screens";
    }
  }
}

}  // namespace
}  // namespace lr

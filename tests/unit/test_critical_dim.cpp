// LongRoPE2 mode: the critical pair (core/rope), the constrained search space, its operators and
// --critical-dim through the option table and setup_search.
#include <cmath>

#include "core/rope/critical_dim.h"
#include "core/rope/rope.h"
#include "core/util/error.h"
#include "search/operators.h"
#include "search/search_options.h"
#include "search/search_setup.h"
#include "tests/unit/test_util.h"

namespace lr {
namespace {

using nlohmann::json;

using test::error_of;

TEST(CriticalDim, Llama3Example) {
  // LLaMA3-8B: b = 5e5, d = 128, L = 8192: (d/2)·log_b(L/2π) = 34.98; pair 35 (dims 70, 71) is the
  // first whose period exceeds L; LongRoPE2's code passes ceil(34.98) - 1 = 34.
  const CriticalDim c = critical_dim(5e5, 128, 8192);
  EXPECT_NEAR(c.x, 34.98, 0.005);
  EXPECT_EQ(c.first_pair, 35);
  EXPECT_EQ(c.longrope2_index, 34);
  auto period = [](int i) { return 2 * M_PI * std::pow(5e5, 2.0 * i / 128); };
  EXPECT_LT(period(34), 8192);
  EXPECT_GT(period(35), 8192);
}

TEST(CriticalDim, Stories260KAndEdges) {
  // stories260K: b = 1e4, d = 8, L = 512: x = 1.91, pairs 2-3 never rotated in training.
  const CriticalDim c = critical_dim(1e4, 8, 512);
  EXPECT_NEAR(c.x, 1.911, 0.001);
  EXPECT_EQ(c.first_pair, 2);
  EXPECT_EQ(c.longrope2_index, 1);
  // Just below a whole x (b = 100, d = 2, L = 628 ≈ 200π: x = 0.99989): pair 1 is the first.
  const CriticalDim near = critical_dim(100, 2, 628);
  EXPECT_NEAR(near.x, 1.0, 1e-3);
  EXPECT_EQ(near.first_pair, 1);
  EXPECT_EQ(near.longrope2_index, 0);
  EXPECT_EQ(critical_dim(1e4, 8, 1).first_pair, 0);  // L < 2π: every pair exceeds it
  EXPECT_NE(error_of([] { critical_dim(1.0, 8, 512); }).find("rope base"), std::string::npos);
  EXPECT_NE(error_of([] { critical_dim(1e4, 7, 512); }).find("head_dim"), std::string::npos);
  EXPECT_NE(error_of([] { critical_dim(1e4, 8, 0); }).find("trained length"), std::string::npos);
}

SearchSpace critical_space(int half, int k, double s) {
  SearchSpace sp(Algorithm::DimMono, half, s, 0.01, {0, 1, 2, 4}, true);
  sp.critical = k;
  return sp;
}

// Pairs >= K at >= s (grid), pairs below = λ_K^(i/K) on the grid, monotonic.
void expect_constrained(const SearchSpace& sp, const std::vector<double>& l, double s) {
  const int k = sp.critical;
  for (int i = k; i < sp.half; ++i) EXPECT_GE(l[i], s - 1e-9) << i;
  for (int i = 0; i < k; ++i) EXPECT_NEAR(l[i], std::pow(l[k], double(i) / k), 0.005 + 1e-9) << i;
  EXPECT_EQ(l[0], 1.0);
  for (int i = 1; i < sp.half; ++i) EXPECT_GE(l[i], l[i - 1]) << i;
}

TEST(CriticalSpace, BoundsProjectionViolation) {
  const SearchSpace sp = critical_space(4, 2, 8.0);
  EXPECT_FALSE(sp.searched(0));
  EXPECT_FALSE(sp.searched(1));
  EXPECT_TRUE(sp.searched(2));
  EXPECT_DOUBLE_EQ(sp.lower(1), 1.0);
  EXPECT_DOUBLE_EQ(sp.lower(2), 8.0);
  EXPECT_DOUBLE_EQ(sp.upper(3), 10.0);
  // The GA's usual winners (pairs 2-3 near 4-5) are lifted to s; below: 8^(1/2) = 2.83.
  const auto l = sp.project({1.05, 2.0, 4.0, 4.2});
  EXPECT_EQ(l, (std::vector<double>{1.0, 2.83, 8.0, 8.0}));
  Genome g{l, 0};
  EXPECT_EQ(sp.violation(g), "");
  g.lambda = {1.0, 2.84, 8.0, 8.0};
  EXPECT_NE(sp.violation(g).find("derived from the critical pair 2"), std::string::npos);
  g.lambda = {1.0, 2.65, 7.0, 8.0};
  EXPECT_NE(sp.violation(g), "");
  // s off the grid: the lower bound is the first grid value >= s.
  const SearchSpace odd = critical_space(4, 1, 4096.0 / 3000.0);
  EXPECT_DOUBLE_EQ(odd.lower(1), 1.37);
  expect_constrained(odd, odd.project({1.0, 1.0, 1.2, 1.3}), 1.37);
  // Off: the space is the plain one.
  SearchSpace plain(Algorithm::DimMono, 4, 8.0, 0.01, {0}, false);
  EXPECT_TRUE(plain.searched(0));
  EXPECT_DOUBLE_EQ(plain.lower(3), 1.0);
  EXPECT_EQ(plain.project({1.05, 2.0, 4.0, 4.2}), (std::vector<double>{1.05, 2.0, 4.0, 4.2}));
}

TEST(CriticalSpace, SnapKeepsMonotonicityForEveryAnchor) {
  for (int half : {4, 64})
    for (int k = 1; k < half; k += (half > 8 ? 7 : 1)) {
      const SearchSpace sp = critical_space(half, k, 8.0);
      for (int g = sp.min_grid(k); g <= sp.max_grid(); g += 7) {
        std::vector<double> l(half, sp.value(g));
        sp.derive(l);
        Genome ge{l, 0};
        ASSERT_EQ(sp.violation(ge), "") << "half " << half << " k " << k << " g " << g;
      }
    }
}

TEST(CriticalSpace, SeedsAndOperatorsStayConstrained) {
  for (int half : {4, 32, 64}) {
    const int k = half == 4 ? 2 : half / 2 + 3;
    const SearchSpace sp = critical_space(half, k, 8.0);
    ModelConfig c;
    c.head_dim = 2 * half;
    c.rope_theta = 10000;
    SeedOptions o;
    o.scale = 8.0;
    o.original_length = 512;
    Rng rng(11);
    SeenSet seen;
    std::vector<Individual> pool;
    for (const auto& s : make_seeds(c, o)) {
      Individual i;
      i.lambda = sp.project(s.lambda);
      ASSERT_EQ(sp.violation(i), "") << s.label;
      expect_constrained(sp, i.lambda, 8.0);
      if (seen.insert(sp.key(i)).second) pool.push_back(i);
    }
    int children = 0;
    for (int t = 0; t < 1500; ++t) {
      const auto& p = pool[rng() % pool.size()];
      const auto& q = pool[rng() % pool.size()];
      auto ch = (t % 2) ? crossover(p, q, sp, seen, rng, 20) : mutate(p, sp, seen, rng);
      if (!ch) continue;
      ASSERT_EQ(sp.violation(*ch), "") << "half " << half;
      expect_constrained(sp, ch->lambda, 8.0);
      ASSERT_TRUE(seen.insert(sp.key(*ch)).second);
      pool.push_back(*ch);
      ++children;
    }
    EXPECT_GT(children, 50) << half;
  }
}

TEST(CriticalOption, RefusalsNameTheOption) {
  GivenOptions g = {{"model", "m"}, {"data", "d.h5"}, {"target-length", 512}};
  auto with = [&](std::initializer_list<std::pair<const std::string, json>> more) {
    GivenOptions x = g;
    for (const auto& [k, v] : more) x[k] = v;
    return error_of([&] { config_from_options(x); });
  };
  EXPECT_EQ(with({{"critical-dim", "auto"}}), "");
  EXPECT_EQ(with({{"critical-dim", "12"}}), "");
  EXPECT_EQ(config_from_options(g)["critical_dim"], "");
  EXPECT_NE(with({{"critical-dim", "x"}}).find("--critical-dim must be 'auto' or"),
            std::string::npos);
  EXPECT_NE(with({{"critical-dim", "-3"}}).find("--critical-dim"), std::string::npos);
  EXPECT_NE(with({{"critical-dim", "auto"}, {"algorithm", "dim_piece_mono"}})
                .find("--critical-dim works with --algorithm dim_mono"),
            std::string::npos);
}

TEST(CriticalOption, SetupResolvesAutoAndChecksRange) {
  REQUIRE_SHARED("models/fixture-llama-5m");
  GivenOptions g = {{"model", test::shared("models/fixture-llama-5m")},
                    {"data", ""},
                    {"fitness", "needle"},
                    {"target-length", 512},
                    {"samples", 1},
                    {"critical-dim", "auto"},
                    {"set", json::array({"population_size=6", "parents_size=3"})}};
  const SearchSetup s = setup_search(config_from_options(g), {"", true});
  const ModelConfig& mc = s.model->config;
  const int want = critical_dim(mc.rope_theta, mc.head_dim, s.spec.original_length).first_pair;
  EXPECT_EQ(s.space.critical, want);
  EXPECT_EQ(s.config["critical_pair"], want);
  for (const auto& seed : s.seeds) {
    Genome ge{s.space.project(seed.lambda), 0};
    EXPECT_EQ(s.space.violation(ge), "") << seed.label;
  }
  g["critical-dim"] = std::to_string(mc.head_dim / 2);
  EXPECT_NE(error_of([&] {
              setup_search(config_from_options(g), {"", true});
            })
                .find("--critical-dim " + std::to_string(mc.head_dim / 2) +
                      ": the critical pair must be in 1.."),
            std::string::npos);
  g["critical-dim"] = "0";
  EXPECT_NE(error_of([&] {
              setup_search(config_from_options(g), {"", true});
            }).find("--critical-dim 0"),
            std::string::npos);
}

}  // namespace
}  // namespace lr

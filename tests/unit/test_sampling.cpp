// Golden sequences of our own sampling (same numbers with every standard library) and the
// NaN-safe selection order.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "search/sampling.h"

namespace lr {
namespace {

// Goldens computed independently in Python (Lemire's method over the raw std::mt19937_64
// outputs of seed 42, whose first two are pinned too: the engine itself is fully specified).
TEST(Sampling, RawEngineGolden) {
  Rng rng(42);
  EXPECT_EQ(rng(), 13930160852258120406ULL);
  EXPECT_EQ(rng(), 11788048577503494824ULL);
}

TEST(Sampling, BoundedIntegersGolden) {
  Rng rng(42);
  std::vector<int64_t> got;
  for (int i = 0; i < 8; ++i) got.push_back(sample_int(rng, 0, 9));
  for (int i = 0; i < 4; ++i) got.push_back(sample_int(rng, -5, 5));
  for (int i = 0; i < 2; ++i) got.push_back(sample_int(rng, 0, int64_t{1} << 62));
  const std::vector<int64_t> want = {
      7, 6, 7, 1, 9, 0, 5, 3, -2, -1, -5, 0, 3160256011807892598LL, 4361264488312593098LL};
  EXPECT_EQ(got, want);
}

TEST(Sampling, UnitDoublesGolden) {
  Rng rng(42);
  EXPECT_DOUBLE_EQ(sample_unit(rng), 0.755155532954539);
  EXPECT_DOUBLE_EQ(sample_unit(rng), 0.6390313938546974);
  EXPECT_DOUBLE_EQ(sample_unit(rng), 0.7521452007480266);
  EXPECT_DOUBLE_EQ(sample_unit(rng), 0.13627268363243705);
}

TEST(Sampling, BoundsAndUniformity) {
  Rng rng(7);
  std::vector<int> hist(7, 0);
  for (int i = 0; i < 70000; ++i) {
    const int64_t v = sample_int(rng, 3, 9);
    ASSERT_GE(v, 3);
    ASSERT_LE(v, 9);
    ++hist[v - 3];
  }
  for (int h : hist) EXPECT_NEAR(h, 10000, 400);  // ~4 standard deviations
  EXPECT_EQ(sample_int(rng, 5, 5), 5);
  for (int i = 0; i < 1000; ++i) {
    const double u = sample_unit(rng);
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
  }
}

TEST(Selection, NanIsWorstAndOrderIsStrictWeak) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<double> obj = {3.0, nan, 1.0, nan, 2.0, 1.0};
  // Irreflexive, asymmetric, transitive over every pair/triple.
  for (size_t a = 0; a < obj.size(); ++a) {
    EXPECT_FALSE(fitness_before(obj[a], a, obj[a], a));
    for (size_t b = 0; b < obj.size(); ++b) {
      if (fitness_before(obj[a], a, obj[b], b)) {
        EXPECT_FALSE(fitness_before(obj[b], b, obj[a], a));
      }
      for (size_t c = 0; c < obj.size(); ++c) {
        if (fitness_before(obj[a], a, obj[b], b) && fitness_before(obj[b], b, obj[c], c)) {
          EXPECT_TRUE(fitness_before(obj[a], a, obj[c], c));
        }
      }
    }
  }
  std::vector<size_t> idx = {0, 1, 2, 3, 4, 5};
  std::sort(idx.begin(), idx.end(),
            [&](size_t a, size_t b) { return fitness_before(obj[a], a, obj[b], b); });
  EXPECT_EQ(idx, (std::vector<size_t>{2, 5, 4, 0, 1, 3}));
}

}  // namespace
}  // namespace lr

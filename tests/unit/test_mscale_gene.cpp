// The searched attention factor (--search-mscale): bounds, grid, genotype, key, archive, scaling.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "core/rope/rope.h"
#include "core/util/error.h"
#include "search/archive.h"
#include "search/evaluator.h"
#include "search/genotype.h"
#include "search/optimizer_settings.h"
#include "search/pagmo_search.h"
#include "search/sampling.h"
#include "tests/unit/search_stub.h"
#include "tests/unit/test_util.h"

namespace lr {
namespace {

SearchSpace mscale_space(int half, const std::string& bounds = "auto") {
  SearchSpace sp(Algorithm::DimMono, half, 8.0, 0.01, {0, 1, 2, 4}, true);
  sp.set_mscale_search(bounds, mscale_su(8.0, 512), 512);
  return sp;
}

TEST(MscaleGene, AutoBoundsAndTextBounds) {
  const SearchSpace sp = mscale_space(4);
  // s = 8, L = 512: su = sqrt(1 + ln 8 / ln 512) = sqrt(4/3) = 1.1547005, yarn = 1 + 0.1 ln 8 =
  // 1.2079442, so auto = [1, 1.25 · 1.2079442 = 1.5099302].
  EXPECT_EQ(sp.mscale_lo, 1.0);
  EXPECT_NEAR(sp.mscale_hi, 1.5099302, 1e-7);
  EXPECT_EQ(sp.mscale_seed, 1.155);  // the su rule's factor on the 0.001 grid
  EXPECT_EQ(sp.snap_mscale(2.0), 1.509);
  EXPECT_EQ(sp.snap_mscale(0.5), 1.0);
  EXPECT_EQ(sp.snap_mscale(std::nan("")), 1.0);
  const SearchSpace b = mscale_space(4, "0.9:1.1");
  EXPECT_EQ(b.mscale_lo, 0.9);
  EXPECT_EQ(b.mscale_hi, 1.1);
  EXPECT_EQ(b.mscale_seed, 1.1);  // the rule's 1.1547 moved into the bounds
  for (const char* bad : {"1.2", "2:1", "0:1", "1:5", "a:b", "1:1.0005", "1:x", ":1.2", "1:1.2x"})
    EXPECT_NE(test::error_of([&] { mscale_space(4, bad); }).find("--search-mscale"),
              std::string::npos)
        << bad;
}

TEST(MscaleGene, GenotypeRoundTripsAndEveryPointIsFeasible) {
  for (int half : {4, 16}) {
    const SearchSpace sp = mscale_space(half);
    const Genotype gt(sp);
    EXPECT_EQ(gt.size(), static_cast<size_t>(half) + 2);  // pairs, n̂, mscale
    for (double m : {1.0, 1.155, 1.3, 1.509}) {
      Genome g;
      g.lambda = sp.project(std::vector<double>(half, 3.0));
      g.start_tokens = 2;
      g.mscale = m;
      ASSERT_EQ(sp.violation(g), "");
      const Genome back = gt.decode(gt.encode(g));
      EXPECT_EQ(back.mscale, m);
      EXPECT_EQ(back.lambda, g.lambda);
      EXPECT_EQ(back.start_tokens, 2);
    }
    Genome seed;  // a seed without its own factor encodes the rule's
    seed.lambda = sp.project(std::vector<double>(half, 1.0));
    EXPECT_EQ(gt.decode(gt.encode(seed)).mscale, 1.155);
    Rng rng(3);
    for (int t = 0; t < 200; ++t) {
      std::vector<double> z(gt.size());
      for (double& v : z) v = 3.0 * sample_unit(rng) - 1.0;  // in and outside the box
      const Genome g = gt.decode(z);
      EXPECT_EQ(sp.violation(g), "");
      EXPECT_GE(g.mscale, 1.0);
      EXPECT_LE(g.mscale, 1.509);
    }
    std::vector<double> z(gt.size(), 0.5);
    z.back() = 0.0;
    EXPECT_EQ(gt.decode(z).mscale, 1.0);
    z.back() = 1.0;
    EXPECT_EQ(gt.decode(z).mscale, 1.509);
  }
}

TEST(MscaleGene, KeyAndConstraints) {
  const SearchSpace sp = mscale_space(4);
  Genome a;
  a.lambda = {1.0, 2.0, 4.0, 8.0};
  a.mscale = 1.155;
  Genome b = a;
  b.mscale = 1.156;
  EXPECT_NE(sp.key(a), sp.key(b));
  b.mscale = 1.155;
  EXPECT_EQ(sp.key(a), sp.key(b));
  b.mscale = 0;  // the rule's factor: the key of every run without the gene
  EXPECT_EQ(sp.key(b), "0,100,300,700,|0");  // grid indices: (λ - 1) / 0.01
  EXPECT_NE(sp.violation(b), "");            // this run searches it: every genome carries one
  b.mscale = 1.1555;
  EXPECT_NE(sp.violation(b).find("attention factor"), std::string::npos);
  b.mscale = 1.6;
  EXPECT_NE(sp.violation(b), "");
  const SearchSpace plain(Algorithm::DimMono, 4, 8.0, 0.01, {0}, false);
  EXPECT_EQ(plain.violation(b), "an attention factor the run does not search");
}

TEST(MscaleGene, ScalingUsesTheCandidatesOwnFactor) {
  FitnessSpec spec;
  spec.target_length = 4096;
  spec.original_length = 512;
  Genome g;
  g.lambda = {1.0, 2.0, 4.0, 8.0};
  RopeScaling r = spec.scaling_for(g, 4096);
  EXPECT_EQ(r.mscale, MscaleKind::Su);
  g.mscale = 1.234;
  r = spec.scaling_for(g, 4096);
  EXPECT_EQ(r.mscale, MscaleKind::Fixed);
  EXPECT_EQ(r.mscale_value, 1.234);
  spec.single_set = true;  // the one-set runtime's short objective: the same factor at L
  r = spec.scaling_for(g, 512);
  EXPECT_EQ(r.mscale_value, 1.234);
}

TEST(MscaleGene, ArchiveKeepsTheFactorAndChecksIt) {
  const std::string path = test::tmp_dir() + "/mscale-archive.h5";
  ArchiveData a;
  a.config = {{"test", true}};
  a.half = 2;
  for (int i = 0; i < 3; ++i) {
    Individual ind;
    ind.id = i;
    ind.lambda = {1.0, 2.0 + i};
    ind.ppl = 5.0 - i;
    ind.mscale = 1.1 + 0.01 * i;
    a.individuals.push_back(ind);
  }
  a.final_best = 2;
  write_archive(path, a);
  const ArchiveData b = read_archive(path);
  ASSERT_EQ(b.individuals.size(), 3u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(b.individuals[i].mscale, a.individuals[i].mscale);
  for (auto& ind : a.individuals) ind.mscale = 0;  // a run without the gene: no dataset
  write_archive(path, a);
  for (const auto& ind : read_archive(path).individuals) EXPECT_EQ(ind.mscale, 0.0);
}

TEST(MscaleGene, CmaesMovesTheFactorFromTheSeedTowardTheBest) {
  if (!optimizer_available(Optimizer::Cmaes)) GTEST_SKIP() << "built without pagmo2";
  const SearchSpace sp = mscale_space(4);
  test::StubEvaluator ev(4);
  ev.mscale_target = 1.4;
  ev.mscale_weight = 1000;  // the factor's term outweighs the factors' distance
  PagmoOptions po;
  po.optimizer = Optimizer::Cmaes;
  po.settings = default_optimizer_settings(Optimizer::Cmaes);
  po.settings["generations"] = 12;
  po.settings["population_size"] = 10;
  po.seed = 5;
  auto algo = make_pagmo_search(sp, po, ev, [](const Fitness& f) { return f.ppl; });
  const EvolutionResult r = algo->run(test::seeds(4, 8.0));
  std::set<std::string> keys;
  for (const auto& ind : r.individuals) {
    EXPECT_EQ(sp.violation(ind), "");
    EXPECT_TRUE(keys.insert(sp.key(ind)).second);
    if (ind.origin == Origin::Init) {
      EXPECT_EQ(ind.mscale, 1.155);
    }
  }
  // The seeds sit 0.245 from the best factor; the search closes most of that gap.
  EXPECT_LT(std::abs(r.best.mscale - 1.4), 0.1) << r.best.mscale;
}

}  // namespace
}  // namespace lr

// inspect --archive's summary: iterations read back, best individual, PI/NTK/YaRN, summary.csv.
#include <filesystem>
#include <fstream>

#include "core/rope/rope.h"
#include "core/util/error.h"
#include "search/archive_summary.h"
#include "tests/unit/test_util.h"

namespace lr {
namespace {

ArchiveData synthetic(int64_t final_best) {
  ArchiveData a;
  a.half = 4;
  a.config = {{"model", "/nowhere/model.gguf"},
              {"target_length", 2048},
              {"original_length", 512},
              {"scale", 4.0},
              {"algorithm", "dim_mono"},
              {"seed", 7},
              {"samples", 2},
              {"beta_fast", 32.0},
              {"beta_slow", 1.0}};
  const double ppl[] = {9.0, 7.5, 8.0, 6.25, 6.5};
  const int iteration[] = {0, 0, 0, 1, 1};
  for (int i = 0; i < 5; ++i) {
    Individual ind;
    ind.id = i;
    ind.lambda = {1.0, 1.0 + i * 0.25, 2.0 + i * 0.25, 4.0};
    ind.ppl = ppl[i];
    ind.iteration = iteration[i];
    ind.start_tokens = i;
    a.individuals.push_back(ind);
  }
  a.iterations.push_back({0, {1, 2, 0}, 1, 7.5, 8.0});
  a.iterations.push_back({1, {3, 4, 1}, 3, 6.25, 6.5});
  a.final_best = final_best;
  return a;
}

}  // namespace

TEST(ArchiveSummary, ReadBackAndSummarise) {
  const std::string dir = test::tmp_dir() + "/archive-summary";
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/archive.h5";
  write_archive(path, synthetic(3));
  std::ofstream(dir + "/summary.csv") << "method,ppl,start_tokens\nlongrope (searched),6.25,3\n"
                                         "linear,12.5,0\nntk,7,0\nyarn,8.125,0\n";
  const ArchiveData back = read_archive(path);
  ASSERT_EQ(back.iterations.size(), 2u);
  EXPECT_EQ(back.iterations[1].population, (std::vector<int64_t>{3, 4, 1}));
  EXPECT_DOUBLE_EQ(back.iterations[0].median_ppl, 8.0);

  const ArchiveSummary s = summarize_archive(path, back, 10000.0, "test");
  EXPECT_TRUE(s.finished);
  EXPECT_EQ(s.best.id, 3);
  EXPECT_EQ(s.evaluations, 5u);
  EXPECT_EQ(s.evaluations_per_iteration, (std::vector<int>{3, 2}));
  EXPECT_EQ(s.pi, std::vector<double>(4, 4.0));
  EXPECT_EQ(s.ntk, ntk_factors(8, 4.0));
  EXPECT_EQ(s.yarn, yarn_factors(8, 10000.0, 4.0, 512, 32.0, 1.0));
  ASSERT_EQ(s.baselines.size(), 4u);
  EXPECT_EQ(s.baselines[1].method, "linear");
  EXPECT_DOUBLE_EQ(s.baselines[3].ppl, 8.125);
  const auto j = to_json(s);
  EXPECT_EQ(j["best"]["id"], 3);
  EXPECT_EQ(j["iterations"][1]["evaluations"], 2);
  EXPECT_EQ(j["run"]["seed"], 7);
}

TEST(ArchiveSummary, UnfinishedRunAndNoTheta) {
  const std::string dir = test::tmp_dir() + "/archive-summary-unfinished";
  std::filesystem::create_directories(dir);
  std::filesystem::remove(dir + "/summary.csv");
  const std::string path = dir + "/archive.h5";
  write_archive(path, synthetic(-1));
  const ArchiveSummary s = summarize_archive(path, read_archive(path), std::nullopt, "no model");
  EXPECT_FALSE(s.finished);
  EXPECT_EQ(s.best.id, 3);  // lowest PPL so far
  EXPECT_TRUE(s.yarn.empty());
  EXPECT_NE(s.yarn_note.find("no model"), std::string::npos);
  EXPECT_TRUE(s.baselines.empty());
  EXPECT_TRUE(to_json(s)["compare_factors"]["yarn"].is_null());
}

TEST(ArchiveSummary, BadSummaryCsv) {
  const std::string p = test::tmp_dir() + "/bad-summary.csv";
  std::ofstream(p) << "method,ppl,start_tokens\nlinear,abc,0\n";
  EXPECT_THROW(read_summary_csv(p), Error);
  std::ofstream(p) << "method,loss,start_tokens\nlinear,1.5,0\n";
  EXPECT_THROW(read_summary_csv(p), Error);
}

// A --fitness needle run labels its column needle_ppl (the PPL of the passkey's tokens).
TEST(ArchiveSummary, NeedleSummaryCsv) {
  const std::string p = test::tmp_dir() + "/needle-summary.csv";
  std::ofstream(p) << "method,needle_ppl,start_tokens\nyarn,1.75,0\nlongrope (searched),1.002,4\n";
  const auto rows = read_summary_csv(p);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[1].method, "longrope (searched)");
  EXPECT_DOUBLE_EQ(rows[1].ppl, 1.002);
  EXPECT_EQ(rows[1].start_tokens, 4);
}

}  // namespace lr

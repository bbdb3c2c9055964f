// The long-vs-short Pareto front, its knee and --pick rules on hand-made individuals.
#include <gtest/gtest.h>

#include <cmath>

#include "core/util/error.h"
#include "core/util/mapped_file.h"
#include "search/archive.h"
#include "search/archive_summary.h"
#include "search/pareto.h"
#include "search/run_recorder.h"
#include "tests/unit/test_util.h"

namespace lr {
namespace {

Individual ind(int64_t id, double ppl, double short_ppl, bool rejected = false) {
  Individual i;
  i.id = id;
  i.ppl = ppl;
  i.short_ppl = short_ppl;
  i.rejected = rejected;
  i.lambda = {1.0, static_cast<double>(id + 1)};
  return i;
}

std::vector<int64_t> ids(const std::vector<Individual>& v) {
  std::vector<int64_t> r;
  for (const auto& i : v) r.push_back(i.id);
  return r;
}

std::string error_of(const std::vector<Individual>& all, const std::string& rule) {
  try {
    pick_individual(all, rule, "--pick");
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::InvalidArgument) << rule;
    return e.what();
  }
  return "";
}

// Long PPL vs short PPL, hand-placed: the front is 1, 4, 2, 6, 5 (by long PPL).
std::vector<Individual> population() {
  return {
      ind(0, 9.0, 9.0),        // dominated by 4 (and others)
      ind(1, 4.0, 8.0),        // front: lowest long
      ind(2, 6.0, 4.0),        // front: the knee
      ind(3, 6.5, 4.5),        // dominated by 2
      ind(4, 5.0, 6.5),        // front
      ind(5, 10.0, 3.0),       // front: lowest short
      ind(6, 8.0, 3.5),        // front
      ind(7, 5.0, 6.5),        // exact duplicate of 4: dropped (4 has the lower id)
      ind(8, 3.0, 2.0, true),  // raced out: never a member
      ind(9, NAN, 1.0),        // not evaluated
      ind(10, 2.0, 0.0),       // no short PPL
      ind(11, 4.0, 8.5),       // same long as 1, worse short: dominated
      ind(12, INFINITY, 1.0),  // infeasible
  };
}

TEST(Pareto, FrontSortedByLongPpl) {
  const auto front = pareto_front(population());
  EXPECT_EQ(ids(front), (std::vector<int64_t>{1, 4, 2, 6, 5}));
  for (size_t i = 1; i < front.size(); ++i) {
    EXPECT_LT(front[i - 1].ppl, front[i].ppl);
    EXPECT_GT(front[i - 1].short_ppl, front[i].short_ppl);
  }
}

TEST(Pareto, DuplicatesKeepTheLowestId) {
  const auto front = pareto_front({ind(5, 2.0, 2.0), ind(3, 2.0, 2.0), ind(4, 2.0, 2.0)});
  EXPECT_EQ(ids(front), (std::vector<int64_t>{3}));
}

TEST(Pareto, Knee) {
  // Normalised over the front: x = (ppl-4)/6, y = (short-3)/5; 1-x-y: id 1: 0, 4: 0.133,
  // 2: 1-1/3-1/5 = 0.467, 6: 1-2/3-0.1 = 0.233, 5: 0. The knee is id 2.
  const auto front = pareto_front(population());
  EXPECT_EQ(front[knee_index(front)].id, 2);
  EXPECT_EQ(pick_individual(population(), "knee", "--pick").id, 2);
}

TEST(Pareto, KneeOfSmallFronts) {
  EXPECT_EQ(knee_index({}), -1);
  EXPECT_EQ(knee_index(pareto_front({ind(7, 3.0, 3.0)})), 0);
  const auto two = pareto_front({ind(9, 5.0, 1.0), ind(8, 2.0, 4.0)});
  EXPECT_EQ(ids(two), (std::vector<int64_t>{8, 9}));
  EXPECT_EQ(two[knee_index(two)].id, 8);  // two members: the lowest long PPL
}

TEST(Pareto, KneeTiesGoToTheLowestId) {
  // Collinear: every member lies on the line between the extremes; all tie at 0.
  const auto line = pareto_front({ind(4, 1.0, 3.0), ind(2, 2.0, 2.0), ind(3, 3.0, 1.0)});
  EXPECT_EQ(line[knee_index(line)].id, 2);
  // x over [1, 5]: 0, .25, 1; y over [.5, 4]: 1, 1/7, 0 -> 1-x-y: 0, .607, 0 (5 has the short
  // PPL of 6 at a higher long PPL: dominated).
  const auto sym =
      pareto_front({ind(0, 1.0, 4.0), ind(6, 2.0, 1.0), ind(5, 4.0, 1.0), ind(9, 5.0, 0.5)});
  EXPECT_EQ(ids(sym), (std::vector<int64_t>{0, 6, 9}));
  EXPECT_EQ(sym[knee_index(sym)].id, 6);
}

TEST(Pareto, KneeTieBetweenTwoInteriorMembers) {
  // x: 0, .25, .75, 1 and y: 1, .5, 0, ... built so 1-x-y ties at .25 for ids 6 and 3.
  const auto f =
      pareto_front({ind(1, 1.0, 5.0), ind(6, 2.0, 3.0), ind(3, 4.0, 2.0), ind(2, 5.0, 1.0)});
  // x over [1, 5]: 0, .25, .75, 1; y over [1, 5]: 1, .5, .25, 0 -> 0, .25, 0, 0
  EXPECT_EQ(f[knee_index(f)].id, 6);
  const auto g =
      pareto_front({ind(1, 1.0, 5.0), ind(6, 2.0, 4.0), ind(3, 4.0, 2.0), ind(2, 5.0, 1.0)});
  // y: 1, .75, .25, 0 -> 1-x-y: 0, 0, 0, 0: all tie, the lowest id (1).
  EXPECT_EQ(g[knee_index(g)].id, 1);
  const auto h =
      pareto_front({ind(9, 1.0, 5.0), ind(6, 2.0, 3.0), ind(3, 4.0, 1.5), ind(2, 5.0, 1.0)});
  // y: 1, .5, .125, 0 -> 1-x-y: 0, .25, .125, 0: id 6
  EXPECT_EQ(h[knee_index(h)].id, 6);
  const auto k =
      pareto_front({ind(9, 1.0, 5.0), ind(6, 2.0, 3.0), ind(3, 3.0, 2.0), ind(2, 5.0, 1.0)});
  // x: 0, .25, .5, 1; y: 1, .5, .25, 0 -> 0, .25, .25, 0: ids 6 and 3 tie: 3
  EXPECT_EQ(k[knee_index(k)].id, 3);
}

TEST(Pareto, PickShortBound) {
  const auto all = population();
  EXPECT_EQ(pick_individual(all, "short<=8", "--pick").id, 1);
  EXPECT_EQ(pick_individual(all, "short<=7.9", "--pick").id, 4);
  EXPECT_EQ(pick_individual(all, "short<=6.5", "--pick").id, 4);  // bound inclusive
  EXPECT_EQ(pick_individual(all, "short<=4", "--pick").id, 2);
  EXPECT_EQ(pick_individual(all, " short<= 3.2 ", "--pick").id, 5);
  EXPECT_EQ(pick_individual(all, "short<=1e9", "--pick").id, 1);
  EXPECT_NE(error_of(all, "short<=2.9")
                .find("--pick short<=2.9: no front member satisfies it "
                      "(the lowest short PPL is 3)"),
            std::string::npos)
      << error_of(all, "short<=2.9");
}

TEST(Pareto, PickId) {
  const auto all = population();
  EXPECT_EQ(pick_individual(all, "id=0", "--pick").id, 0);    // dominated, still pickable
  EXPECT_EQ(pick_individual(all, "id=10", "--pick").id, 10);  // no short PPL, still pickable
  EXPECT_NE(error_of(all, "id=99").find("--pick id=99: no such id"), std::string::npos);
  EXPECT_NE(error_of(all, "id=8").find("not evaluated in full"), std::string::npos);
  EXPECT_NE(error_of(all, "id=9").find("not evaluated in full"), std::string::npos);
}

TEST(Pareto, Malformed) {
  const auto all = population();
  for (const char* r : {"", "kne", "short<=", "short<=x", "short<=3x", "short<=nan", "id=", "id=-1",
                        "id=1.5", "id=a", "short < 3", "best"})
    EXPECT_NE(error_of(all, r).find("malformed"), std::string::npos) << r;
  EXPECT_EQ(error_of(all, "id=1.5").rfind("--pick 'id=1.5': malformed", 0), 0u);
}

TEST(Pareto, NoShortPpl) {
  const std::vector<Individual> all = {ind(0, 3.0, 0.0), ind(1, 2.0, 0.0)};
  EXPECT_FALSE(any_short_ppl(all));
  EXPECT_TRUE(any_short_ppl(population()));
  EXPECT_NE(error_of(all, "knee").find("no individual has a short PPL"), std::string::npos);
  EXPECT_NE(error_of(all, "short<=5").find("no individual has a short PPL"), std::string::npos);
  EXPECT_EQ(pick_individual(all, "id=1", "--pick").id, 1);
}

TEST(Pareto, TwoObjectivesAndResult) {
  using nlohmann::json;
  EXPECT_FALSE(two_objectives(json::object()));
  EXPECT_FALSE(two_objectives({{"optimizer", "ga"}}));
  EXPECT_FALSE(two_objectives({{"optimizer", "cmaes"}}));
  EXPECT_TRUE(two_objectives({{"optimizer", "nsga2"}}));
  EXPECT_EQ(short_length_of({{"optimizer", "ga"}, {"short_length", 256}}), 256);
  EXPECT_EQ(short_length_of({{"optimizer", "ga"}, {"short_length", 0}, {"original_length", 512}}),
            0);
  EXPECT_EQ(
      short_length_of({{"optimizer", "nsga2"}, {"short_length", 0}, {"original_length", 512}}),
      512);  // nsga2's default: L
  EXPECT_EQ(short_length_of({{"optimizer", "nsga2"}, {"short_length", 128}}), 128);
  const auto all = population();
  const Individual best = ind(10, 2.0, 0.0);
  EXPECT_EQ(result_individual({{"optimizer", "ga"}}, all, best).id, 10);
  EXPECT_EQ(result_individual({{"optimizer", "nsga2"}}, all, best).id, 2);
  EXPECT_EQ(result_individual({{"optimizer", "nsga2"}}, {best}, best).id, 10);  // empty front
  const json f = front_json(pareto_front(all));
  ASSERT_EQ(f.size(), 5u);
  EXPECT_EQ(f[2], json({{"id", 2}, {"ppl", 6.0}, {"short_ppl", 4.0}}));
}

// result_final.json of a run ended with `config`: the recorder's output for `population()`
// (best: id 1, the lowest long PPL).
nlohmann::json recorded(const nlohmann::json& config, const std::string& name) {
  const std::string dir = test::tmp_dir() + "/" + name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  RecorderOptions o;
  o.dir = dir;
  o.config = config;
  o.final_extra = {{"target_length", 2048}};
  o.half = 2;
  o.quiet = true;
  RunRecorder r(o);
  EvolutionResult res;
  res.individuals = population();
  res.best = res.individuals[1];
  r.on_end(res);
  return nlohmann::json::parse(read_text_file(dir + "/result_final.json"));
}

TEST(Pareto, RecordedResultOfOneObjective) {
  const auto j = recorded({{"optimizer", "ga"}, {"short_length", 512}}, "pareto-ga");
  EXPECT_EQ(j["id"], 1);
  EXPECT_EQ(j["short_ppl"], 8.0);
  EXPECT_FALSE(j.contains("front"));
  EXPECT_FALSE(j.contains("result"));
  EXPECT_EQ(read_archive(test::tmp_dir() + "/pareto-ga/archive.h5").final_best, 1);
}

TEST(Pareto, RecordedResultOfTwoObjectives) {
  using nlohmann::json;
  const std::string dir = test::tmp_dir() + "/pareto-nsga2";
  const auto j = recorded({{"optimizer", "nsga2"}, {"short_length", 512}}, "pareto-nsga2");
  EXPECT_EQ(j["id"], 2);  // the knee
  EXPECT_EQ(j["result"], "knee");
  EXPECT_EQ(j["ppl"], 6.0);
  EXPECT_EQ(j["short_ppl"], 4.0);
  EXPECT_EQ(j["factors"], json({1.0, 3.0}));
  EXPECT_EQ(j["front"], front_json(pareto_front(population())));
  EXPECT_EQ(read_text_file(dir + "/result_final.csv"),
            "1.000000000000000000e+00\n3.000000000000000000e+00\n");
  // The final table's rows, added after the run, are the figure's baseline points.
  record_result_baselines(
      dir,
      json::array({{{"method", "longrope (searched)"},
                    {"ppl", 6.0},
                    {"start_tokens", 0},
                    {"short_ppl", 4.0}},
                   {{"method", "linear"}, {"ppl", 7.5}, {"start_tokens", 0}, {"short_ppl", 5.5}}}));
  const auto b = read_result_baselines(dir + "/result_final.json");
  ASSERT_EQ(b.size(), 2u);
  EXPECT_EQ(b[1].method, "linear");
  EXPECT_EQ(b[1].ppl, 7.5);
  EXPECT_EQ(b[1].short_ppl, 5.5);
  EXPECT_EQ(nlohmann::json::parse(read_text_file(dir + "/result_final.json"))["id"], 2);
  EXPECT_EQ(read_archive(dir + "/archive.h5").final_best, 2);
}

}  // namespace
}  // namespace lr

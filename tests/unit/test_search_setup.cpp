// The search option table, the run configuration, the --resume check, and the setup of a search
// from a configuration (space, seeds, fitness) without the CLI.
#include <algorithm>
#include <fstream>
#include <functional>

#include "core/tokenizer/tokenizer_factory.h"
#include "core/util/error.h"
#include "search/optimizer_settings.h"
#include "search/search_options.h"
#include "search/search_setup.h"
#include "tests/unit/test_util.h"

namespace lr {
namespace {

using nlohmann::json;

using test::error_of;

GivenOptions fixture_options(const std::string& data) {
  return {{"model", test::shared("models/fixture-llama-5m")},
          {"data", data},
          {"target-length", 512},
          {"samples", 1},
          {"seed", uint64_t{3}},
          {"set", json::array({"population_size=6", "parents_size=3"})}};
}

// pg19-like/valid tokenized for the fixture model, written once to a temporary shard.
std::string fixture_shard() {
  const std::string path = test::tmp_dir() + "/search-setup-books.h5";
  auto model = load_model(test::shared("models/fixture-llama-5m"));
  auto tok = load_tokenizer(model->tokenizer_path);
  std::vector<std::string> files;
  for (const auto& e : std::filesystem::directory_iterator(test::shared("data/pg19-like/valid")))
    files.push_back(e.path().string());
  std::sort(files.begin(), files.end());
  write_shard(path, build_shard(*tok, model->tokenizer_path, files, 0, true));
  return path;
}

TEST(SearchOptions, TableKeysAreTheConfiguration) {
  GivenOptions g = {{"model", "m"}, {"data", "d.h5"}, {"target-length", 512}};
  const json c = config_from_options(g);
  for (const SearchOption& o : search_options()) {
    if (o.on_resume == OnResume::Match && o.name != "long-factors") {
      EXPECT_TRUE(c.contains(o.key)) << o.name;
    }
    if (o.type != OptionType::StringList && !g.count(o.name) && o.name != "long-factors" &&
        !o.key.empty() && o.key != "hyperparams_file" && o.key != "optimizer_settings_file" &&
        o.name != "fitness") {
      EXPECT_EQ(c.at(o.key), o.default_value) << o.name;
    }
  }
  EXPECT_EQ(c["seed"].type(), json::value_t::number_unsigned);
  EXPECT_EQ(c["hyperparams"]["population_size"], 64);
  // The GA's record carries no optimizer settings; a pagmo optimizer's carries them resolved.
  EXPECT_FALSE(c.contains("optimizer_settings"));
  if (optimizer_available(Optimizer::Cmaes)) {
    g["optimizer"] = "cmaes";
    g["set"] = json::array({"sigma0=0.5", "list_step=0.02"});
    const json p = config_from_options(g);
    EXPECT_EQ(p["optimizer_settings"]["sigma0"], 0.5);
    EXPECT_EQ(p["optimizer_settings"]["population_size"], 16);
    EXPECT_EQ(p["hyperparams"]["list_step"], 0.02);
  }
}

TEST(SearchOptions, ConfigValidationNamesTheOption) {
  GivenOptions g = {{"model", "m"}, {"data", "d.h5"}, {"target-length", 512}};
  auto with = [&](const std::string& k, json v) {
    GivenOptions x = g;
    x[k] = v;
    return error_of([&] { config_from_options(x); });
  };
  EXPECT_NE(with("screen-keep", 1.0).find("--screen-keep must be in (0, 1)"), std::string::npos);
  EXPECT_NE(with("racing-z", -1.0).find("--racing-z"), std::string::npos);
  EXPECT_NE(with("rejudge-f32", -1).find("--rejudge-f32 must be >= 0"), std::string::npos);
  EXPECT_NE(with("target-length", 0).find("needs --model, --data and --target-length"),
            std::string::npos);
  EXPECT_NE(with("set", json::array({"popsize=4"})).find("popsize"), std::string::npos);
}

TEST(SearchOptions, ResumeComparesResolvedValues) {
  GivenOptions g = {{"model", "m"},
                    {"data", "d.h5"},
                    {"target-length", 512},
                    {"set", json::array({"population_size=40"})}};
  const json cfg = config_from_options(g);
  // The same options again, plus those that cannot change results: accepted.
  GivenOptions again = g;
  again["parallel-candidates"] = 4;
  again["baselines"] = false;
  again["data"] = "./d.h5";
  EXPECT_EQ(error_of([&] { check_resume_options(again, cfg, "A.h5"); }), "");
  // A --hyperparams file giving the archived values (another path than the run's): accepted.
  const std::string hp = test::tmp_dir() + "/search-setup-hp.json";
  std::ofstream(hp) << "{\"population_size\": 40}\n";
  GivenOptions by_file = {{"hyperparams", hp}};
  EXPECT_EQ(error_of([&] { check_resume_options(by_file, cfg, "A.h5"); }), "");
  // Each differing option named, in one message.
  GivenOptions other = {{"samples", 2},
                        {"seed", uint64_t{4}},
                        {"fitness", "needle"},
                        {"set", json::array({"population_size=8"})}};
  const std::string e = error_of([&] { check_resume_options(other, cfg, "A.h5"); });
  EXPECT_NE(e.find("A.h5: --resume continues the run as it was started; conflicting:"),
            std::string::npos);
  for (const char* want : {"--samples 2 (the run has 5)", "--seed 4 (the run has 0)",
                           "--fitness \"needle\" (the run has \"ppl\")",
                           "--set/--hyperparams population_size=8 (the run has 40)"})
    EXPECT_NE(e.find(want), std::string::npos) << want << " in " << e;
  EXPECT_EQ(e.find("--model"), std::string::npos) << e;
}

TEST(SearchSetup, FixtureConfigGivesSpaceSeedsAndFitness) {
  REQUIRE_SHARED("models/fixture-llama-5m");
  REQUIRE_SHARED("data/pg19-like/valid");
  const std::string data = fixture_shard();
  const SearchSetup s = setup_search(config_from_options(fixture_options(data)), {"", true});
  EXPECT_EQ(s.space.half, 32);           // head_dim 64
  EXPECT_DOUBLE_EQ(s.space.scale, 2.0);  // 512 / 256
  EXPECT_DOUBLE_EQ(s.space.max_factor, 1.25 * 2.0);
  EXPECT_EQ(s.space.start_token_set, std::vector<int>{0});
  EXPECT_EQ(s.algorithm, Algorithm::DimMono);
  EXPECT_EQ(s.spec.kind, FitnessKind::Ppl);
  EXPECT_EQ(s.spec.original_length, 256);
  EXPECT_EQ(s.items.size(), 1u);
  EXPECT_EQ(s.hp.population(), 6);
  std::vector<std::string> labels;
  for (const auto& seed : s.seeds) labels.push_back(seed.label);
  EXPECT_EQ(labels, (std::vector<std::string>{"pi", "ntk", "yarn"}));
  for (const char* k : {"model_fingerprint", "shard_sha256", "numerics", "kernels"})
    EXPECT_FALSE(s.config.value(k, std::string()).empty()) << k;
  EXPECT_DOUBLE_EQ(s.config["scale"].get<double>(), 2.0);
  EXPECT_EQ(make_screen_evaluator(s, 1, 1, false), nullptr);
}

TEST(SearchSetup, NeedleStartTokensAndScreen) {
  REQUIRE_SHARED("models/fixture-llama-5m");
  REQUIRE_SHARED("data/pg19-like/valid");
  GivenOptions g = fixture_options(fixture_shard());
  g["search-start-tokens"] = true;
  g["screen-length"] = 128;
  const SearchSetup s = setup_search(config_from_options(g), {"", true});
  EXPECT_TRUE(s.space.search_start_tokens);
  EXPECT_EQ(s.space.start_token_set, HyperParams{}.start_token_set);
  EXPECT_EQ(s.screen_length, 128);
  EXPECT_NE(make_screen_evaluator(s, 1, 1, false), nullptr);
  EXPECT_NE(error_of([&] { make_screen_evaluator(s, 1, 1, true); }).find("MPI"), std::string::npos);
  GivenOptions n = fixture_options("");
  n["fitness"] = "needle";
  n["samples"] = 2;
  const SearchSetup needle = setup_search(config_from_options(n), {"", true});
  EXPECT_EQ(needle.spec.kind, FitnessKind::Needle);
  EXPECT_EQ(needle.items.size(), 2u);
}

TEST(SearchSetup, ResultRowsOfTwoObjectivesHoldShortPpl) {
  if (!optimizer_available(Optimizer::Nsga2)) GTEST_SKIP() << "built without pagmo2 (no nsga2)";
  REQUIRE_SHARED("models/fixture-llama-5m");
  REQUIRE_SHARED("data/pg19-like/valid");
  GivenOptions g = fixture_options(fixture_shard());
  g["short-length"] = 256;
  const SearchSetup ga = setup_search(config_from_options(g), {"", true});
  g["optimizer"] = "nsga2";
  g["set"] = json::array({"population_size=8"});
  const SearchSetup two = setup_search(config_from_options(g), {"", true});
  Individual best;
  best.lambda = std::vector<double>(32, 2.0);
  best.ppl = 80.0;
  best.short_ppl = 70.0;
  auto ev = make_search_evaluator(two, 1, 1);
  const json rows = result_rows(two, best, *ev, true, 1);
  const json one = result_rows(ga, best, *ev, true, 1);
  ASSERT_EQ(rows.size(), 4u);
  ASSERT_EQ(one.size(), 4u);
  EXPECT_EQ(rows[0]["short_ppl"], 70.0);
  // The baselines at L: the same scaling (s = 2, as a runtime holds it) on eval ppl's documents.
  FitnessSpec at_l = two.spec;
  at_l.short_length = 0;
  auto ref = make_local_evaluator(*two.model, ppl_items(two.model->config, two.shard, 1, 256),
                                  two.shard, at_l, 1, 1);
  for (size_t i = 1; i < 4; ++i) {
    EXPECT_FALSE(one[i].contains("short_ppl"));
    EXPECT_EQ(rows[i]["ppl"], one[i]["ppl"]);
    RopeScaling r;
    r.kind = parse_rope_kind(rows[i]["method"].get<std::string>());
    r.factor = 2.0;
    r.original_max_position = 256;
    r.beta_fast = 32;
    r.beta_slow = 1;
    EXPECT_EQ(rows[i]["short_ppl"].get<double>(), ref->evaluate_scaling(r)) << rows[i];
    EXPECT_NE(rows[i]["short_ppl"], rows[i]["ppl"]);
  }
}

TEST(SearchSetup, BadConfigsNameTheKey) {
  REQUIRE_SHARED("models/fixture-llama-5m");
  REQUIRE_SHARED("data/pg19-like/valid");
  // A completed configuration (as archived), resumed: each broken key is named.
  const json good =
      setup_search(config_from_options(fixture_options(fixture_shard())), {"", true}).config;
  auto err = [&](const std::function<void(json&)>& edit) {
    json c = good;
    edit(c);
    return error_of([&] { setup_search(c, {"A.h5", true}); });
  };
  EXPECT_NE(err([](json& c) { c.erase("samples"); }).find("'samples'"), std::string::npos);
  EXPECT_NE(err([](json& c) { c["target_length"] = "x"; }).find("'target_length'"),
            std::string::npos);
  EXPECT_NE(err([](json& c) { c.erase("hyperparams"); }).find("'hyperparams'"), std::string::npos);
  EXPECT_NE(err([](json& c) { c["target_length"] = 128; }).find("--target-length must be >="),
            std::string::npos);
  EXPECT_NE(err([](json& c) { c["screen_length"] = 512; }).find("--screen-length must be in 2.."),
            std::string::npos);
  // A resumed run on a changed shard or model is refused (its fingerprints are recorded).
  EXPECT_EQ(error_of([&] { setup_search(good, {"A.h5", true}); }), "");
  json resumed = good;
  resumed["model_fingerprint"] = "0";
  EXPECT_NE(error_of([&] {
              setup_search(resumed, {"A.h5", true});
            }).find("changed since"),
            std::string::npos);
}

}  // namespace
}  // namespace lr

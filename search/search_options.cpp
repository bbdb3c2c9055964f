// The search option table, the run configuration built from it, and the --resume check.
#include "search/search_options.h"

#include <filesystem>

#include "core/rope/factors.h"
#include "core/util/error.h"
#include "search/fitness_items.h"
#include "search/hyperparams.h"
#include "search/optimizer_settings.h"
#include "search/rejudge.h"
#include "search/space.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace lr {

const std::vector<SearchOption>& search_options() {
  using T = OptionType;
  using R = OnResume;
  static const std::vector<SearchOption> table = {
      {"model", "model", T::String, "", "model (HF, GGUF, llama2.c)", R::Match, true},
      {"data", "data", T::String, "", "shard of search documents", R::Match, true},
      {"tokenizer", "tokenizer", T::String, "", "tokenizer override", R::Match, true},
      {"target-length", "target_length", T::Int, 0, "length the factors are searched for", R::Match,
       false},
      {"original-max-position", "original_max_position", T::Int, 0, "L (0 = the model's)", R::Match,
       false},
      {"samples", "samples", T::Int, 5, "documents per fitness evaluation", R::Match, false},
      {"algorithm", "algorithm", T::String, "dim_mono", "dim_mono | dim_piece_mono", R::Match,
       false},
      {"optimizer", "optimizer", T::String, "ga",
       "ga (the paper's GA) | cmaes | xnes | pso_gen | gaco | nsga2 (pagmo2; docs/search.md, "
       "Optimizers)",
       R::Match, false},
      {"optimizer-settings", "optimizer_settings_file", T::String, "",
       "JSON settings of a pagmo optimizer (default hyperparams/<optimizer>.json when present)",
       R::Own, true},
      {"max-evaluations", "max_evaluations", T::Int, 0,
       "budget: stop after the generation that reaches this many evaluations (0: none)", R::Match,
       false},
      {"max-tokens", "max_tokens", T::Uint64, uint64_t{0},
       "budget: stop after the generation that reaches this many forward tokens (0: none)",
       R::Match, false},
      {"hyperparams", "hyperparams_file", T::String, "",
       "JSON file (default hyperparams/<algorithm>.json when present, else built-in defaults)",
       R::Own, true},
      {"set", "", T::StringList, nullptr,
       "override one hyperparameter or optimizer setting: key=value (repeatable)", R::Own, false},
      {"seed", "seed", T::Uint64, uint64_t{0}, "random seed", R::Match, false},
      {"critical-dim", "critical_dim", T::String, "",
       "LongRoPE2: search only pairs >= K, with λ >= s; pairs below follow λ_K^(i/K) (auto: the "
       "first pair whose period exceeds L; empty: off; docs/search.md, LongRoPE2 mode)",
       R::Match, false},
      {"search-start-tokens", "search_start_tokens", T::Switch, false,
       "also search n̂ over start_token_set", R::Match, false},
      {"init-factors", "init_factors", T::String, "", "extra seed (CSV or JSON)", R::Match, true},
      {"auto-rescale-init-factors", "auto_rescale_init_factors", T::Switch, false,
       "rescale the init factors to s, s/2, ...", R::Match, false},
      {"init-scale", "init_scale", T::Double, 0.0, "scale the init factors were found for",
       R::Match, false},
      {"beta-fast", "beta_fast", T::Double, 32.0, "YaRN seed beta_fast", R::Match, false},
      {"beta-slow", "beta_slow", T::Double, 1.0, "YaRN seed beta_slow", R::Match, false},
      {"mscale", "mscale", T::String, "su", "su | yarn | one | a number", R::Match, false},
      {"search-mscale", "search_mscale", T::String, "",
       "also search the attention factor: auto ([1, 1.25 max(su, yarn)]) or LO:HI; pagmo "
       "optimizers only; seeded with --mscale (docs/search.md, The attention factor)",
       R::Match, false},
      {"short-length", "short_length", T::Int, 0, "also score this (short) length", R::Match,
       false},
      {"short-weight", "short_weight", T::Double, 0.0, "objective += w * short PPL", R::Match,
       false},
      {"short-max-ppl", "short_max_ppl", T::Double, 0.0, "constraint: short PPL <= this", R::Match,
       false},
      {"search-short-factors", "search_short_factors", T::Switch, false,
       "search short factors (scored at L, deployed beside --long-factors)", R::Match, false},
      {"long-factors", "long_factors_file", T::String, "",
       "the long factors the short ones are deployed with (CSV or JSON)", R::Match, true},
      {"fitness", "fitness", T::String, "ppl",
       "ppl (documents of --data, cut to the length) | llamacpp (--data joined, chunks of the "
       "length, second halves scored: eval ppl --mode llamacpp) | needle (passkey prompts, "
       "scored on the key's tokens)",
       R::Match, false},
      {"needle-seed", "needle_seed", T::Uint64, uint64_t{0}, "seed of the needle prompts", R::Match,
       false},
      {"racing", "racing", T::Switch, false,
       "stop scoring a candidate once it cannot enter the population (docs/search.md, Racing)",
       R::Match, false},
      {"racing-z", "racing_z", T::Double, 2.0, "racing: confidence bound width in standard errors",
       R::Match, false},
      {"screen-length", "screen_length", T::Int, 0,
       "score children first on the items cut to this length; only the best go on (docs/search.md, "
       "Length screen)",
       R::Match, false},
      {"screen-keep", "screen_keep", T::Double, 0.5,
       "length screen: the share of each generation's children scored in full", R::Match, false},
      {"rejudge-f32", "rejudge_f32", T::Int, kDefaultRejudgeF32,
       "with --compute other than f32: score the last generation's N best again in F32 and take "
       "the best by F32 (0: off; docs/search.md, F32 re-judging)",
       R::Match, false},
      {"parallel-candidates", "", T::Int, 1, "candidates evaluated at once", R::Free, false},
      {"output-dir", "", T::String, "", "run folder (default results/search-<time>)", R::Own, true},
      {"resume", "", T::String, "",
       "continue the run in this archive.h5 (options given again must match the run)", R::Own,
       true},
      {"baselines", "", T::Bool, true, "final table vs PI, NTK, YaRN", R::Free, false},
  };
  return table;
}

json option_value(const GivenOptions& given, const std::string& name) {
  if (auto it = given.find(name); it != given.end()) return it->second;
  for (const SearchOption& o : search_options())
    if (o.name == name) return o.type == OptionType::StringList ? json::array() : o.default_value;
  fail(ErrorKind::InvalidArgument, "search: no option --" + name);
}

namespace {

bool same_path(const std::string& a, const std::string& b) {
  std::error_code e1, e2, e3, e4;
  return a == b || fs::weakly_canonical(fs::absolute(a, e1), e2) ==
                       fs::weakly_canonical(fs::absolute(b, e3), e4);
}

// Whether --set `kv` names a setting of `opt` (else it names a hyperparameter).
bool sets_optimizer(const std::string& kv, Optimizer opt) {
  const auto eq = kv.find('=');
  return eq != std::string::npos && default_optimizer_settings(opt).contains(kv.substr(0, eq));
}

// The hyperparameters of --hyperparams (or `base` when not given) with each --set applied.
HyperParams given_hyperparams(const GivenOptions& given, HyperParams base, Optimizer opt) {
  const std::string path = option_value(given, "hyperparams").get<std::string>();
  HyperParams hp = path.empty() ? base : load_hyperparams(path);
  for (const auto& kv : option_value(given, "set"))
    if (!sets_optimizer(kv.get<std::string>(), opt)) apply_override(hp, kv.get<std::string>());
  return hp;
}

// The settings of --optimizer-settings (or `base` when not given) with each --set applied.
json given_optimizer_settings(const GivenOptions& given, json base, Optimizer opt) {
  const std::string path = option_value(given, "optimizer-settings").get<std::string>();
  if (!path.empty()) {
    base = default_optimizer_settings(opt);
    apply_optimizer_settings(base, read_optimizer_settings_file(path), path);
  }
  for (const auto& kv : option_value(given, "set")) {
    if (!sets_optimizer(kv.get<std::string>(), opt)) continue;
    const auto [key, value] = parse_override(kv.get<std::string>());
    apply_optimizer_settings(base, json{{key, value}}, "--set");
  }
  validate_optimizer_settings(opt, base);
  return base;
}

// `v` converted to the option's table type (as the configuration records it).
json typed_value(const SearchOption& o, const json& v) {
  switch (o.type) {
    case OptionType::String:
      return v.get<std::string>();
    case OptionType::Int:
      return v.get<int>();
    case OptionType::Double:
      return v.get<double>();
    case OptionType::Uint64:
      return v.get<uint64_t>();
    case OptionType::Switch:
    case OptionType::Bool:
      return v.get<bool>();
    case OptionType::StringList:
      break;
  }
  return v;
}

}  // namespace

json config_from_options(const GivenOptions& given) {
  auto str = [&](const char* n) { return option_value(given, n).get<std::string>(); };
  auto num = [&](const char* n) { return option_value(given, n).get<int>(); };
  if (str("model").empty() || (str("data").empty() && str("fitness") != "needle") ||
      num("target-length") <= 0)
    fail(ErrorKind::InvalidArgument,
         "search needs --model, --data and --target-length (or --resume)");
  // Every option the run depends on, under its configuration key, as its table type; the
  // long factors only for a short-factor search (below), the hyperparameters resolved (below).
  json c;
  for (const SearchOption& o : search_options())
    if (o.on_resume == OnResume::Match && o.name != "long-factors")
      c[o.key] = typed_value(o, option_value(given, o.name));
  c["fitness"] = fitness_kind_name(parse_fitness_kind(str("fitness")));
  if (c["screen_length"].get<int>() < 0)
    fail(ErrorKind::InvalidArgument, "--screen-length must be >= 0 (0: no screen)");
  if (!(c["screen_keep"].get<double>() > 0 && c["screen_keep"].get<double>() < 1))
    fail(ErrorKind::InvalidArgument, "--screen-keep must be in (0, 1)");
  if (c["screen_length"].get<int>() > 0 && c["fitness"] == "needle")
    fail(ErrorKind::InvalidArgument,
         "--screen-length cuts documents: it works with --fitness ppl or llamacpp");
  if (c["screen_length"].get<int>() > 0 && c["search_short_factors"].get<bool>())
    fail(ErrorKind::InvalidArgument,
         "--screen-length screens long factors: a short-factor search scores at L already");
  if (c["rejudge_f32"].get<int>() < 0)
    fail(ErrorKind::InvalidArgument, "--rejudge-f32 must be >= 0 (0: off)");
  if (!(c["racing_z"].get<double>() >= 0))
    fail(ErrorKind::InvalidArgument, "--racing-z must be >= 0");
  if (c["racing"].get<bool>() && c["short_length"].get<int>() > 0 &&
      !c["search_short_factors"].get<bool>())
    fail(ErrorKind::InvalidArgument,
         "--racing bounds the fitness PPL alone: it cannot be combined with --short-length");
  if (c["fitness"] == "needle" && c["search_short_factors"].get<bool>())
    fail(ErrorKind::InvalidArgument,
         "--fitness needle scores at the target length: a short-factor search scores at L");
  if (const std::string cd = c["critical_dim"].get<std::string>(); !cd.empty()) {
    if (cd != "auto" && (cd.find_first_not_of("0123456789") != std::string::npos || cd.size() > 6))
      fail(ErrorKind::InvalidArgument,
           "--critical-dim must be 'auto' or a pair index K >= 1 (got '" + cd + "')");
    if (c["algorithm"] != "dim_mono")
      fail(ErrorKind::InvalidArgument,
           "--critical-dim works with --algorithm dim_mono (dim_piece_mono fixes its own pieces)");
    if (c["search_short_factors"].get<bool>())
      fail(ErrorKind::InvalidArgument,
           "--critical-dim bounds long factors by s: a short-factor search keeps λ <= s");
  }
  if (c["search_short_factors"].get<bool>()) {
    const std::string lf = str("long-factors");
    if (lf.empty())
      fail(ErrorKind::InvalidArgument, "--search-short-factors needs --long-factors FILE");
    if (c["search_start_tokens"].get<bool>())
      fail(ErrorKind::InvalidArgument,
           "--search-short-factors keeps n̂ = 0: drop --search-start-tokens");
    const FactorFile f = read_factor_file(lf);
    if (f.rows.size() != 1) fail(ErrorKind::Data, lf + ": the search takes one row of factors");
    c["long_factors_file"] = lf;
    c["long_factors"] = f.rows[0];  // inline, so that --resume needs no other file
    // The long factors' own attention factor (a result JSON's mscale: a rule or, from a
    // --search-mscale run, a number) goes with them unless --mscale says otherwise.
    if (f.mscale) {
      if (!given.count("mscale"))
        c["mscale"] = *f.mscale;
      else if (c["mscale"] != *f.mscale)
        fail(ErrorKind::InvalidArgument, "--mscale " + c["mscale"].get<std::string>() +
                                             " differs from the mscale " + *f.mscale + " of " + lf +
                                             ": give one of them");
    }
  }
  std::string hp_path = str("hyperparams");
  if (hp_path.empty()) {
    const std::string guess = "hyperparams/" + c["algorithm"].get<std::string>() + ".json";
    if (fs::exists(guess)) hp_path = guess;
  }
  const Optimizer opt = parse_optimizer(c["optimizer"].get<std::string>());
  GivenOptions hp_given = given;
  hp_given["hyperparams"] = hp_path;
  const HyperParams hp = given_hyperparams(hp_given, HyperParams{}, opt);
  hp.validate();
  c["hyperparams_file"] = hp_path;
  c["hyperparams"] = hp.to_json();
  if (c["max_evaluations"].get<int>() < 0)
    fail(ErrorKind::InvalidArgument, "--max-evaluations must be >= 0 (0: no budget)");
  const std::string sm = c["search_mscale"].get<std::string>();
  if (!sm.empty())  // the text alone (the bounds of auto need the model: search_setup.cpp)
    SearchSpace(Algorithm::DimMono, 1, 1.0, 0.01, {0}, false).set_mscale_search(sm, 1.0, 2);
  if (!sm.empty() && c["search_short_factors"].get<bool>())
    fail(ErrorKind::InvalidArgument,
         "--search-mscale searches the long factors' attention factor: a short-factor search "
         "keeps the long factors' own");
  if (opt == Optimizer::Ga) {  // the GA's record stays as before: no optimizer settings
    if (!sm.empty())
      fail(ErrorKind::InvalidArgument,
           "--search-mscale is a gene of the pagmo optimizers' genotype: the GA's operators do "
           "not carry it (use --optimizer cmaes, xnes, pso_gen, gaco or nsga2)");
    if (!str("optimizer-settings").empty())
      fail(ErrorKind::InvalidArgument,
           "--optimizer-settings sets a pagmo optimizer: the GA takes --hyperparams");
    return c;
  }
  if (!optimizer_available(opt))
    fail(ErrorKind::Unsupported, std::string("--optimizer ") + optimizer_name(opt) +
                                     ": this build has no pagmo2 (only --optimizer ga)");
  if (c["racing"].get<bool>())
    fail(ErrorKind::InvalidArgument,
         "--racing races children against the GA's parents: it works with --optimizer ga");
  if (c["screen_length"].get<int>() > 0 && !optimizer_takes_batches(opt))
    fail(ErrorKind::InvalidArgument, std::string("--screen-length screens a batch: --optimizer ") +
                                         optimizer_name(opt) +
                                         " scores one candidate at a time (use ga, pso_gen, gaco "
                                         "or nsga2)");
  if (opt == Optimizer::Nsga2 && c["search_short_factors"].get<bool>())
    fail(ErrorKind::InvalidArgument,
         "--optimizer nsga2 trades long against short PPL of one factor set: it cannot search "
         "short factors");
  std::string os_path = str("optimizer-settings");
  if (os_path.empty()) {
    const std::string guess = "hyperparams/" + c["optimizer"].get<std::string>() + ".json";
    if (fs::exists(guess)) os_path = guess;
  }
  GivenOptions os_given = given;
  os_given["optimizer-settings"] = os_path;
  c["optimizer_settings_file"] = os_path;
  c["optimizer_settings"] =
      given_optimizer_settings(os_given, default_optimizer_settings(opt), opt);
  return c;
}

void check_resume_options(const GivenOptions& given, const json& cfg, const std::string& archive) {
  std::vector<std::string> conflicts;
  for (const SearchOption& o : search_options()) {
    auto it = given.find(o.name);
    if (it == given.end() || o.on_resume != OnResume::Match) continue;
    json g = it->second;
    if (g.is_boolean() && !g.get<bool>()) continue;  // a switch not given
    if (o.name == "fitness") g = fitness_kind_name(parse_fitness_kind(g.get<std::string>()));
    const json stored = cfg.contains(o.key) ? cfg[o.key] : json();
    const bool same = o.path && g.is_string() && stored.is_string()
                          ? same_path(g.get<std::string>(), stored.get<std::string>())
                          : g == stored;
    if (!same)
      conflicts.push_back("--" + o.name + " " + g.dump() + " (the run has " + stored.dump() + ")");
  }
  if (given.count("set") || given.count("hyperparams")) {  // compared by the values they give
    const Optimizer opt = parse_optimizer(cfg.value("optimizer", std::string("ga")));
    HyperParams run;
    apply_hyperparams(run, cfg.at("hyperparams"), archive);
    const json have = run.to_json(), want = given_hyperparams(given, run, opt).to_json();
    for (const auto& [key, value] : want.items())
      if (!have.contains(key) || have[key] != value)
        conflicts.push_back("--set/--hyperparams " + key + "=" + value.dump() + " (the run has " +
                            (have.contains(key) ? have[key].dump() : "none") + ")");
  }
  if ((given.count("set") || given.count("optimizer-settings")) &&
      cfg.contains("optimizer_settings")) {
    const Optimizer opt = parse_optimizer(cfg.value("optimizer", std::string("ga")));
    const json& have = cfg["optimizer_settings"];
    const json want = given_optimizer_settings(given, have, opt);
    for (const auto& [key, value] : want.items())
      if (!have.contains(key) || have[key] != value)
        conflicts.push_back("--set/--optimizer-settings " + key + "=" + value.dump() +
                            " (the run has " + (have.contains(key) ? have[key].dump() : "none") +
                            ")");
  }
  if (given.count("output-dir") && !same_path(given.at("output-dir").get<std::string>(),
                                              fs::path(archive).parent_path().string()))
    conflicts.push_back("--output-dir (a resumed run writes beside its archive)");
  if (conflicts.empty()) return;
  std::string msg = archive + ": --resume continues the run as it was started; conflicting:";
  for (size_t i = 0; i < conflicts.size(); ++i) msg += (i ? "; " : " ") + conflicts[i];
  fail(ErrorKind::InvalidArgument, msg);
}

}  // namespace lr

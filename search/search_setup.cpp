// Building a search from its run configuration (what `longrope search` and --resume run).
#include "search/search_setup.h"

#include <iostream>
#include <sstream>

#include "core/kernels/compute.h"
#include "core/kernels/kernels.h"
#include "core/rope/critical_dim.h"
#include "core/rope/factors.h"
#include "core/util/error.h"
#include "core/util/sha256.h"
#include "datasets/model_tokenizer.h"
#include "search/archive.h"
#include "search/pagmo_search.h"
#include "search/pareto.h"
#include "search/replay_evaluator.h"
#include "search/run_recorder.h"

using nlohmann::json;

namespace lr {

namespace {

// config[key] as a T; a missing key or a value of another type is a Format error naming it.
template <class T>
T key_get(const json& c, const char* key, const std::string& where) {
  try {
    return c.at(key).get<T>();
  } catch (const json::exception& e) {
    fail(ErrorKind::Format, where + ": malformed search configuration: '" + key + "': " + e.what());
  }
}

// The same for a key older archives may lack.
template <class T>
T key_get_or(const json& c, const char* key, T dflt, const std::string& where) {
  return c.contains(key) ? key_get<T>(c, key, where) : dflt;
}

// Short-factor search seeds: ones (the original RoPE) and the long factors, then a file.
std::vector<Seed> short_factor_seeds(const FitnessSpec& spec, const SeedOptions& so) {
  std::vector<Seed> seeds = {{"ones", std::vector<double>(spec.long_factors.size(), 1.0)},
                             {"long", spec.long_factors}};
  if (!so.init_factors.empty()) {
    const FactorFile f = read_factor_file(so.init_factors);
    validate_factors({f.rows.at(0)}, static_cast<int>(spec.long_factors.size()), 1, FactorChecks{},
                     so.init_factors);
    seeds.push_back({"init-file", f.rows[0]});
  }
  return seeds;
}

// LongRoPE2 mode: the critical pair of --critical-dim (auto or K), checked against the model;
// -1 when off.
int critical_pair(const json& cfg, const ModelConfig& mc, const FitnessSpec& spec,
                  const std::string& where) {
  const std::string cd = key_get_or<std::string>(cfg, "critical_dim", "", where);
  if (cd.empty()) return -1;
  if (key_get<std::string>(cfg, "algorithm", where) != "dim_mono" || spec.short_search())
    fail(ErrorKind::InvalidArgument,
         "--critical-dim works with --algorithm dim_mono and long factors only");
  const int half = mc.head_dim / 2;
  const CriticalDim c = critical_dim(mc.rope_theta, mc.head_dim, spec.original_length);
  int k = c.first_pair;
  if (cd != "auto") {
    try {
      size_t used = 0;
      k = std::stoi(cd, &used);
      if (used != cd.size()) k = -1;
    } catch (const std::exception&) {
      k = -1;
    }
  }
  if (k < 1 || k > half - 1) {
    std::ostringstream o;
    o << "--critical-dim " << cd << ": the critical pair must be in 1.." << half - 1
      << " for head_dim " << mc.head_dim;
    if (cd == "auto")
      o << " (auto: the first pair whose period exceeds L is " << k
        << "; (d/2)·log_b(L/2π) = " << c.x << " with b = " << mc.rope_theta
        << ", L = " << spec.original_length << ")";
    fail(ErrorKind::InvalidArgument, o.str());
  }
  return k;
}

}  // namespace

SearchSetup setup_search(json cfg, const SetupOptions& o) {
  const std::string where = o.resume.empty() ? std::string("search") : o.resume;
  SearchSetup s;
  s.model = load_model(key_get<std::string>(cfg, "model", where));
  const Model& model = *s.model;
  const std::string data = key_get<std::string>(cfg, "data", where);
  const std::string tokenizer = key_get<std::string>(cfg, "tokenizer", where);
  if (!data.empty()) s.shard = read_shard(data);
  const std::string model_fp = model_fingerprint(model);
  const std::string shard_fp = data.empty() ? "" : sha256_file(data);
  if (!data.empty()) check_shard_tokenizer(s.shard, model, tokenizer, data);
  if (!o.resume.empty()) {
    if (cfg.value("model_fingerprint", "") != model_fp)
      fail(ErrorKind::Data, o.resume + ": the model " + cfg["model"].dump() +
                                " changed since this run started (fingerprint differs)");
    if (cfg.value("shard_sha256", "") != shard_fp)
      fail(ErrorKind::Data, o.resume + ": the shard " + cfg["data"].dump() +
                                " changed since this run started (SHA-256 differs)");
  }
  cfg["model_fingerprint"] = model_fp;
  cfg["shard_sha256"] = shard_fp;
  // What decides the bits of every score (docs/kernels.md, "Search archives and MPI"): a resumed
  // run must compute alike.
  const std::string numerics = numerics_signature();
  const std::string kernel_path = kernel_path_name(active_kernel_path());
  if (!o.resume.empty() && !check_archive_numerics(cfg, numerics, kernel_path, o.resume) &&
      !o.quiet)
    std::cerr << "note: " << o.resume << " predates the numerics record; not checked\n";
  cfg["kernels"] = kernel_path;
  cfg["numerics"] = numerics;

  FitnessSpec& spec = s.spec;
  spec.target_length = key_get<int>(cfg, "target_length", where);
  const int omp = key_get<int>(cfg, "original_max_position", where);
  spec.original_length = omp > 0 ? omp : model.config.max_position;
  if (spec.original_length <= 0)
    fail(ErrorKind::InvalidArgument,
         "the model does not state its trained context: pass --original-max-position");
  if (spec.target_length < spec.original_length)
    fail(ErrorKind::InvalidArgument, "--target-length must be >= the original length");
  spec.samples = key_get<int>(cfg, "samples", where);
  if (spec.samples < 1) fail(ErrorKind::InvalidArgument, "--samples must be >= 1");
  spec.kind = parse_fitness_kind(key_get_or<std::string>(cfg, "fitness", "ppl", where));
  spec.short_length = key_get<int>(cfg, "short_length", where);
  s.optimizer = parse_optimizer(key_get_or<std::string>(cfg, "optimizer", "ga", where));
  if (s.optimizer != Optimizer::Ga) {
    if (!optimizer_available(s.optimizer))
      fail(ErrorKind::Unsupported, where + ": --optimizer " + optimizer_name(s.optimizer) +
                                       " needs pagmo2, which this build lacks");
    s.optimizer_settings = default_optimizer_settings(s.optimizer);
    apply_optimizer_settings(s.optimizer_settings, key_get<json>(cfg, "optimizer_settings", where),
                             where);
    validate_optimizer_settings(s.optimizer, s.optimizer_settings);
  }
  s.budget.max_evaluations = key_get_or<int>(cfg, "max_evaluations", 0, where);
  s.budget.max_tokens = static_cast<long>(key_get_or<uint64_t>(cfg, "max_tokens", 0, where));
  // NSGA-II's second objective is the PPL at L unless another short length is given.
  if (s.optimizer == Optimizer::Nsga2 && spec.short_length == 0)
    spec.short_length = spec.original_length;
  spec.single_set = s.optimizer == Optimizer::Nsga2;
  if (spec.short_length > 0 && data.empty())
    fail(ErrorKind::InvalidArgument, "--short-length scores documents: give --data");
  spec.short_weight = key_get<double>(cfg, "short_weight", where);
  spec.short_max_ppl = key_get<double>(cfg, "short_max_ppl", where);
  RopeScaling ms;
  parse_mscale(key_get<std::string>(cfg, "mscale", where), ms);
  spec.mscale = ms.mscale;
  spec.mscale_value = ms.mscale_value;
  if (key_get_or<bool>(cfg, "search_short_factors", false, where)) {
    spec.long_factors = key_get<std::vector<double>>(cfg, "long_factors", where);
    validate_factors({spec.long_factors}, model.config.head_dim / 2, model.config.n_layers,
                     FactorChecks{},
                     key_get_or<std::string>(cfg, "long_factors_file", "long factors", where));
  }
  cfg["scale"] = spec.scale();
  cfg["original_length"] = spec.original_length;

  if (!cfg.contains("hyperparams")) key_get<json>(cfg, "hyperparams", where);  // names the key
  apply_hyperparams(s.hp, cfg["hyperparams"], "archive");
  const HyperParams& hp = s.hp;
  s.algorithm = parse_algorithm(key_get<std::string>(cfg, "algorithm", where));
  key_get<uint64_t>(cfg, "seed", where);  // the evolution's, checked here
  const bool search_n = key_get<bool>(cfg, "search_start_tokens", where);
  s.space = SearchSpace(s.algorithm, model.config.head_dim / 2, spec.scale(), hp.list_step,
                        search_n ? hp.start_token_set : std::vector<int>{0}, search_n);
  if (s.algorithm == Algorithm::DimPieceMono) {
    if (hp.alpha >= 0) s.space.alpha = hp.alpha;
    if (hp.beta >= 0) s.space.beta = hp.beta;
  }
  if (const int k = critical_pair(cfg, model.config, spec, where); k > 0) {
    s.space.critical = k;
    cfg["critical_pair"] = k;
  }
  if (const auto sm = key_get_or<std::string>(cfg, "search_mscale", "", where); !sm.empty()) {
    if (s.optimizer == Optimizer::Ga || spec.short_search())
      fail(ErrorKind::InvalidArgument, where +
                                           ": --search-mscale needs a pagmo optimizer and "
                                           "long factors");
    // Seeded with the factor the --mscale rule gives at the target.
    s.space.set_mscale_search(
        sm, rule_mscale(spec.mscale, spec.mscale_value, spec.scale(), spec.original_length),
        spec.original_length);
    const json bounds = {s.space.mscale_lo, s.space.mscale_hi};
    if (cfg.contains("mscale_bounds") && cfg["mscale_bounds"] != bounds)
      fail(ErrorKind::Data, where + ": --search-mscale " + sm + " now gives the bounds " +
                                bounds.dump() + ", the run has " + cfg["mscale_bounds"].dump());
    cfg["mscale_bounds"] = bounds;
  }
  if (spec.short_search()) {  // λ_i in [1, s], n̂ = 0
    if (s.algorithm != Algorithm::DimMono)
      fail(ErrorKind::InvalidArgument, "--search-short-factors works with --algorithm dim_mono");
    s.space.max_factor = spec.scale();
  }
  SeedOptions& so = s.seed_options;
  so.scale = spec.scale();
  so.original_length = spec.original_length;
  so.yarn_beta_fast = key_get<double>(cfg, "beta_fast", where);
  so.yarn_beta_slow = key_get<double>(cfg, "beta_slow", where);
  so.init_factors = key_get<std::string>(cfg, "init_factors", where);
  so.auto_rescale = key_get<bool>(cfg, "auto_rescale_init_factors", where);
  so.init_scale = key_get<double>(cfg, "init_scale", where);
  s.seeds = spec.short_search() ? short_factor_seeds(spec, so) : make_seeds(model.config, so);

  if (spec.kind == FitnessKind::Needle) {
    auto tok = model_tokenizer(model, tokenizer);
    s.items = needle_items(*tok, model.config, spec.samples, spec.target_length,
                           key_get_or<uint64_t>(cfg, "needle_seed", 0, where));
  } else {
    s.items = document_items(spec.kind, model.config, s.shard, spec.samples, spec.fitness_length());
  }
  if (static_cast<int>(s.items.size()) < spec.samples && !o.quiet)
    std::cerr << "note: only " << s.items.size() << " of " << spec.samples
              << " requested documents are long enough\n";
  s.screen_length = key_get_or<int>(cfg, "screen_length", 0, where);
  s.screen_keep = key_get_or<double>(cfg, "screen_keep", 0.5, where);
  s.racing = key_get_or<bool>(cfg, "racing", false, where);
  s.racing_z = key_get_or<double>(cfg, "racing_z", 2.0, where);
  s.rejudge_f32 = key_get_or<int>(cfg, "rejudge_f32", 0, where);  // older archives: none
  if (s.rejudge_f32 < 0) fail(ErrorKind::Format, where + ": rejudge_f32 must be >= 0");
  if (s.screen_length > 0 && (s.screen_length < 2 || s.screen_length >= spec.fitness_length()))
    fail(ErrorKind::InvalidArgument,
         "--screen-length must be in 2.." + std::to_string(spec.fitness_length() - 1));
  s.config = std::move(cfg);
  return s;
}

std::unique_ptr<Evaluator> make_search_evaluator(const SearchSetup& s, int threads, int parallel) {
  return make_local_evaluator(*s.model, s.items, s.shard, s.spec, threads, parallel);
}

std::unique_ptr<Evaluator> make_judge_evaluator(const SearchSetup& s, int threads, int parallel) {
  if (s.rejudge_f32 <= 0 || compute_precision() == Compute::F32) return nullptr;
  return make_search_evaluator(s, threads, parallel);
}

std::unique_ptr<Evaluator> make_screen_evaluator(const SearchSetup& s, int threads, int parallel,
                                                 bool distributed) {
  if (s.screen_length <= 0) return nullptr;
  if (distributed)
    fail(ErrorKind::Unsupported, "--screen-length does not run under MPI yet: use one process");
  // The same documents (or chunks) cut short, the target's scaling.
  FitnessSpec sspec = s.spec;
  sspec.short_length = 0;
  return make_local_evaluator(
      *s.model,
      document_items(s.spec.kind, s.model->config, s.shard, s.spec.samples, s.screen_length),
      s.shard, sspec, threads, parallel);
}

EvolutionResult run_search_evolution(const SearchSetup& s, Evaluator& evaluator, Evaluator* screen,
                                     const std::string& dir, const std::vector<Individual>& done,
                                     bool quiet, Evaluator* judge) {
  const FitnessSpec spec = s.spec;
  const json& cfg = s.config;
  // Resuming: the archived evaluations are replayed, the rest run.
  ReplayEvaluator full(evaluator, s.space, done, ReplayStage::Full);
  std::unique_ptr<ReplayEvaluator> screened;
  if (screen)
    screened = std::make_unique<ReplayEvaluator>(*screen, s.space, done, ReplayStage::Screen);
  const auto objective = [spec](const Fitness& f) { return spec.combine(f); };
  std::unique_ptr<SearchAlgorithm> algo;
  long planned = 0;
  int generations = 0;
  if (s.optimizer == Optimizer::Ga) {
    const EvolutionOptions eo{s.racing, s.racing_z, screened.get(), s.screen_keep, s.budget};
    auto evo = std::make_unique<Evolution>(s.space, s.hp, cfg.at("seed").get<uint64_t>(), full,
                                           objective, eo);
    planned = evo->planned();
    generations = s.hp.iterations();
    algo = std::move(evo);
  } else {
    PagmoOptions po;
    po.optimizer = s.optimizer;
    po.settings = s.optimizer_settings;
    po.seed = cfg.at("seed").get<uint64_t>();
    po.budget = s.budget;
    po.screen = screened.get();
    po.screen_keep = s.screen_keep;
    algo = make_pagmo_search(s.space, po, full, objective);
    planned = planned_evaluations(cfg);
    generations = s.optimizer_settings.at("generations").get<int>();
  }
  RecorderOptions ro;
  ro.dir = dir;
  ro.config = cfg;
  ro.final_extra = {{"mscale", cfg.at("mscale")},
                    {"screen_length", s.screen_length},
                    {"fitness", fitness_kind_name(spec.kind)},
                    {"racing", s.racing},
                    {"scale", spec.scale()},
                    {"target_length", spec.target_length},
                    {"original_max_position", spec.original_length},
                    {"algorithm", cfg.at("algorithm")},
                    {"seed", cfg.at("seed")}};
  if (spec.short_search()) ro.final_extra["long_factor"] = spec.long_factors;
  if (s.space.search_mscale()) ro.final_extra["search_mscale"] = cfg.at("search_mscale");
  if (s.optimizer != Optimizer::Ga) ro.final_extra["optimizer"] = optimizer_name(s.optimizer);
  if (s.space.critical > 0) {
    ro.final_extra["critical_dim"] = cfg.at("critical_dim");
    ro.final_extra["critical_pair"] = s.space.critical;
  }
  ro.factors_key = spec.short_search() ? "short_factor" : "factors";
  ro.half = s.space.half;
  ro.archived = done;
  ro.planned = planned;
  ro.iterations = generations;
  ro.screen = screen != nullptr;
  ro.quiet = quiet;
  ro.compute = compute_name(compute_precision());
  RunRecorder recorder(std::move(ro));
  algo->add_observer(recorder);
  if (!two_objectives(cfg))  // a two-objective run's result is the knee of its front
    algo->set_rejudge({s.rejudge_f32, judge ? judge : &evaluator, done});
  if (!quiet)
    std::cerr << "search: " << (spec.short_search() ? "short factors, " : "")
              << algorithm_name(s.algorithm) << ", " << optimizer_name(s.optimizer)
              << (s.space.critical > 0
                      ? ", LongRoPE2 critical pair " + std::to_string(s.space.critical)
                      : std::string())
              << ", s = " << spec.scale() << " (" << spec.original_length << " -> "
              << spec.target_length << "), "
              << (s.optimizer == Optimizer::Ga
                      ? std::to_string(s.hp.population()) + " + " +
                            std::to_string(s.hp.iterations()) + " x " +
                            std::to_string(s.hp.mutations() + s.hp.crossovers())
                      : "at most " + std::to_string(planned))
              << " evaluations, fitness " << fitness_kind_name(spec.kind)
              << (s.racing ? ", racing" : "")
              << (screen ? ", length screen at " + std::to_string(s.screen_length) : "")
              << ", output " << dir << "\n";
  return algo->run(s.seeds);
}

json result_rows(const SearchSetup& s, const Individual& best, Evaluator& evaluator, bool baselines,
                 int threads) {
  const FitnessSpec& spec = s.spec;
  json rows = json::array();
  rows.push_back({{"method", spec.short_search() ? "long + searched short" : "longrope (searched)"},
                  {"ppl", best.ppl},
                  {"start_tokens", best.start_tokens}});
  // Two objectives: every row also holds its PPL at the short length, the baselines scored on
  // the evaluator's short items (the same documents or chunks) by an evaluator of their own.
  std::unique_ptr<Evaluator> at_short;
  if (two_objectives(s.config) && spec.short_length > 0 && !spec.short_search()) {
    rows[0]["short_ppl"] = best.short_ppl;
    FitnessSpec sspec = spec;
    sspec.short_length = 0;
    if (baselines)
      at_short = make_local_evaluator(
          *s.model,
          document_items(
              spec.kind == FitnessKind::LlamaCpp ? FitnessKind::LlamaCpp : FitnessKind::Ppl,
              s.model->config, s.shard, spec.samples, spec.short_length),
          s.shard, sspec, threads, 1);
  }
  if (baselines && spec.short_search()) {
    // At L: the pair vs the long factors alone vs ones as short factors vs unscaled.
    RopeScaling r = spec.scaling_for(best, spec.original_length);
    r.short_factors.clear();
    rows.push_back({{"method", "long factors alone"},
                    {"ppl", evaluator.evaluate_scaling(r)},
                    {"start_tokens", 0}});
    r.short_factors = {std::vector<double>(s.space.half, 1.0)};
    rows.push_back({{"method", "long + ones as short"},
                    {"ppl", evaluator.evaluate_scaling(r)},
                    {"start_tokens", 0}});
    rows.push_back({{"method", "none"},
                    {"ppl", evaluator.evaluate_scaling(RopeScaling{})},
                    {"start_tokens", 0}});
  } else if (baselines) {
    for (RopeKind k : {RopeKind::Linear, RopeKind::Ntk, RopeKind::Yarn}) {
      RopeScaling r;
      r.kind = k;
      r.factor = spec.scale();
      r.original_max_position = spec.original_length;
      r.beta_fast = s.seed_options.yarn_beta_fast;
      r.beta_slow = s.seed_options.yarn_beta_slow;
      rows.push_back({{"method", rope_kind_name(k)},
                      {"ppl", evaluator.evaluate_scaling(r)},
                      {"start_tokens", 0}});
      if (at_short) rows.back()["short_ppl"] = at_short->evaluate_scaling(r);
    }
  }
  return rows;
}

}  // namespace lr

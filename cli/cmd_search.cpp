// `longrope search`: evolutionary search of LongRoPE factors (and n̂), resumable.
#include <ctime>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.h"
#include "cli/options.h"
#include "core/kernels/kernels.h"
#include "core/rope/factors.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "core/util/sha256.h"
#include "datasets/shard.h"
#include "longrope/version.h"
#include "search/archive.h"
#include "search/evolution.h"
#include "search/mpi_evaluator.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace lr::cli {

namespace {

json config_from_options(const po::variables_map& vm) {
  json c;
  c["model"] = vm["model"].as<std::string>();
  c["data"] = vm["data"].as<std::string>();
  c["tokenizer"] = vm["tokenizer"].as<std::string>();
  c["target_length"] = vm["target-length"].as<int>();
  c["original_max_position"] = vm["original-max-position"].as<int>();
  c["samples"] = vm["samples"].as<int>();
  c["algorithm"] = vm["algorithm"].as<std::string>();
  c["seed"] = vm["seed"].as<uint64_t>();
  c["search_start_tokens"] = vm["search-start-tokens"].as<bool>();
  c["init_factors"] = vm["init-factors"].as<std::string>();
  c["auto_rescale_init_factors"] = vm["auto-rescale-init-factors"].as<bool>();
  c["init_scale"] = vm["init-scale"].as<double>();
  c["beta_fast"] = vm["beta-fast"].as<double>();
  c["beta_slow"] = vm["beta-slow"].as<double>();
  c["mscale"] = vm["mscale"].as<std::string>();
  c["short_length"] = vm["short-length"].as<int>();
  c["short_weight"] = vm["short-weight"].as<double>();
  c["short_max_ppl"] = vm["short-max-ppl"].as<double>();
  c["search_short_factors"] = vm["search-short-factors"].as<bool>();
  c["fitness"] = fitness_kind_name(parse_fitness_kind(vm["fitness"].as<std::string>()));
  c["needle_seed"] = vm["needle-seed"].as<uint64_t>();
  c["racing"] = vm["racing"].as<bool>();
  c["racing_z"] = vm["racing-z"].as<double>();
  c["screen_length"] = vm["screen-length"].as<int>();
  c["screen_keep"] = vm["screen-keep"].as<double>();
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
  if (!(c["racing_z"].get<double>() >= 0))
    fail(ErrorKind::InvalidArgument, "--racing-z must be >= 0");
  if (c["racing"].get<bool>() && c["short_length"].get<int>() > 0 &&
      !c["search_short_factors"].get<bool>())
    fail(ErrorKind::InvalidArgument,
         "--racing bounds the fitness PPL alone: it cannot be combined with --short-length");
  if (c["fitness"] == "needle" && c["search_short_factors"].get<bool>())
    fail(ErrorKind::InvalidArgument,
         "--fitness needle scores at the target length: a short-factor search scores at L");
  if (c["search_short_factors"].get<bool>()) {
    const std::string lf = vm["long-factors"].as<std::string>();
    if (lf.empty())
      fail(ErrorKind::InvalidArgument, "--search-short-factors needs --long-factors FILE");
    if (c["search_start_tokens"].get<bool>())
      fail(ErrorKind::InvalidArgument,
           "--search-short-factors keeps n̂ = 0: drop --search-start-tokens");
    const FactorFile f = read_factor_file(lf);
    if (f.rows.size() != 1) fail(ErrorKind::Data, lf + ": the search takes one row of factors");
    c["long_factors_file"] = lf;
    c["long_factors"] = f.rows[0];  // inline, so that --resume needs no other file
  }
  std::string hp_path = vm["hyperparams"].as<std::string>();
  if (hp_path.empty()) {
    const std::string guess = "hyperparams/" + c["algorithm"].get<std::string>() + ".json";
    if (fs::exists(guess)) hp_path = guess;
  }
  HyperParams hp = hp_path.empty() ? HyperParams{} : load_hyperparams(hp_path);
  if (vm.count("set"))
    for (const auto& kv : vm["set"].as<std::vector<std::string>>()) apply_override(hp, kv);
  hp.validate();
  c["hyperparams_file"] = hp_path;
  c["hyperparams"] = hp.to_json();
  return c;
}

// `label`: what the fitness is ("ppl", or "needle_ppl": the PPL of the passkey's tokens).
void print_summary(const json& rows, const std::string& dir, const std::string& label) {
  std::printf("\n%-28s %12s %8s\n", "method", label.c_str(), "n̂");
  std::ostringstream csv;
  csv << "method," << label << ",start_tokens\n";
  for (const auto& r : rows) {
    std::printf("%-28s %12.4f %8d\n", r["method"].get<std::string>().c_str(),
                r["ppl"].get<double>(), r["start_tokens"].get<int>());
    csv << r["method"].get<std::string>() << "," << r["ppl"].get<double>() << ","
        << r["start_tokens"].get<int>() << "\n";
  }
  write_file_atomically(dir + "/summary.csv", csv.str());
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

// --resume continues a run as it was configured: an option given again must agree with the
// archive (paths compared after resolving them); anything else is refused, naming each option.
void check_resume_options(const po::variables_map& vm, const json& cfg,
                          const std::string& archive) {
  struct Opt {
    const char* option;
    const char* key;
    bool path;
  };
  static const Opt opts[] = {{"model", "model", true},
                             {"data", "data", true},
                             {"tokenizer", "tokenizer", true},
                             {"target-length", "target_length", false},
                             {"original-max-position", "original_max_position", false},
                             {"samples", "samples", false},
                             {"algorithm", "algorithm", false},
                             {"seed", "seed", false},
                             {"search-start-tokens", "search_start_tokens", false},
                             {"init-factors", "init_factors", true},
                             {"auto-rescale-init-factors", "auto_rescale_init_factors", false},
                             {"init-scale", "init_scale", false},
                             {"beta-fast", "beta_fast", false},
                             {"beta-slow", "beta_slow", false},
                             {"mscale", "mscale", false},
                             {"short-length", "short_length", false},
                             {"short-weight", "short_weight", false},
                             {"short-max-ppl", "short_max_ppl", false},
                             {"search-short-factors", "search_short_factors", false},
                             {"long-factors", "long_factors_file", true},
                             {"fitness", "fitness", false},
                             {"needle-seed", "needle_seed", false},
                             {"racing", "racing", false},
                             {"racing-z", "racing_z", false},
                             {"screen-length", "screen_length", false},
                             {"screen-keep", "screen_keep", false}};
  auto same_path = [](const std::string& a, const std::string& b) {
    std::error_code e1, e2;
    return a == b || fs::weakly_canonical(a, e1) == fs::weakly_canonical(b, e2);
  };
  std::vector<std::string> conflicts;
  for (const Opt& o : opts) {
    if (!vm.count(o.option) || vm[o.option].defaulted()) continue;
    const auto& v = vm[o.option].value();
    json given;
    if (const auto* x = boost::any_cast<std::string>(&v))
      given = *x;
    else if (const auto* x = boost::any_cast<int>(&v))
      given = *x;
    else if (const auto* x = boost::any_cast<double>(&v))
      given = *x;
    else if (const auto* x = boost::any_cast<bool>(&v))
      given = *x;
    else if (const auto* x = boost::any_cast<uint64_t>(&v))
      given = *x;
    if (given.is_boolean() && !given.get<bool>()) continue;  // a switch not given
    const json stored = cfg.contains(o.key) ? cfg[o.key] : json();
    const bool same = o.path && given.is_string() && stored.is_string()
                          ? same_path(given.get<std::string>(), stored.get<std::string>())
                          : given == stored;
    if (!same)
      conflicts.push_back("--" + std::string(o.option) + " " + given.dump() + " (the run has " +
                          stored.dump() + ")");
  }
  if (vm.count("set") || !vm["hyperparams"].defaulted())
    conflicts.push_back("--set/--hyperparams (a run keeps its hyperparameters)");
  if (!vm["output-dir"].defaulted() &&
      !same_path(vm["output-dir"].as<std::string>(), fs::path(archive).parent_path().string()))
    conflicts.push_back("--output-dir (a resumed run writes beside its archive)");
  if (conflicts.empty()) return;
  std::string msg = archive + ": --resume continues the run as it was started; conflicting:";
  for (size_t i = 0; i < conflicts.size(); ++i) msg += (i ? "; " : " ") + conflicts[i];
  fail(ErrorKind::InvalidArgument, msg);
}

// The --resume argument, if any (to name the archive when its config is malformed).
std::string resume_arg(const Args& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--resume" && i + 1 < args.size()) return args[i + 1];
    if (args[i].rfind("--resume=", 0) == 0) return args[i].substr(9);
  }
  return "";
}

}  // namespace

int run_search(const Args& args, const MpiContext& mpi);

int cmd_search(const Args& args) {
  const MpiContext mpi = mpi_init_if_launched(nullptr, nullptr);
  try {
    try {
      return run_search(args, mpi);
    } catch (const json::exception& e) {  // a config value of the wrong type or missing
      const std::string where = resume_arg(args);
      fail(ErrorKind::Format, (where.empty() ? std::string("search") : where) +
                                  ": malformed search configuration: " + e.what());
    }
  } catch (const Error& e) {
    if (mpi.active && mpi.size > 1) {
      std::cerr << "longrope: error (rank " << mpi.rank << "): " << e.what() << "\n";
      mpi_abort(exit_code(e.kind()));
    }
    throw;
  }
}

int run_search(const Args& args, const MpiContext& mpi) {
  po::options_description d("search options");
  d.add_options()("model", po::value<std::string>()->default_value(""),
                  "model (HF, GGUF, llama2.c)")("data", po::value<std::string>()->default_value(""),
                                                "shard of search documents")(
      "tokenizer", po::value<std::string>()->default_value(""), "tokenizer override")(
      "target-length", po::value<int>()->default_value(0), "length the factors are searched for")(
      "original-max-position", po::value<int>()->default_value(0), "L (0 = the model's)")(
      "samples", po::value<int>()->default_value(5), "documents per fitness evaluation")(
      "algorithm", po::value<std::string>()->default_value("dim_mono"),
      "dim_mono | dim_piece_mono")(
      "hyperparams", po::value<std::string>()->default_value(""),
      "JSON file (default hyperparams/<algorithm>.json when present, else built-in defaults)")(
      "set", po::value<std::vector<std::string>>()->composing(),
      "override one hyperparameter: key=value (repeatable)")(
      "seed", po::value<uint64_t>()->default_value(0), "random seed")(
      "search-start-tokens", po::bool_switch(), "also search n̂ over start_token_set")(
      "init-factors", po::value<std::string>()->default_value(""), "extra seed (CSV or JSON)")(
      "auto-rescale-init-factors", po::bool_switch(), "rescale the init factors to s, s/2, ...")(
      "init-scale", po::value<double>()->default_value(0.0),
      "scale the init factors were found for")(
      "beta-fast", po::value<double>()->default_value(32.0), "YaRN seed beta_fast")(
      "beta-slow", po::value<double>()->default_value(1.0), "YaRN seed beta_slow")(
      "mscale", po::value<std::string>()->default_value("su"), "su | yarn | one | a number")(
      "short-length", po::value<int>()->default_value(0), "also score this (short) length")(
      "short-weight", po::value<double>()->default_value(0.0), "objective += w * short PPL")(
      "short-max-ppl", po::value<double>()->default_value(0.0), "constraint: short PPL <= this")(
      "search-short-factors", po::bool_switch(),
      "search short factors (scored at L, deployed beside --long-factors)")(
      "long-factors", po::value<std::string>()->default_value(""),
      "the long factors the short ones are deployed with (CSV or JSON)")(
      "fitness", po::value<std::string>()->default_value("ppl"),
      "ppl (documents of --data, cut to the length) | llamacpp (--data joined, chunks of the "
      "length, second halves scored: eval ppl --mode llamacpp) | needle (passkey prompts, "
      "scored on the key's tokens)")("needle-seed", po::value<uint64_t>()->default_value(0),
                                     "seed of the needle prompts")(
      "racing", po::bool_switch(),
      "stop scoring a candidate once it cannot enter the population (README, Racing)")(
      "racing-z", po::value<double>()->default_value(2.0),
      "racing: confidence bound width in standard errors")(
      "screen-length", po::value<int>()->default_value(0),
      "score children first on the items cut to this length; only the best go on (README, "
      "Length screen)")("screen-keep", po::value<double>()->default_value(0.5),
                        "length screen: the share of each generation's children scored in full")(
      "parallel-candidates", po::value<int>()->default_value(1), "candidates evaluated at once")(
      "output-dir", po::value<std::string>()->default_value(""),
      "run folder (default results/search-<time>)")(
      "resume", po::value<std::string>()->default_value(""),
      "continue the run in this archive.h5 (options given again must match the run)")(
      "baselines", po::value<bool>()->default_value(true), "final table vs PI, NTK, YaRN");
  d.add(common_options());
  po::variables_map vm;
  if (!parse(args, d, vm,
             "usage: longrope search --model M --data shard.h5 --target-length N [options]\n"
             "       longrope search --resume results/RUN/archive.h5"))
    return 0;
  const bool quiet = apply_common(vm) || mpi.rank > 0;
  const int threads = vm["threads"].as<int>();
  const bool distributed = mpi.active && mpi.size > 1;

  json cfg;
  std::string dir = vm["output-dir"].as<std::string>();
  std::vector<Individual> done;
  const std::string resume = vm["resume"].as<std::string>();
  if (!resume.empty()) {
    ArchiveData a = read_archive(resume);
    cfg = a.config;
    check_resume_options(vm, cfg, resume);
    done = a.individuals;
    dir = fs::path(resume).parent_path().string();
    if (dir.empty()) dir = ".";
    if (a.final_best >= 0 && !quiet) std::cerr << "note: this run had already finished\n";
  } else {
    const bool needle = vm["fitness"].as<std::string>() == "needle";
    if (vm["model"].as<std::string>().empty() ||
        (vm["data"].as<std::string>().empty() && !needle) || vm["target-length"].as<int>() <= 0)
      fail(ErrorKind::InvalidArgument,
           "search needs --model, --data and --target-length (or --resume)");
    cfg = config_from_options(vm);
  }

  auto model = load_model(cfg["model"].get<std::string>());
  const std::string data = cfg["data"].get<std::string>();
  const Shard shard = data.empty() ? Shard{} : read_shard(data);
  const std::string model_fp = model_fingerprint(*model);
  const std::string shard_fp = data.empty() ? "" : sha256_file(data);
  if (!data.empty())
    check_shard_tokenizer(shard, *model, cfg["tokenizer"].get<std::string>(), data);
  if (!resume.empty()) {
    if (cfg.value("model_fingerprint", "") != model_fp)
      fail(ErrorKind::Data, resume + ": the model " + cfg["model"].dump() +
                                " changed since this run started (fingerprint differs)");
    if (cfg.value("shard_sha256", "") != shard_fp)
      fail(ErrorKind::Data, resume + ": the shard " + cfg["data"].dump() +
                                " changed since this run started (SHA-256 differs)");
  }
  cfg["model_fingerprint"] = model_fp;
  cfg["shard_sha256"] = shard_fp;
  cfg["toolkit"] = std::string("longrope ") + kVersion + " (" + kGitSha + ")";
  // What decides the bits of every score (README, Kernels): a resumed run must compute alike.
  const std::string numerics = numerics_signature();
  const std::string kernel_path = kernel_path_name(active_kernel_path());
  if (!resume.empty() && !check_archive_numerics(cfg, numerics, kernel_path, resume) && !quiet)
    std::cerr << "note: " << resume << " predates the numerics record; not checked\n";
  if (distributed) mpi_check_numerics(mpi, numerics, kernel_path);
  cfg["kernels"] = kernel_path;
  cfg["numerics"] = numerics;

  FitnessSpec spec;
  spec.target_length = cfg["target_length"].get<int>();
  spec.original_length = cfg["original_max_position"].get<int>() > 0
                             ? cfg["original_max_position"].get<int>()
                             : model->config.max_position;
  if (spec.original_length <= 0)
    fail(ErrorKind::InvalidArgument,
         "the model does not state its trained context: pass --original-max-position");
  if (spec.target_length < spec.original_length)
    fail(ErrorKind::InvalidArgument, "--target-length must be >= the original length");
  spec.samples = cfg["samples"].get<int>();
  if (spec.samples < 1) fail(ErrorKind::InvalidArgument, "--samples must be >= 1");
  spec.kind = parse_fitness_kind(cfg.value("fitness", std::string("ppl")));
  spec.short_length = cfg["short_length"].get<int>();
  if (spec.short_length > 0 && data.empty())
    fail(ErrorKind::InvalidArgument, "--short-length scores documents: give --data");
  spec.short_weight = cfg["short_weight"].get<double>();
  spec.short_max_ppl = cfg["short_max_ppl"].get<double>();
  RopeScaling ms;
  parse_mscale(cfg["mscale"].get<std::string>(), ms);
  spec.mscale = ms.mscale;
  spec.mscale_value = ms.mscale_value;
  if (cfg.value("search_short_factors", false)) {
    spec.long_factors = cfg["long_factors"].get<std::vector<double>>();
    validate_factors({spec.long_factors}, model->config.head_dim / 2, model->config.n_layers,
                     FactorChecks{}, cfg.value("long_factors_file", std::string("long factors")));
  }
  cfg["scale"] = spec.scale();
  cfg["original_length"] = spec.original_length;

  HyperParams hp;
  apply_hyperparams(hp, cfg["hyperparams"], "archive");
  const Algorithm algo = parse_algorithm(cfg["algorithm"].get<std::string>());
  SearchSpace space(
      algo, model->config.head_dim / 2, spec.scale(), hp.list_step,
      cfg["search_start_tokens"].get<bool>() ? hp.start_token_set : std::vector<int>{0},
      cfg["search_start_tokens"].get<bool>());
  if (algo == Algorithm::DimPieceMono) {
    if (hp.alpha >= 0) space.alpha = hp.alpha;
    if (hp.beta >= 0) space.beta = hp.beta;
  }
  if (spec.short_search()) {  // λ_i in [1, s], n̂ = 0
    if (algo != Algorithm::DimMono)
      fail(ErrorKind::InvalidArgument, "--search-short-factors works with --algorithm dim_mono");
    space.max_factor = spec.scale();
  }
  SeedOptions so;
  so.scale = spec.scale();
  so.original_length = spec.original_length;
  so.yarn_beta_fast = cfg["beta_fast"].get<double>();
  so.yarn_beta_slow = cfg["beta_slow"].get<double>();
  so.init_factors = cfg["init_factors"].get<std::string>();
  so.auto_rescale = cfg["auto_rescale_init_factors"].get<bool>();
  so.init_scale = cfg["init_scale"].get<double>();
  const auto seeds =
      spec.short_search() ? short_factor_seeds(spec, so) : make_seeds(model->config, so);

  if (dir.empty()) {
    char buf[64];
    const std::time_t t = std::time(nullptr);
    std::strftime(buf, sizeof buf, "results/search-%Y%m%d-%H%M%S", std::localtime(&t));
    dir = buf;
  }
  std::vector<FitnessItem> items;
  if (spec.kind == FitnessKind::Needle) {
    auto tok = model_tokenizer(*model, cfg["tokenizer"].get<std::string>());
    items = needle_items(*tok, model->config, spec.samples, spec.target_length,
                         cfg.value("needle_seed", uint64_t{0}));
  } else {
    items = document_items(spec.kind, model->config, shard, spec.samples, spec.fitness_length());
  }
  if (static_cast<int>(items.size()) < spec.samples && !quiet)
    std::cerr << "note: only " << items.size() << " of " << spec.samples
              << " requested documents are long enough\n";
  std::unique_ptr<Evaluator> evaluator;
  if (distributed && mpi.rank > 0) {  // worker: evaluate what rank 0 sends, write nothing
    auto local = make_local_evaluator(*model, items, shard, spec, threads, 1);
    mpi_worker_loop(*local, space.half);
    return 0;
  }
  fs::create_directories(dir);
  const int screen_length = cfg.value("screen_length", 0);
  std::unique_ptr<Evaluator> screen;
  if (screen_length > 0) {  // the same documents (or chunks) cut short, the target's scaling
    if (distributed)
      fail(ErrorKind::Unsupported, "--screen-length does not run under MPI yet: use one process");
    if (screen_length < 2 || screen_length >= spec.fitness_length())
      fail(ErrorKind::InvalidArgument,
           "--screen-length must be in 2.." + std::to_string(spec.fitness_length() - 1));
    FitnessSpec sspec = spec;
    sspec.short_length = 0;
    screen = make_local_evaluator(
        *model, document_items(spec.kind, model->config, shard, spec.samples, screen_length), shard,
        sspec, threads, vm["parallel-candidates"].as<int>());
  }
  if (distributed)
    evaluator = make_mpi_evaluator(mpi);
  else
    evaluator = make_local_evaluator(*model, std::move(items), shard, spec, threads,
                                     vm["parallel-candidates"].as<int>());
  Evolution evo(space, hp, cfg["seed"].get<uint64_t>(), *evaluator,
                [spec](const Fitness& f) { return spec.combine(f); });
  json extra = {{"mscale", cfg["mscale"]},
                {"screen_length", screen_length},
                {"fitness", fitness_kind_name(spec.kind)},
                {"racing", cfg.value("racing", false)},
                {"scale", spec.scale()},
                {"target_length", spec.target_length},
                {"original_max_position", spec.original_length},
                {"algorithm", cfg["algorithm"]},
                {"seed", cfg["seed"]}};
  if (spec.short_search()) extra["long_factor"] = spec.long_factors;
  evo.set_output(dir, cfg, extra, spec.short_search() ? "short_factor" : "factors");
  evo.set_resume_cache(done);
  evo.set_quiet(quiet);
  evo.set_racing(cfg.value("racing", false), cfg.value("racing_z", 2.0));
  if (screen) evo.set_screen(screen.get(), cfg.value("screen_keep", 0.5));
  if (!quiet)
    std::cerr << "search: " << (spec.short_search() ? "short factors, " : "")
              << algorithm_name(algo) << ", s = " << spec.scale() << " (" << spec.original_length
              << " -> " << spec.target_length << "), " << hp.population() << " + "
              << hp.iterations() << " x " << hp.mutations() + hp.crossovers()
              << " evaluations, fitness " << fitness_kind_name(spec.kind)
              << (cfg.value("racing", false) ? ", racing" : "")
              << (screen ? ", length screen at " + std::to_string(screen_length) : "")
              << ", output " << dir << "\n";
  const EvolutionResult res = evo.run(seeds);

  json rows = json::array();
  rows.push_back({{"method", spec.short_search() ? "long + searched short" : "longrope (searched)"},
                  {"ppl", res.best.ppl},
                  {"start_tokens", res.best.start_tokens}});
  if (vm["baselines"].as<bool>() && spec.short_search()) {
    // At L: the pair vs the long factors alone vs ones as short factors vs unscaled.
    RopeScaling r = spec.scaling_for(res.best, spec.original_length);
    r.short_factors.clear();
    rows.push_back({{"method", "long factors alone"},
                    {"ppl", evaluator->evaluate_scaling(r)},
                    {"start_tokens", 0}});
    r.short_factors = {std::vector<double>(space.half, 1.0)};
    rows.push_back({{"method", "long + ones as short"},
                    {"ppl", evaluator->evaluate_scaling(r)},
                    {"start_tokens", 0}});
    rows.push_back({{"method", "none"},
                    {"ppl", evaluator->evaluate_scaling(RopeScaling{})},
                    {"start_tokens", 0}});
  } else if (vm["baselines"].as<bool>()) {
    for (RopeKind k : {RopeKind::Linear, RopeKind::Ntk, RopeKind::Yarn}) {
      RopeScaling r;
      r.kind = k;
      r.factor = spec.scale();
      r.original_max_position = spec.original_length;
      r.beta_fast = so.yarn_beta_fast;
      r.beta_slow = so.yarn_beta_slow;
      rows.push_back({{"method", rope_kind_name(k)},
                      {"ppl", evaluator->evaluate_scaling(r)},
                      {"start_tokens", 0}});
    }
  }
  evaluator.reset();  // MPI: releases the workers
  print_summary(rows, dir, spec.kind == FitnessKind::Needle ? "needle_ppl" : "ppl");
  std::printf(
      "\nfactors: %s/result_final.json (%ld evaluations run, %ld reused, %ld raced out, %ld "
      "screened out; %ld forward-pass tokens)\n",
      dir.c_str(), res.evaluated, res.reused, res.raced_out(), res.screened_out, res.tokens);
  return 0;
}

}  // namespace lr::cli

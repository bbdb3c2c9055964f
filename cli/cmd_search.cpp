// `longrope search`: evolutionary search of LongRoPE factors (and n̂), resumable.
#include <ctime>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.h"
#include "cli/options.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "longrope/version.h"
#include "search/archive.h"
#include "search/mpi_evaluator.h"
#include "search/pareto.h"
#include "search/run_recorder.h"
#include "search/search_options.h"
#include "search/search_setup.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace lr::cli {

namespace {

// `label`: what the fitness is ("ppl", or "needle_ppl": the PPL of the passkey's tokens).
// Rows with "short_ppl" (two-objective runs) add that column, last.
void print_summary(const json& rows, const std::string& dir, const std::string& label) {
  const bool two = !rows.empty() && rows[0].contains("short_ppl");
  std::printf("\n%-28s %12s %8s%s\n", "method", label.c_str(), "n̂", two ? "    short_ppl" : "");
  std::ostringstream csv;
  csv << "method," << label << ",start_tokens" << (two ? ",short_ppl" : "") << "\n";
  for (const auto& r : rows) {
    std::printf("%-28s %12.4f %8d", r["method"].get<std::string>().c_str(), r["ppl"].get<double>(),
                r["start_tokens"].get<int>());
    csv << r["method"].get<std::string>() << "," << r["ppl"].get<double>() << ","
        << r["start_tokens"].get<int>();
    if (two && r.contains("short_ppl")) {
      std::printf(" %12.4f", r["short_ppl"].get<double>());
      csv << "," << r["short_ppl"].get<double>();
    }
    std::printf("\n");
    csv << "\n";
  }
  write_file_atomically(dir + "/summary.csv", csv.str());
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
  po::options_description d = table_options(search_options(), "search options");
  d.add(common_options());
  po::variables_map vm;
  if (!parse(args, d, vm,
             "usage: longrope search --model M --data shard.h5 --target-length N [options]\n"
             "       longrope search --resume results/RUN/archive.h5"))
    return 0;
  const bool quiet = apply_common(vm) || mpi.rank > 0;
  const GivenOptions given = given_options(vm, search_options());
  const int threads = vm["threads"].as<int>();
  const int parallel = vm["parallel-candidates"].as<int>();
  const bool distributed = mpi.active && mpi.size > 1;

  json cfg;
  std::string dir = vm["output-dir"].as<std::string>();
  std::vector<Individual> done;
  const std::string resume = vm["resume"].as<std::string>();
  if (!resume.empty()) {
    ArchiveData a = read_archive(resume);
    cfg = a.config;
    check_resume_options(given, cfg, resume);
    done = a.individuals;
    const fs::path parent = fs::path(resume).parent_path();
    dir = parent.empty() ? std::string(".") : parent.string();
    if (a.final_best >= 0 && !quiet) std::cerr << "note: this run had already finished\n";
  } else {
    cfg = config_from_options(given);
  }
  SearchSetup s = setup_search(std::move(cfg), {resume, quiet});
  s.config["toolkit"] = std::string("longrope ") + kVersion + " (" + kGitSha + ")";
  if (distributed)
    mpi_check_numerics(mpi, s.config["numerics"].get<std::string>(),
                       s.config["kernels"].get<std::string>());
  if (dir.empty()) {
    char buf[64];
    const std::time_t t = std::time(nullptr);
    std::strftime(buf, sizeof buf, "results/search-%Y%m%d-%H%M%S", std::localtime(&t));
    dir = buf;
  }
  if (distributed && mpi.rank > 0) {  // worker: evaluate what rank 0 sends, write nothing
    auto local = make_search_evaluator(s, threads, 1);
    mpi_worker_loop(*local, s.space.half);
    return 0;
  }
  fs::create_directories(dir);
  std::unique_ptr<Evaluator> screen = make_screen_evaluator(s, threads, parallel, distributed);
  std::unique_ptr<Evaluator> evaluator =
      distributed ? make_mpi_evaluator(mpi) : make_search_evaluator(s, threads, parallel);
  // F32 re-judging under MPI: rank 0 alone, since the ranks compute in the run's precision.
  const std::unique_ptr<Evaluator> judge =
      distributed ? make_judge_evaluator(s, threads, parallel) : nullptr;
  const EvolutionResult res =
      run_search_evolution(s, *evaluator, screen.get(), dir, done, quiet, judge.get());
  // The result: the best, or for two objectives the knee of the front (search/pareto.h).
  const Individual result = result_individual(s.config, res.individuals, res.best);
  const json rows = result_rows(s, result, *evaluator, vm["baselines"].as<bool>(), threads);
  evaluator.reset();  // MPI: releases the workers
  print_summary(rows, dir, s.spec.kind == FitnessKind::Needle ? "needle_ppl" : "ppl");
  if (two_objectives(s.config)) record_result_baselines(dir, rows);
  if (!res.rejudged.empty())
    std::printf(
        "\nresult: id %lld, the best in F32 of the %zu finalists (PPL %.4f in f32, %.4f as "
        "ranked)\n",
        static_cast<long long>(result.id), res.rejudged.size(), result.ppl_f32, result.ppl);
  std::printf(
      "\nfactors: %s/result_final.json (%ld evaluations run, %ld reused, %ld raced out, %ld "
      "screened out; %ld forward-pass tokens)\n",
      dir.c_str(), res.evaluated, res.reused, res.raced_out(), res.screened_out, res.tokens);
  return 0;
}

}  // namespace lr::cli

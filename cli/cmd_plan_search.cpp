// `longrope plan --search`: a search's projected forward-pass tokens and wall time on this
// machine (1 process and R MPI ranks), from the search options and a few seconds of calibration.
#include <cmath>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.h"
#include "cli/options.h"
#include "core/engine/speed_probe.h"
#include "core/model/model_header.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "core/util/parallel.h"
#include "search/cost_plan.h"
#include "search/optimizer_settings.h"

using nlohmann::json;

namespace lr::cli {

namespace {

std::string duration(double s) {
  if (std::isnan(s)) return "refused (no --screen-length under mpirun)";
  char buf[64];
  if (s < 120)
    std::snprintf(buf, sizeof buf, "%.1f s", s);
  else if (s < 7200)
    std::snprintf(buf, sizeof buf, "%.1f min", s / 60);
  else if (s < 172800)
    std::snprintf(buf, sizeof buf, "%.1f h", s / 3600);
  else
    std::snprintf(buf, sizeof buf, "%.1f days", s / 86400);
  return buf;
}

std::string count(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

std::string big(double v) {
  char buf[64];
  if (v >= 1e9)
    std::snprintf(buf, sizeof buf, "%.2f G", v / 1e9);
  else if (v >= 1e6)
    std::snprintf(buf, sizeof buf, "%.2f M", v / 1e6);
  else if (v >= 1e3)
    std::snprintf(buf, sizeof buf, "%.1f k", v / 1e3);
  else
    std::snprintf(buf, sizeof buf, "%.0f", v);
  return buf;
}

}  // namespace

int cmd_plan_search(const Args& args) {
  po::options_description d = table_options(search_options(), "search options (as for search)");
  po::options_description own("plan --search options");
  own.add_options()("search", po::bool_switch(), "project a search's cost (this mode)")(
      "ranks", po::value<std::string>()->default_value("1,4"),
      "process counts to project: 1 = one process, R > 1 = mpirun -np R (rank 0 runs the "
      "evolution, R - 1 evaluate)")("calibrate-seconds", po::value<double>()->default_value(5.0),
                                    "time spent measuring the forward pass at the model's shape")(
      "json", po::value<std::string>(), "also write the projection as JSON (- = stdout only)");
  d.add(own);
  d.add(common_options());
  po::variables_map vm;
  if (!parse(args, d, vm,
             "usage: longrope plan --search --model M|config.json --target-length N "
             "[--samples K] [search options] [--ranks 1,4]"))
    return 0;
  apply_common(vm);
  GivenOptions given = given_options(vm, search_options());
  if (given.count("resume"))
    fail(ErrorKind::InvalidArgument, "plan --search projects a new run: drop --resume");
  const bool have_data = given.count("data") > 0;
  if (!have_data) given["data"] = "(not given)";  // items are counted from --samples
  const json cfg = config_from_options(given);
  const std::vector<int> ranks = parse_int_list(vm["ranks"].as<std::string>(), "--ranks");
  const double budget = vm["calibrate-seconds"].as<double>();
  if (!(budget > 0)) fail(ErrorKind::InvalidArgument, "--calibrate-seconds must be > 0");

  const std::string model_path = cfg.at("model").get<std::string>();
  const ModelHeader h = read_model_header(model_path);
  if (!h.engine_note.empty()) fail(ErrorKind::Unsupported, model_path + ": " + h.engine_note);
  std::unique_ptr<Model> model;
  if (h.source != "hf-config") model = load_model(model_path);
  const ModelConfig& mc = model ? model->config : h.config;
  const int target = cfg.at("target_length").get<int>();
  const int longest = std::max(target, cfg.value("screen_length", 0));
  const SpeedProbe probe = probe_forward_speed(mc, model.get(), budget, std::min(longest, 16384));
  std::vector<std::pair<int, double>> samples;
  std::vector<std::pair<int, double>> cpu_samples;
  for (const ForwardTiming& t : probe.samples) {
    samples.emplace_back(t.length, t.seconds);
    cpu_samples.emplace_back(t.length, t.cpu_seconds);
  }
  const ForwardSpeed speed = fit_forward_speed(samples);
  // CPU time of the same passes: what the load of a shared machine does not change (with one
  // thread, the wall time on an idle machine).
  const ForwardSpeed cpu_speed = fit_forward_speed(cpu_samples);
  const bool baselines = vm.count("baselines") ? vm["baselines"].as<bool>() : true;
  const SearchCostPlan p = plan_search_cost(cfg, mc.max_position, speed, ranks, baselines);
  const SearchCostPlan pc = plan_search_cost(cfg, mc.max_position, cpu_speed, {1}, baselines);

  std::ostringstream o;
  char line[512];
  const bool ga = cfg.value("optimizer", std::string("ga")) == "ga";
  const bool batch_wise =
      optimizer_takes_batches(parse_optimizer(cfg.value("optimizer", std::string("ga"))));
  int L = cfg.value("original_max_position", 0);
  if (L <= 0) L = mc.max_position;
  std::snprintf(line, sizeof line, "search plan: %s, L = %d -> T = %d (s = %.4g), fitness %s%s\n",
                model_path.c_str(), L, target, static_cast<double>(target) / L,
                cfg.value("fitness", std::string("ppl")).c_str(),
                p.length != target ? " (short factors: scored at L)" : "");
  o << line;
  const std::string short_part = p.short_length > 0
                                     ? " + " + std::to_string(p.items) + " x " +
                                           std::to_string(p.short_length) + " (short objective)"
                                     : "";
  std::snprintf(line, sizeof line,
                "  %ld candidates in %ld %s%s\n  a full score: %d items x %d tokens%s = "
                "%s tokens\n",
                p.evaluations, p.generations, batch_wise ? "generations" : "batches",
                ga           ? " (GA: the initial population, then the children)"
                : batch_wise ? " (the seeds and samples around them, then the generations)"
                             : " (the seeds, then one candidate at a time: no parallel scoring)",
                p.items, p.length, short_part.c_str(), count(p.tokens_per_score).c_str());
  o << line;
  if (p.screen_length > 0)
    o << "  length screen: " << p.screen_scores << " children scored at " << p.screen_length
      << " tokens, " << p.full_scores << " candidates in full (keep " << p.screen_keep << ")\n";
  o << "forward speed (this machine, " << max_threads() << " threads; " << probe.method << "; "
    << duration(probe.seconds_spent) << "):\n";
  std::snprintf(line, sizeof line, "  t(n) = %.4g*n + %.4g*n^2 seconds; measured:", speed.a,
                speed.b);
  o << line;
  for (const ForwardTiming& t : probe.samples) {
    std::snprintf(line, sizeof line, " %d: %.4g s (fit %.4g);", t.length, t.seconds,
                  speed.seconds(t.length));
    o << line;
  }
  o << "\n  a full score: " << duration(p.seconds_per_score) << "\n";
  o << "projected forward-pass tokens: " << count(p.tokens)
    << (p.exact ? " (exact without racing; cached repeats make it smaller)"
                : " (at most: needle prompts are at most T tokens)")
    << "\n";
  o << "projected wall time, 1 process: " << duration(p.seconds) << " search + "
    << duration(p.baseline_seconds) << " baselines (" << p.baseline_scores
    << " scalings) = " << duration(p.seconds + p.baseline_seconds) << "\n";
  o << "projected CPU time, 1 process: " << duration(pc.ranks[0].seconds)
    << " (the same passes' CPU time, all threads: unchanged by other jobs' load)\n";
  o << "  ranks  evaluating  rounds  wall time\n";
  for (const RankProjection& r : p.ranks) {
    std::snprintf(line, sizeof line, "  %5d  %10d  %6ld  %s\n", r.ranks, r.workers, r.rounds,
                  duration(r.seconds).c_str());
    o << line;
  }
  if (p.racing)
    o << "with --racing: " << big(p.racing_lo) << " - " << big(p.racing_hi) << " tokens, "
      << duration(p.seconds * p.racing_lo / p.tokens) << " - "
      << duration(p.seconds * p.racing_hi / p.tokens) << " (1 process; " << p.racing_note << ")\n";
  if (ga)
    o << "savings measured elsewhere (shares of the plain GA's tokens; docs/benchmarks.md, "
         "Search cost, 2026-11-24, commit 8bfb3d7):\n";
  for (const MeasuredSaving& m : ga ? measured_savings() : std::vector<MeasuredSaving>{}) {
    std::snprintf(line, sizeof line, "  %-33s %2.0f-%2.0f %%: %s - %s tokens, %s - %s (%s)\n",
                  m.variant.c_str(), 100 * m.lo, 100 * m.hi, big(m.lo * p.plain_tokens).c_str(),
                  big(m.hi * p.plain_tokens).c_str(), duration(m.lo * p.plain_seconds).c_str(),
                  duration(m.hi * p.plain_seconds).c_str(), m.note.c_str());
    o << line;
  }
  o << "assumptions: every candidate scored in full unless screened (racing as a range only); "
       "time per score = items x t(length), the fit of the passes timed here (attention n^2, "
       "the rest n; sliding windows not modelled); --parallel-candidates splits the same threads "
       "(same throughput); under mpirun each rank runs on a machine like this one with these "
       "threads, rank 0 only hands out candidates, a generation takes ceil(candidates / (R-1)) "
       "rounds; model loading, archive writes and the evolution itself not counted"
    << (have_data ? "" : "; items from --samples (the shard must hold that many)") << ".\n";

  json j = {
      {"model", model_path},
      {"target_length", target},
      {"fitness_length", p.length},
      {"items", p.items},
      {"evaluations", p.evaluations},
      {"generations", p.generations},
      {"full_scores", p.full_scores},
      {"screen_scores", p.screen_scores},
      {"tokens", p.tokens},
      {"tokens_exact", p.exact},
      {"plain_tokens", p.plain_tokens},
      {"seconds", p.seconds},
      {"baseline_seconds", p.baseline_seconds},
      {"cpu_seconds", pc.ranks[0].seconds},
      {"speed",
       {{"a", speed.a}, {"b", speed.b}, {"method", probe.method}, {"threads", max_threads()}}},
      {"ranks", json::array()}};
  for (const ForwardTiming& t : probe.samples)
    j["speed"]["samples"].push_back(
        {{"length", t.length}, {"seconds", t.seconds}, {"cpu_seconds", t.cpu_seconds}});
  for (const RankProjection& r : p.ranks)
    j["ranks"].push_back({{"ranks", r.ranks},
                          {"workers", r.workers},
                          {"rounds", r.rounds},
                          {"seconds", std::isnan(r.seconds) ? json() : json(r.seconds)}});
  if (p.racing)
    j["racing"] = {{"tokens_lo", p.racing_lo}, {"tokens_hi", p.racing_hi}, {"note", p.racing_note}};
  const std::string out = vm.count("json") ? vm["json"].as<std::string>() : "";
  if (out != "-") std::cout << o.str();
  if (out == "-")
    std::cout << j.dump(2) << "\n";
  else if (!out.empty())
    write_file_atomically(out, j.dump(2) + "\n");
  return 0;
}

}  // namespace lr::cli

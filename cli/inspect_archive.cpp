// `longrope inspect --archive`: a search run as text or JSON, and optionally its figure.
#include <cstdio>
#include <iostream>
#include <optional>

#include "cli/archive_plot.h"
#include "cli/commands.h"
#include "core/model/model_header.h"
#include "core/util/error.h"
#include "search/archive_summary.h"

namespace lr::cli {

namespace {

// rope_theta for YaRN: --model when given, else the model named in the archive's config.
std::optional<double> find_theta(const po::variables_map& vm, const nlohmann::json& config,
                                 std::string& source) {
  if (vm.count("model")) {
    const std::string m = vm["model"].as<std::string>();
    const double theta = read_model_header(m).config.rope_theta;  // errors here are the user's
    source = "--model " + m;
    return theta;
  }
  const std::string m = config.value("model", std::string());
  if (m.empty()) {
    source = "the archive names no model; pass --model";
    return std::nullopt;
  }
  try {
    const double theta = read_model_header(m).config.rope_theta;
    source = "the archive's model " + m;
    return theta;
  } catch (const std::exception& e) {
    source = "the archive's model cannot be read (" + std::string(e.what()) + "); pass --model";
    return std::nullopt;
  }
}

// The long-vs-short front (search/pareto.h), knee marked, then result_final.json's baselines.
void print_front(const ArchiveSummary& s) {
  std::printf(
      "\nfront        long vs short PPL: %zu non-dominated of the individuals evaluated at "
      "both lengths; * = knee\n",
      s.front.size());
  std::printf("  %8s %14s %14s\n", "id", ("PPL@" + std::to_string(s.target_length)).c_str(),
              ("PPL@" + std::to_string(s.short_length)).c_str());
  for (const auto& m : s.front)
    std::printf("%s %8lld %14.4f %14.4f\n", m.id == s.knee_id ? "*" : " ",
                static_cast<long long>(m.id), m.ppl, m.short_ppl);
  for (const auto& b : s.front_baselines)
    if (b.method.rfind("longrope", 0) != 0)  // the searched row is the knee itself
      std::printf("  %8s %14.4f %14.4f\n", method_label(b.method).c_str(), b.ppl, b.short_ppl);
}

void print_text(const ArchiveSummary& s) {
  const auto& c = s.config;
  auto str = [&](const char* k) { return c.contains(k) ? c[k].dump() : std::string("?"); };
  auto raw = [&](const char* k) {
    return c.contains(k) && c[k].is_string() ? c[k].get<std::string>() : str(k);
  };
  std::printf("archive      %s (%s, %zu evaluations)\n", s.path.c_str(),
              s.finished ? "finished" : "unfinished", s.evaluations);
  std::printf("model        %s\n", raw("model").c_str());
  std::printf("data         %s\n", raw("data").c_str());
  std::printf("lengths      L = %d -> T = %d tokens, s = %g\n", s.original_length, s.target_length,
              s.scale);
  std::printf("search       %s, seed %s, %s samples, start tokens %s, mscale %s\n",
              raw("algorithm").c_str(), str("seed").c_str(), str("samples").c_str(),
              c.value("search_start_tokens", false) ? "searched" : "fixed at 0",
              raw("mscale").c_str());
  std::printf("hyperparams  %s\n", str("hyperparams").c_str());
  if (c.contains("optimizer") && c["optimizer"] != "ga")
    std::printf("optimizer    %s %s\n", raw("optimizer").c_str(),
                str("optimizer_settings").c_str());
  if (c.value("max_evaluations", 0) > 0 || c.value("max_tokens", 0ULL) > 0)
    std::printf("budget       %s evaluations, %s tokens (0: none)\n",
                str("max_evaluations").c_str(), str("max_tokens").c_str());
  if (c.contains("critical_pair"))
    std::printf("LongRoPE2    critical pair %s (--critical-dim %s): pairs below derived\n",
                str("critical_pair").c_str(), raw("critical_dim").c_str());
  if (c.contains("mscale_bounds"))
    std::printf("mscale gene  searched in %s (--search-mscale %s), seeded by the rule\n",
                str("mscale_bounds").c_str(), raw("search_mscale").c_str());
  std::printf("toolkit      %s\n\n", raw("toolkit").c_str());

  std::printf("%9s %11s %12s %12s %8s\n", "iteration", "evaluations", "best PPL", "median PPL",
              "best id");
  for (size_t i = 0; i < s.iterations.size(); ++i) {
    const auto& r = s.iterations[i];
    std::printf("%9d %11d %12.4f %12.4f %8lld\n", r.iteration, s.evaluations_per_iteration[i],
                r.best_ppl, r.median_ppl, static_cast<long long>(r.best_id));
  }
  if (s.iterations.empty()) std::printf("(no finished iteration yet)\n");

  std::printf("\nbest         id %lld (iteration %d), PPL %.4f, start tokens %d%s\n",
              static_cast<long long>(s.best.id), s.best.iteration, s.best.ppl, s.best.start_tokens,
              s.finished ? "" : "  [best so far: the run is unfinished]");
  if (s.best.mscale > 0)
    std::printf("             attention factor %.3f (searched)\n", s.best.mscale);
  std::printf("%5s %10s %10s %10s %10s\n", "pair", "searched", "PI", "NTK", "YaRN");
  for (int i = 0; i < s.half; ++i) {
    std::printf("%5d %10.4f %10.4f %10.4f ", i, s.best.lambda[i], s.pi[i], s.ntk[i]);
    if (s.yarn.empty())
      std::printf("%10s\n", "-");
    else
      std::printf("%10.4f\n", s.yarn[i]);
  }
  std::printf("%s\n", s.yarn_note.c_str());
  if (!s.baselines.empty()) {
    std::printf("\nsummary.csv  PPL at %d tokens on the search documents\n", s.target_length);
    for (const auto& b : s.baselines)
      std::printf("  %-26s %12.4f   start tokens %d\n", b.method.c_str(), b.ppl, b.start_tokens);
  }
  if (!s.front.empty()) print_front(s);
}

}  // namespace

int inspect_archive(const po::variables_map& vm) {
  const std::string path = vm["archive"].as<std::string>();
  if (vm.count("plot-script") && !vm.count("plot"))
    fail(ErrorKind::InvalidArgument, "--plot-script needs --plot");
  if (vm.count("plot")) check_plot_output(vm["plot"].as<std::string>());
  // Read the archive first: a missing or broken archive is the error to report.
  const ArchiveData a = read_archive(path);
  std::string theta_source;
  const auto theta = find_theta(vm, a.config, theta_source);
  const ArchiveSummary s = summarize_archive(path, a, theta, theta_source);
  if (vm.count("plot"))
    plot_archive(s, vm["plot"].as<std::string>(),
                 vm.count("plot-script") ? vm["plot-script"].as<std::string>() : "");
  if (vm["json"].as<bool>())
    std::cout << to_json(s).dump(2) << "\n";
  else
    print_text(s);
  if (vm.count("plot") && !vm["quiet"].as<bool>())
    std::fprintf(stderr, "plot: %s%s\n", vm["plot"].as<std::string>().c_str(),
                 vm.count("plot-script")
                     ? (" (script " + vm["plot-script"].as<std::string>() + ")").c_str()
                     : "");
  return 0;
}

}  // namespace lr::cli

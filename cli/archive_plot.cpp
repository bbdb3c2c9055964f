// gnuplot script for `inspect --archive --plot`, and running gnuplot on it (posix_spawnp).
#include "cli/archive_plot.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "core/util/atomic_file.h"
#include "core/util/error.h"

extern char** environ;
namespace fs = std::filesystem;

namespace lr::cli {

std::string quoted(const std::string& s) {
  std::string r = "'";
  for (char ch : s) r += ch == '\'' ? std::string("''") : std::string(1, ch);
  return r + "'";
}

std::string num(double v) {
  if (!std::isfinite(v)) return "NaN";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

std::string method_label(const std::string& m) {
  if (m == "linear") return "PI";
  if (m == "ntk") return "NTK";
  if (m == "yarn") return "YaRN";
  return m;
}

// Tics for a log axis over [lo, hi]: the sparsest of 1-2-5 and 1-1.5-2-3-4-5-6-8 per decade
// that gives at least 5 labels, else evenly spaced round numbers (narrow PPL ranges).
std::string log_tics(double lo, double hi) {
  std::vector<double> tics;
  for (const std::vector<double>& m : {std::vector<double>{1, 2, 5}, {1, 1.5, 2, 3, 4, 5, 6, 8}}) {
    tics.clear();
    for (int e = static_cast<int>(std::floor(std::log10(lo))); e <= std::ceil(std::log10(hi)); ++e)
      for (double x : m)
        if (const double v = x * std::pow(10.0, e); v >= lo && v <= hi) tics.push_back(v);
    if (tics.size() >= 5) break;
  }
  if (tics.size() < 5) {  // the 1-2-5 step just above a sixth of the range
    const double raw = (hi - lo) / 6, p = std::pow(10.0, std::floor(std::log10(raw)));
    const double step = raw / p <= 1 ? p : raw / p <= 2 ? 2 * p : raw / p <= 5 ? 5 * p : 10 * p;
    tics.clear();
    for (double v = std::ceil(lo / step) * step; v <= hi; v += step) tics.push_back(v);
  }
  std::string r = "(";
  for (size_t i = 0; i < tics.size(); ++i) r += (i ? ", " : "") + num(tics[i]);
  return r + ")";
}

namespace {

// `panels` of about 575 pixels each.
std::string terminal_for(const std::string& output, int panels = 2) {
  const std::string ext = fs::path(output).extension().string();
  const std::string size = "size 1000," + std::to_string(575 * panels);
  if (ext == ".png") return "pngcairo " + size + " noenhanced font 'Sans,11'";
  if (ext == ".svg") return "svg " + size + " dynamic noenhanced font 'Sans,11'";
  fail(ErrorKind::InvalidArgument,
       "--plot " + output + ": unknown image type (use a .png or .svg file name)");
}

}  // namespace

std::string archive_plot_script(const ArchiveSummary& s, const std::string& output) {
  const bool front = !s.front.empty();  // a third panel: the long-vs-short front
  const std::string term = terminal_for(output, front ? 3 : 2);
  const std::string model = s.config.value("model", std::string("?"));
  std::ostringstream t;
  t << "# longrope inspect --plot: edit the styles below and run `gnuplot THIS_FILE`.\n";
  t << "set terminal " << term << "\n";
  t << "set output " << quoted(output) << "\n";
  t << "$lambda << EOD\n# i searched PI NTK YaRN\n";
  for (int i = 0; i < s.half; ++i)
    t << i << " " << num(s.best.lambda[i]) << " " << num(s.pi[i]) << " " << num(s.ntk[i]) << " "
      << (s.yarn.empty() ? "NaN" : num(s.yarn[i])) << "\n";
  t << "EOD\n$ppl << EOD\n# iteration best median\n";
  for (const auto& r : s.iterations)
    t << r.iteration << " " << num(r.best_ppl) << " " << num(r.median_ppl) << "\n";
  t << "EOD\n$eval << EOD\n# iteration ppl (every fully evaluated individual)\n";
  for (const auto& ind : s.individuals)
    if (!ind.rejected) t << ind.iteration << " " << num(ind.ppl) << "\n";
  t << "EOD\n";

  std::ostringstream title;
  title << fs::path(model).filename().string() << ": LongRoPE search, L = " << s.original_length
        << " -> T = " << s.target_length << " tokens (s = " << num(s.scale) << "), "
        << s.config.value("algorithm", std::string("?")) << ", seed "
        << s.config.value("seed", 0ull) << (s.finished ? "" : " (unfinished)");
  t << "set multiplot layout " << (front ? 3 : 2) << ",1 title " << quoted(title.str())
    << " font 'Sans,13'\n";
  t << "set grid\nset key outside below center horizontal box width 2\n";
  t << "set lmargin 12\nset rmargin 6\nset bmargin 8\nset xlabel offset 0,0.3\n";

  // (a) factors per dimension
  std::ostringstream best;
  best << "searched: id " << s.best.id << ", PPL " << num(std::round(s.best.ppl * 1e4) / 1e4)
       << ", n̂ = " << s.best.start_tokens;
  t << "set title '(a) rescale factor per rotary pair: frequency θ_i / λ_i'\n";
  t << "set xlabel 'rotary pair i (0 = highest frequency)'\nset ylabel 'λ_i'\n";
  double top = 1.0;
  for (const auto* v : {&s.best.lambda, &s.pi, &s.ntk, &s.yarn})
    for (double x : *v)
      if (std::isfinite(x)) top = std::max(top, x);
  t << "set xrange [-0.5:" << s.half - 0.5 << "]\nset yrange [0:" << num(top * 1.12) << "]\n";
  t << "set xtics " << (s.half <= 16 ? 1 : s.half / 8) << "\n";
  t << "plot $lambda using 1:2 with linespoints lw 2.5 pt 7 ps 0.8 lc rgb '#d62728' title "
    << quoted(best.str()) << ", \\\n";
  t << "     '' using 1:3 with lines lw 1.5 dt 2 lc rgb '#1f77b4' title 'PI (linear)', \\\n";
  t << "     '' using 1:4 with lines lw 1.5 dt 3 lc rgb '#2ca02c' title 'NTK-aware'";
  if (!s.yarn.empty())
    t << ", \\\n     '' using 1:5 with lines lw 1.5 dt 4 lc rgb '#9467bd' title 'YaRN'";
  t << "\n";

  // (b) PPL per iteration, log scale, with the baselines of summary.csv
  t << "set title '(b) fitness per iteration: PPL at " << s.target_length << " tokens, "
    << s.config.value("samples", 0)
    << (s.config.value("samples", 0) == 1 ? " document" : " documents") << " (log scale)'\n";
  t << "set xlabel 'iteration (0 = initial population)'\nset ylabel 'perplexity'\n";
  // y range: best, median and baselines, plus evaluations up to 4x the largest of those.
  double lo = 1e300, hi = 0;
  auto span = [&](double v) {
    if (std::isfinite(v) && v > 0) lo = std::min(lo, v), hi = std::max(hi, v);
  };
  for (const auto& r : s.iterations) span(r.best_ppl), span(r.median_ppl);
  for (const auto& b : s.baselines) span(b.ppl);
  const double cap = hi > 0 ? 4 * hi : 1e300;
  int last = 0;
  for (const auto& ind : s.individuals) {
    if (ind.ppl <= cap) span(ind.ppl);
    last = std::max(last, ind.iteration);
  }
  t << "set logscale y\n";
  if (hi > 0) {
    lo /= 1.12, hi *= 1.12;
    t << "set yrange [" << num(lo) << ":" << num(hi) << "]\n";
    t << "set ytics " << log_tics(lo, hi) << "\nset format y '%g'\nset mytics 1\n";
  }
  t << "set xrange [-0.3:" << num(last + 0.3) << "]\n";
  t << (last > 20 ? "set xtics autofreq\n" : "set xtics 1\n");
  if (s.iterations.empty())
    t << "set label 1 'iteration 0 unfinished: evaluations so far' at graph 0.5, graph 0.92 "
         "center\n";
  t << "plot $eval using 1:2 with points pt 7 ps 0.6 lc rgb '#9a9a9a' title 'every evaluation'";
  if (!s.iterations.empty()) {
    t << ", \\\n     $ppl using 1:2 with linespoints lw 2.5 pt 7 lc rgb '#d62728' title "
      << quoted("best (final " + num(std::round(s.iterations.back().best_ppl * 1e4) / 1e4) + ")")
      << ", \\\n     '' using 1:3 with linespoints lw 1.5 pt 6 lc rgb '#555555' title 'median'";
  }
  const char* colors[] = {"#1f77b4", "#2ca02c", "#9467bd", "#8c564b", "#e377c2"};
  int k = 0;
  for (const auto& b : s.baselines) {
    if (b.method.rfind("longrope", 0) == 0 || !(b.ppl > 0)) continue;
    t << ", \\\n     " << num(b.ppl) << " with lines lw 1.5 dt " << 2 + k % 3 << " lc rgb '"
      << colors[k % 5] << "' title "
      << quoted(method_label(b.method) + " (" + num(std::round(b.ppl * 100) / 100) + ")");
    ++k;
  }
  t << "\n";
  if (front) t << front_panel_script(s);
  t << "unset multiplot\n";
  return t.str();
}

void check_plot_output(const std::string& output) {
  terminal_for(output);
  const fs::path out_dir = fs::absolute(output).parent_path();
  std::error_code ec;
  if (!fs::is_directory(out_dir, ec))
    fail(ErrorKind::Io, "--plot " + output + ": folder " + out_dir.string() + " does not exist");
}

void plot_archive(const ArchiveSummary& s, const std::string& output,
                  const std::string& script_path) {
  check_plot_output(output);
  std::error_code ec;
  const std::string script = archive_plot_script(s, output);
  const bool keep = !script_path.empty();
  std::string path = script_path, log;
  if (!keep) {
    std::string tmpl = (fs::temp_directory_path() / "longrope-plot-XXXXXX").string();
    const int fd = mkstemp(tmpl.data());
    if (fd < 0) fail(ErrorKind::Io, "cannot create a temporary file in " + tmpl);
    close(fd);
    path = tmpl;
  }
  log = path + ".log";
  if (keep) {
    write_file_atomically(path, script);  // a --plot-script the user keeps
  } else {
    std::ofstream f(path);  // our own mkstemp file
    if (!f || !(f << script)) fail(ErrorKind::Io, "cannot write '" + path + "'");
  }
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_adddup2(&fa, STDOUT_FILENO, STDERR_FILENO);
  const char* argv[] = {"gnuplot", path.c_str(), nullptr};
  pid_t pid = 0;
  const int rc =
      posix_spawnp(&pid, "gnuplot", &fa, nullptr, const_cast<char* const*>(argv), environ);
  posix_spawn_file_actions_destroy(&fa);
  int status = 0;
  if (rc == 0) waitpid(pid, &status, 0);
  std::string first_line;
  {
    std::ifstream lf(log);
    std::string line;
    while (std::getline(lf, line))
      if (line.find_first_not_of(" \t^") != std::string::npos) {
        if (first_line.empty() || line.find("line ") != std::string::npos) first_line = line;
      }
  }
  fs::remove(log, ec);
  if (!keep) fs::remove(path, ec);
  if (rc == ENOENT)
    fail(ErrorKind::Unsupported,
         "--plot needs gnuplot, which is not installed (Debian: apt-get install gnuplot-nox; "
         "scripts/setup.sh installs it)");
  if (rc != 0) fail(ErrorKind::Io, std::string("cannot run gnuplot: ") + std::strerror(rc));
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    fail(ErrorKind::Io, "gnuplot failed drawing " + output +
                            (keep ? " (script " + path + ")" : "") + ": " + first_line);
  if (!fs::exists(output, ec)) fail(ErrorKind::Io, "gnuplot wrote no " + output);
}

}  // namespace lr::cli

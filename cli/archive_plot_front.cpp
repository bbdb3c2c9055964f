// Panel (c) of `inspect --archive --plot`: the long-vs-short Pareto front of the archive.
#include <algorithm>
#include <cmath>
#include <sstream>

#include "cli/archive_plot.h"
#include "search/pareto.h"

namespace lr::cli {

std::string front_panel_script(const ArchiveSummary& s) {
  std::ostringstream t;
  // Ranges: the front and the baselines, and the other evaluations up to twice their largest.
  double xlo = 1e300, xhi = 0, ylo = 1e300, yhi = 0;
  auto span = [&](double x, double y) {
    if (!(std::isfinite(x) && x > 0 && std::isfinite(y) && y > 0)) return;
    xlo = std::min(xlo, x), xhi = std::max(xhi, x), ylo = std::min(ylo, y), yhi = std::max(yhi, y);
  };
  for (const auto& m : s.front) span(m.ppl, m.short_ppl);
  std::vector<BaselinePpl> points;
  for (const auto& b : s.front_baselines)
    if (b.method.rfind("longrope", 0) != 0 && b.ppl > 0 && b.short_ppl > 0) {
      points.push_back(b);
      span(b.ppl, b.short_ppl);
    }
  const double xcap = 2 * xhi, ycap = 2 * yhi;
  int shown = 0;
  t << "$all << EOD\n# long_ppl short_ppl (every individual evaluated at both lengths)\n";
  for (const auto& ind : s.individuals)
    if (has_both_objectives(ind)) {
      t << num(ind.ppl) << " " << num(ind.short_ppl) << "\n";
      if (ind.ppl <= xcap && ind.short_ppl <= ycap) span(ind.ppl, ind.short_ppl), ++shown;
    }
  t << "EOD\n$front << EOD\n# long_ppl short_ppl id (by long PPL)\n";
  const Individual* knee = nullptr;
  for (const auto& m : s.front) {
    t << num(m.ppl) << " " << num(m.short_ppl) << " " << m.id << "\n";
    if (m.id == s.knee_id) knee = &m;
  }
  t << "EOD\n$base << EOD\n# long_ppl short_ppl label\n";
  for (const auto& b : points)
    t << num(b.ppl) << " " << num(b.short_ppl) << " \"" << method_label(b.method)
      << "\"\n";  // a data column: double quotes
  t << "EOD\n$knee << EOD\n";
  if (knee) t << num(knee->ppl) << " " << num(knee->short_ppl) << "\n";
  t << "EOD\n";
  const std::string short_len =
      s.short_length > 0 ? std::to_string(s.short_length) + " tokens" : "the short length";
  t << "set title "
    << quoted("(c) long vs short PPL: " + std::to_string(s.target_length) + " vs " + short_len +
              " (log scales), the Pareto front and its knee")
    << "\n";
  t << "set xlabel " << quoted("PPL at " + std::to_string(s.target_length) + " tokens") << "\n";
  t << "set ylabel " << quoted("PPL at " + short_len) << "\n";
  t << "unset label 1\nset logscale xy\nset format x '%g'\nset format y '%g'\n";
  t << "set mxtics 1\nset mytics 1\n";
  if (xhi > 0) {  // a margin of 8 % of the span (12 % above, for the labels)
    const double px = std::max(xhi / xlo, 1.02), py = std::max(yhi / ylo, 1.02);
    xlo /= std::pow(px, 0.08), xhi *= std::pow(px, 0.08);
    ylo /= std::pow(py, 0.08), yhi *= std::pow(py, 0.12);
    t << "set xrange [" << num(xlo) << ":" << num(xhi) << "]\nset xtics " << log_tics(xlo, xhi)
      << "\n";
    t << "set yrange [" << num(ylo) << ":" << num(yhi) << "]\nset ytics " << log_tics(ylo, yhi)
      << "\n";
  }
  t << "plot $all using 1:2 with points pt 7 ps 0.6 lc rgb '#a8a8a8' title "
    << quoted("every evaluation (" + std::to_string(shown) + " in range)") << ", \\\n";
  t << "     $front using 1:2 with linespoints lw 2 pt 7 ps 0.8 lc rgb '#d62728' title "
    << quoted("front (" + std::to_string(s.front.size()) + " members)");
  if (knee) {
    std::ostringstream k;
    k << "knee: id " << knee->id << " (" << num(std::round(knee->ppl * 1e4) / 1e4) << ", "
      << num(std::round(knee->short_ppl * 1e4) / 1e4) << ")";
    t << ", \\\n     $knee using 1:2 with points pt 6 ps 2.6 lw 2.5 lc rgb '#000000' title "
      << quoted(k.str());
  }
  if (!points.empty()) {
    t << ", \\\n     $base using 1:2 with points pt 5 ps 1.1 lc rgb '#1f77b4' title "
         "'baselines (result_final.json)'";
    t << ", \\\n     '' using 1:2:3 with labels left offset 0.8,0.6 tc rgb '#1f77b4' notitle";
  }
  t << "\n";
  return t.str();
}

}  // namespace lr::cli

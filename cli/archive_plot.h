// Figure of a search archive drawn by Debian's gnuplot: λ per dimension and PPL per iteration.
#pragma once
#include <string>

#include "search/archive_summary.h"

namespace lr::cli {

// A self-contained gnuplot script (data inline as datablocks) that draws two panels into
// `output` (.png: pngcairo, .svg: svg): (a) λ_i of the best individual vs PI/NTK/YaRN,
// (b) best and median PPL per iteration on a log scale, with summary.csv's baselines, and
// (c) the long-vs-short front when the archive has one.
std::string archive_plot_script(const ArchiveSummary& s, const std::string& output);

// (c), for archives whose individuals have a short PPL: long vs short PPL, every evaluation
// faint, the front as a line, the knee marked, result_final.json's baselines as labelled
// points (cli/archive_plot_front.cpp). Appended inside the figure's multiplot.
std::string front_panel_script(const ArchiveSummary& s);

// Script helpers: a gnuplot single-quoted string (only ' is doubled), a number ("NaN" when not
// finite), the label of a summary.csv method ("linear" -> "PI").
std::string quoted(const std::string& s);
std::string num(double v);
std::string method_label(const std::string& m);
// Tics for a log axis over [lo, hi] as a gnuplot list "(a, b, ...)": at least 5 round numbers.
std::string log_tics(double lo, double hi);

// Throws when `output` is not a .png/.svg name or its folder does not exist.
void check_plot_output(const std::string& output);

// Writes the script (to `script_path`, or a temporary file removed afterwards) and runs
// gnuplot on it. Throws one clear error when gnuplot is missing or fails.
void plot_archive(const ArchiveSummary& s, const std::string& output,
                  const std::string& script_path);

}  // namespace lr::cli

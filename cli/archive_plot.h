// Figure of a search archive drawn by Debian's gnuplot: λ per dimension and PPL per iteration.
#pragma once
#include <string>

#include "search/archive_summary.h"

namespace lr::cli {

// A self-contained gnuplot script (data inline as datablocks) that draws two panels into
// `output` (.png: pngcairo, .svg: svg): (a) λ_i of the best individual vs PI/NTK/YaRN,
// (b) best and median PPL per iteration on a log scale, with summary.csv's baselines.
std::string archive_plot_script(const ArchiveSummary& s, const std::string& output);

// Throws when `output` is not a .png/.svg name or its folder does not exist.
void check_plot_output(const std::string& output);

// Writes the script (to `script_path`, or a temporary file removed afterwards) and runs
// gnuplot on it. Throws one clear error when gnuplot is missing or fails.
void plot_archive(const ArchiveSummary& s, const std::string& output,
                  const std::string& script_path);

}  // namespace lr::cli

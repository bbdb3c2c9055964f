// Stage table and JSON of the engine's stage timers (eval/stage_report.h).
#include "eval/stage_report.h"

#include <cstdio>

#include "core/util/strformat.h"

namespace lr {

std::string stage_table(const StageTimes& t, double wall) {
  std::string out;
  char line[160];
  std::snprintf(line, sizeof line, "  %-12s %10s %7s %9s\n", "stage", "seconds", "share",
                "GFLOP/s");
  out += line;
  for (int i = 0; i < kStages; ++i) {
    if (t.seconds[i] <= 0) continue;
    const double share = wall > 0 ? 100.0 * t.seconds[i] / wall : 0.0;
    const std::string rate =
        t.flops[i] > 0 ? strformat("%.2f", t.flops[i] / t.seconds[i] / 1e9) : "-";
    out += strformat("  %-12s %10.3f %6.1f%% %9s\n", stage_name(static_cast<Stage>(i)),
                     t.seconds[i], share, rate.c_str());
  }
  const double rest = wall - t.total_seconds();
  std::snprintf(line, sizeof line, "  %-12s %10.3f %6.1f%%\n", "outside", rest,
                wall > 0 ? 100.0 * rest / wall : 0.0);
  return out + line;
}

nlohmann::json stage_json(const StageTimes& t) {
  nlohmann::json j = nlohmann::json::object();
  for (int i = 0; i < kStages; ++i)
    j[stage_name(static_cast<Stage>(i))] = {
        {"seconds", t.seconds[i]},
        {"gflops", t.flops[i] > 0 && t.seconds[i] > 0
                       ? nlohmann::json(t.flops[i] / t.seconds[i] / 1e9)
                       : nlohmann::json(nullptr)}};
  return j;
}

}  // namespace lr

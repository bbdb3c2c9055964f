// Export source: factors, n̂, mscale, lengths and provenance from a factor file or an archive.
#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace lr {

struct SourceRequest {
  std::string factors_path;        // CSV or JSON, or
  std::string archive_path;        // archive.h5
  int64_t id = -1;                 // archive individual (-1 = the best)
  std::string pick;                // archive member by rule: knee | short<=X | id=N (pareto.h)
  std::string short_factors_path;  // optional
  int target_length = 0;           // 0 = from the source
  int original_max_position = 0;   // 0 = from the source
  std::string mscale;              // "" = from the source, else su | yarn | one | a number
};

struct ExportSource {
  std::vector<std::vector<double>> long_rows;  // one row, or one per layer
  std::vector<double> short_factors;           // head_dim/2 values (ones when none was given)
  std::string short_origin;                    // where the short factors came from
  int start_tokens = 0;                        // n̂ of the searched individual
  std::string mscale_rule = "su";              // su | yarn | one | a number
  int target_length = 0, original_max_position = 0;
  std::optional<double> ppl;        // PPL the source recorded at the target length
  std::optional<double> short_ppl;  // PPL the archive recorded at the short length, if any
  std::string pick;                 // the --pick rule that chose the individual ("" = none)
  // Provenance.
  std::string source_file, archive_path;
  int64_t id = -1;
  nlohmann::json archive_config;  // the archive's run configuration (null for factor files)

  double scale() const { return static_cast<double>(target_length) / original_max_position; }
  double mscale() const;  // the attention factor the rule gives at s
  const std::vector<double>& long_factors() const { return long_rows.at(0); }
  int half() const { return static_cast<int>(long_rows.at(0).size()); }
};

// Reads and checks the source (finite, >= 1, non-decreasing, consistent counts, lengths
// known and T >= L). Throws with the file name on any problem.
ExportSource load_export_source(const SourceRequest& req);

}  // namespace lr

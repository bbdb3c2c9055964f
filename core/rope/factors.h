// LongRoPE factor files (the original repo's CSV, or JSON) and their validation.
#pragma once
#include <optional>
#include <string>
#include <vector>

namespace lr {

struct FactorFile {
  std::vector<std::vector<double>> rows;        // one row (all layers) or one per layer
  std::vector<std::vector<double>> short_rows;  // JSON "short_factor(s)"; empty = none
  std::optional<int> start_tokens;              // JSON "start_tokens"
  std::optional<std::string> mscale;            // JSON "mscale" (su, yarn or a number)
  std::optional<int> target_length;             // JSON "target_length"
  std::optional<int> original_max_position;     // JSON "original_max_position"
};

struct FactorChecks {
  bool allow_below_one = false;
  bool monotonic = true;
};

// Parses CSV (numbers separated by newlines or commas; one row per line when a line holds
// several values) or JSON ({"factors" | "long_factor": [...] | [[...], ...], "short_factor":
// [...], "start_tokens": n, "target_length": T, ...} or a bare array). Throws Format / Data
// with the file name and the offending position.
FactorFile read_factor_file(const std::string& path);

// Checks count == half (per row), rows == 1 or n_layers, finite, >= 1, non-decreasing.
void validate_factors(const std::vector<std::vector<double>>& rows, int half, int n_layers,
                      const FactorChecks& checks, const std::string& source);

}  // namespace lr

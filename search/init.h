// Seeds of the initial population: PI, NTK-aware, YaRN, a factor file, rescaled factors.
#pragma once
#include <string>
#include <vector>

#include "core/model/config.h"

namespace lr {

struct Seed {
  std::string label;  // "pi", "ntk", "yarn", "init-file", "rescaled@s"
  std::vector<double> lambda;
};

struct SeedOptions {
  double scale = 1.0;  // target / original length
  int original_length = 0;
  double yarn_beta_fast = 32.0, yarn_beta_slow = 1.0;
  std::string init_factors;   // file (CSV/JSON), "" = none
  bool auto_rescale = false;  // rescale init factors from their own scale
  double init_scale = 0.0;    // scale the init factors were searched for (0 = read from JSON)
};

// The original repo's progressive rescale: 1 + (λ - 1)(s_t - 1)/(s_o - 1).
std::vector<double> rescale_factors(const std::vector<double>& lambda, double from_scale,
                                    double to_scale);

// PI, NTK, YaRN, then the init file; with auto_rescale, the init factors rescaled to
// s_t, s_t/2, s_t/4, ... (> 1) — each becomes a seed and selection keeps the best.
std::vector<Seed> make_seeds(const ModelConfig& c, const SeedOptions& o);

}  // namespace lr

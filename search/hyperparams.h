// Search hyperparameters: JSON files in hyperparams/, overridable key by key.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace lr {

struct HyperParams {
  double evo_scale = 1.0;
  int population_size = 64;
  int max_time_budget = 40;  // iterations
  int mutation_numbers = 16;
  int crossover_size = 16;
  int max_crossover_try = 20;
  int parents_size = 32;
  double list_step = 0.01;
  std::vector<int> start_token_set = {0, 1, 2, 4, 8, 12, 16, 20, 24, 28, 32, 64, 128, 256};
  int alpha = -1, beta = -1;  // dim_piece_mono boundaries (-1: a quarter of the dims each)

  // Sizes after evo_scale, as the original repo applies it (truncated; saturated at int's
  // range, so a hostile file cannot overflow the conversion; validate() bounds them).
  int population() const { return scaled(population_size); }
  int iterations() const { return scaled(max_time_budget); }
  int mutations() const { return scaled(mutation_numbers); }
  int crossovers() const { return scaled(crossover_size); }
  int crossover_tries() const { return scaled(max_crossover_try); }
  int parents() const { return scaled(parents_size); }

  nlohmann::json to_json() const;
  void validate() const;  // throws InvalidArgument naming the impossible value

 private:
  int scaled(int v) const {
    const double x = evo_scale * v;
    if (!(x < 2147483647.0)) return 2147483647;  // NaN too
    return x > -2147483648.0 ? static_cast<int>(x) : -2147483647 - 1;
  }
};

// Applies `j` on top of `hp`; unknown keys are errors.
void apply_hyperparams(HyperParams& hp, const nlohmann::json& j, const std::string& source);
HyperParams load_hyperparams(const std::string& path);
// A --set "key=value" split, the value parsed as JSON (InvalidArgument naming `kv` otherwise).
std::pair<std::string, nlohmann::json> parse_override(const std::string& kv);
// "key=value" overrides from the command line (value parsed as JSON, e.g. 16 or [0,4,8]).
void apply_override(HyperParams& hp, const std::string& kv);

}  // namespace lr

// Hyperparameter files, overrides and validation.
#include "search/hyperparams.h"

#include <cmath>
#include <filesystem>

#include "core/util/error.h"
#include "core/util/json_int.h"
#include "core/util/mapped_file.h"

namespace lr {

nlohmann::json HyperParams::to_json() const {
  return {{"evo_scale", evo_scale},
          {"population_size", population_size},
          {"max_time_budget", max_time_budget},
          {"mutation_numbers", mutation_numbers},
          {"crossover_size", crossover_size},
          {"max_crossover_try", max_crossover_try},
          {"parents_size", parents_size},
          {"list_step", list_step},
          {"start_token_set", start_token_set},
          {"alpha", alpha},
          {"beta", beta}};
}

void HyperParams::validate() const {
  auto need = [](bool ok, const std::string& msg) {
    if (!ok) fail(ErrorKind::InvalidArgument, "hyperparameters: " + msg);
  };
  need(evo_scale > 0 && std::isfinite(evo_scale), "evo_scale must be finite and > 0");
  constexpr int kMax = 1'000'000;  // candidates per generation, generations, tries
  need(population() <= kMax && parents() <= kMax && iterations() <= kMax && mutations() <= kMax &&
           crossovers() <= kMax && crossover_tries() <= kMax,
       "sizes after evo_scale must be at most " + std::to_string(kMax));
  need(list_step > 0, "list_step must be > 0");
  need(population() >= 2, "population_size (after evo_scale) must be >= 2");
  need(parents() >= 2, "parents_size (after evo_scale) must be >= 2");
  need(parents() <= population(), "parents_size (" + std::to_string(parents()) +
                                      ") must not exceed population_size (" +
                                      std::to_string(population()) + ")");
  need(iterations() >= 0, "max_time_budget must be >= 0");
  need(mutations() >= 0 && crossovers() >= 0, "mutation_numbers and crossover_size must be >= 0");
  need(mutations() + crossovers() > 0 || iterations() == 0,
       "mutation_numbers + crossover_size must be > 0");
  need(max_crossover_try >= 1, "max_crossover_try must be >= 1");
  need(!start_token_set.empty(), "start_token_set must not be empty");
  for (int v : start_token_set) need(v >= 0, "start_token_set values must be >= 0");
}

void apply_hyperparams(HyperParams& hp, const nlohmann::json& j, const std::string& src) {
  if (!j.is_object()) fail(ErrorKind::Format, src + ": hyperparameters must be a JSON object");
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    const auto& v = it.value();
    try {
      if (k == "evo_scale")
        hp.evo_scale = v.get<double>();
      else if (k == "population_size")
        hp.population_size = json_int(v, src + ": " + k);
      else if (k == "max_time_budget")
        hp.max_time_budget = json_int(v, src + ": " + k);
      else if (k == "mutation_numbers")
        hp.mutation_numbers = json_int(v, src + ": " + k);
      else if (k == "crossover_size")
        hp.crossover_size = json_int(v, src + ": " + k);
      else if (k == "max_crossover_try")
        hp.max_crossover_try = json_int(v, src + ": " + k);
      else if (k == "parents_size")
        hp.parents_size = json_int(v, src + ": " + k);
      else if (k == "list_step")
        hp.list_step = v.get<double>();
      else if (k == "start_token_set")
        hp.start_token_set = json_ints(v, src + ": " + k);
      else if (k == "alpha")
        hp.alpha = json_int(v, src + ": " + k);
      else if (k == "beta")
        hp.beta = json_int(v, src + ": " + k);
      else if (k == "comment" || k == "_comment")
        continue;
      else
        fail(ErrorKind::InvalidArgument, src + ": unknown hyperparameter '" + k + "'");
    } catch (const nlohmann::json::exception& e) {
      fail(ErrorKind::InvalidArgument, src + ": bad value for '" + k + "': " + e.what());
    }
  }
}

HyperParams load_hyperparams(const std::string& path) {
  if (!std::filesystem::exists(path))
    fail(ErrorKind::Io, "hyperparameter file '" + path + "' does not exist");
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_text_file(path));
  } catch (const nlohmann::json::exception& e) {
    fail(ErrorKind::Format, path + ": not valid JSON: " + e.what());
  }
  HyperParams hp;
  apply_hyperparams(hp, j, path);
  return hp;
}

std::pair<std::string, nlohmann::json> parse_override(const std::string& kv) {
  const auto eq = kv.find('=');
  if (eq == std::string::npos || eq == 0)
    fail(ErrorKind::InvalidArgument, "--set expects key=value, got '" + kv + "'");
  try {
    return {kv.substr(0, eq), nlohmann::json::parse(kv.substr(eq + 1))};
  } catch (const nlohmann::json::exception&) {
    fail(ErrorKind::InvalidArgument, "--set " + kv + ": value is not a number or JSON array");
  }
}

void apply_override(HyperParams& hp, const std::string& kv) {
  const auto [key, value] = parse_override(kv);
  apply_hyperparams(hp, {{key, value}}, "--set");
}

}  // namespace lr

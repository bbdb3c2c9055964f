// Optimizer names, their settings files (built-in defaults, overrides, checks) and the budget.
#include "search/optimizer_settings.h"

#include <cmath>
#include <filesystem>

#include "core/util/error.h"
#include "core/util/mapped_file.h"

using nlohmann::json;

namespace lr {

namespace {

struct OptimizerRow {
  Optimizer id;
  const char* name;
  bool batches;
  int objectives;
};

constexpr OptimizerRow kOptimizers[] = {
    {Optimizer::Ga, "ga", true, 1},      {Optimizer::Cmaes, "cmaes", false, 1},
    {Optimizer::Xnes, "xnes", false, 1}, {Optimizer::PsoGen, "pso_gen", true, 1},
    {Optimizer::Gaco, "gaco", true, 1},  {Optimizer::Nsga2, "nsga2", true, 2},
};

const OptimizerRow& row(Optimizer o) {
  for (const auto& r : kOptimizers)
    if (r.id == o) return r;
  return kOptimizers[0];
}

}  // namespace

Optimizer parse_optimizer(const std::string& name) {
  std::string all;
  for (const auto& r : kOptimizers) {
    if (name == r.name) return r.id;
    all += std::string(all.empty() ? "" : ", ") + r.name;
  }
  fail(ErrorKind::InvalidArgument, "unknown optimizer '" + name + "' (" + all + ")");
}

const char* optimizer_name(Optimizer o) { return row(o).name; }
bool optimizer_takes_batches(Optimizer o) { return row(o).batches; }
int optimizer_objectives(Optimizer o) { return row(o).objectives; }

json default_optimizer_settings(Optimizer o) {
  // Sizes for a budget of about a fifth of the default GA's 1344 evaluations; the rest are
  // pagmo 2.18's own defaults (-1: pagmo derives the value from the dimension).
  switch (o) {
    case Optimizer::Ga:
      return json::object();  // the GA's settings are its hyperparameters (search/hyperparams.h)
    case Optimizer::Cmaes:
      return {{"population_size", 16},
              {"generations", 16},
              {"sigma0", 0.25},
              {"cc", -1.0},
              {"cs", -1.0},
              {"c1", -1.0},
              {"cmu", -1.0},
              {"ftol", 0.0},
              {"xtol", 1e-6}};
    case Optimizer::Xnes:
      return {{"population_size", 16}, {"generations", 16}, {"sigma0", 0.25}, {"eta_mu", -1.0},
              {"eta_sigma", -1.0},     {"eta_b", -1.0},     {"ftol", 0.0},    {"xtol", 1e-6}};
    case Optimizer::PsoGen:
      return {{"population_size", 16}, {"generations", 16}, {"omega", 0.7298},
              {"eta1", 2.05},          {"eta2", 2.05},      {"max_vel", 0.5},
              {"variant", 5},          {"neighb_type", 2},  {"neighb_param", 4}};
    case Optimizer::Gaco:
      return {{"population_size", 16}, {"generations", 16},  {"ker", 8},       {"q", 1.0},
              {"oracle", 0.0},         {"acc", 0.01},        {"threshold", 1}, {"n_gen_mark", 7},
              {"impstop", 100000},     {"evalstop", 100000}, {"focus", 0.0}};
    case Optimizer::Nsga2:
      return {{"population_size", 24}, {"generations", 16}, {"cr", 0.95},
              {"eta_c", 10.0},         {"m", 0.1},          {"eta_m", 20.0}};
  }
  return json::object();
}

bool optimizer_available(Optimizer o) {
#ifdef LONGROPE_HAVE_PAGMO
  (void)o;
  return true;
#else
  return o == Optimizer::Ga;
#endif
}

void apply_optimizer_settings(json& settings, const json& j, const std::string& source) {
  if (!j.is_object())
    fail(ErrorKind::Format, source + ": optimizer settings must be a JSON object");
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (it.key() == "_comment" || it.key() == "comment") continue;
    if (!settings.contains(it.key()))
      fail(ErrorKind::InvalidArgument, source + ": unknown optimizer setting '" + it.key() + "'");
    const json& have = settings[it.key()];
    const json& v = it.value();
    const bool ok = have.is_number_integer() ? v.is_number_integer()
                    : have.is_number()       ? v.is_number()
                                             : v.type() == have.type();
    if (!ok)
      fail(ErrorKind::InvalidArgument, source + ": optimizer setting '" + it.key() + "' must be " +
                                           (have.is_number_integer() ? "an integer" : "a number"));
    settings[it.key()] = have.is_number_integer() ? json(v.get<long>()) : v;
  }
}

json read_optimizer_settings_file(const std::string& path) {
  if (!std::filesystem::exists(path))
    fail(ErrorKind::Io, "optimizer settings file '" + path + "' does not exist");
  try {
    return json::parse(read_text_file(path));
  } catch (const json::exception& e) {
    fail(ErrorKind::Format, path + ": not valid JSON: " + e.what());
  }
}

void validate_optimizer_settings(Optimizer o, const json& s) {
  auto need = [&](bool ok, const std::string& msg) {
    if (!ok)
      fail(ErrorKind::InvalidArgument,
           std::string("optimizer settings (") + optimizer_name(o) + "): " + msg);
  };
  if (o == Optimizer::Ga) return;
  const long pop = s.at("population_size").get<long>(), gen = s.at("generations").get<long>();
  need(gen >= 0 && gen <= 100000, "generations must be in 0..100000");
  need(pop >= 5 && pop <= 100000, "population_size must be in 5..100000 (pagmo needs >= 5)");
  if (o == Optimizer::Nsga2)
    need(pop % 4 == 0, "population_size must be a multiple of 4 (NSGA-II)");
  for (auto it = s.begin(); it != s.end(); ++it)
    need(it.value().is_number() && std::isfinite(it.value().get<double>()),
         "'" + it.key() + "' must be a finite number");
  if (o == Optimizer::Cmaes || o == Optimizer::Xnes) {
    const double sg = s.at("sigma0").get<double>();
    need(sg > 0 && sg <= 1, "sigma0 must be in (0, 1] (a share of the unit box)");
  }
  if (o == Optimizer::Gaco) {
    const long ker = s.at("ker").get<long>();
    need(ker >= 1 && ker <= pop, "ker must be in 1..population_size");
  }
}

unsigned pagmo_seed(uint64_t seed) {
  uint64_t z = seed + 0x9E3779B97F4A7C15ULL;  // splitmix64
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  return static_cast<unsigned>(z >> 32);
}

long planned_evaluations(const json& config) {
  const Optimizer o = parse_optimizer(config.value("optimizer", std::string("ga")));
  long planned = 0;
  if (o == Optimizer::Ga) {
    HyperParams hp;
    apply_hyperparams(hp, config.at("hyperparams"), "configuration");
    planned =
        hp.population() + static_cast<long>(hp.iterations()) * (hp.mutations() + hp.crossovers());
  } else {
    const json& s = config.at("optimizer_settings");
    planned = s.at("population_size").get<long>() * (1 + s.at("generations").get<long>());
  }
  const long cap = config.value("max_evaluations", 0L);
  return cap > 0 && cap < planned ? cap : planned;
}

}  // namespace lr

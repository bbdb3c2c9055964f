// Initial-population seeds.
#include "search/init.h"

#include <nlohmann/json.hpp>

#include "core/rope/factors.h"
#include "core/rope/rope.h"
#include "core/util/error.h"
#include "core/util/mapped_file.h"

namespace lr {

std::vector<double> rescale_factors(const std::vector<double>& l, double from, double to) {
  if (!(from > 1.0)) fail(ErrorKind::InvalidArgument, "rescale: the source scale must be > 1");
  std::vector<double> out(l.size());
  for (size_t i = 0; i < l.size(); ++i) out[i] = 1.0 + (l[i] - 1.0) * (to - 1.0) / (from - 1.0);
  return out;
}

std::vector<Seed> make_seeds(const ModelConfig& c, const SeedOptions& o) {
  std::vector<Seed> seeds = {
      {"pi", pi_factors(c.head_dim, o.scale)},
      {"ntk", ntk_factors(c.head_dim, o.scale)},
      {"yarn", yarn_factors(c.head_dim, c.rope_theta, o.scale, o.original_length, o.yarn_beta_fast,
                            o.yarn_beta_slow)}};
  if (o.init_factors.empty()) return seeds;
  FactorFile f = read_factor_file(o.init_factors);
  if (f.rows.size() != 1)
    fail(ErrorKind::Data, o.init_factors + ": the search takes one row of factors");
  FactorChecks checks;
  checks.monotonic = false;  // projected onto the constraint below
  validate_factors(f.rows, c.head_dim / 2, c.n_layers, checks, o.init_factors);
  if (!o.auto_rescale) {
    seeds.push_back({"init-file", f.rows[0]});
    return seeds;
  }
  double from = o.init_scale;
  if (from <= 0) {  // result_final.json records its scale
    try {
      const auto j = nlohmann::json::parse(read_text_file(o.init_factors));
      from = j.at("scale").get<double>();
    } catch (const std::exception&) {
      fail(ErrorKind::InvalidArgument, o.init_factors +
                                           ": --auto-rescale-init-factors needs --init-scale "
                                           "(or a result_final.json that records \"scale\")");
    }
  }
  for (double t = o.scale; t > 1.0 + 1e-9; t /= 2)
    seeds.push_back({"rescaled@" + std::to_string(t), rescale_factors(f.rows[0], from, t)});
  return seeds;
}

}  // namespace lr

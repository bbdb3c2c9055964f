// Box genotype <-> genome maps of the continuous optimizers (search/genotype.h).
#include "search/genotype.h"

#include <algorithm>
#include <cmath>

#include "core/util/error.h"

namespace lr {

namespace {

double log_ratio(double lo, double hi) { return hi > lo ? std::log(hi / lo) : 0.0; }
double unit(double v) { return std::isfinite(v) ? std::clamp(v, 0.0, 1.0) : 0.0; }

}  // namespace

Genotype::Genotype(SearchSpace space) : space_(std::move(space)) {
  for (int i = 0; i < space_.half; ++i)
    if (space_.searched(i)) pairs_.push_back(i);
}

Genome Genotype::decode(const std::vector<double>& z) const {
  if (z.size() != size())
    fail(ErrorKind::InvalidArgument,
         "genotype: " + std::to_string(z.size()) + " genes for " + std::to_string(size()));
  const size_t m = pairs_.size();
  std::vector<double> u(z.begin(), z.begin() + static_cast<std::ptrdiff_t>(m));
  for (double& v : u) v = unit(v);
  std::sort(u.begin(), u.end());
  // Pairs not searched start at their lower bound; project() fixes or derives them.
  std::vector<double> lambda(space_.half);
  for (int i = 0; i < space_.half; ++i) lambda[i] = space_.lower(i);
  for (size_t k = 0; k < m; ++k) {
    const int i = pairs_[k];
    const double lo = space_.lower(i), hi = space_.upper(i);
    lambda[i] = lo * std::exp(u[k] * log_ratio(lo, hi));
  }
  Genome g;
  g.lambda = space_.project(std::move(lambda));
  const auto& set = space_.start_token_set;
  g.start_tokens = set.front();
  if (space_.search_start_tokens) {
    const double x = unit(z[m]);
    const auto idx = static_cast<size_t>(std::lround(x * static_cast<double>(set.size() - 1)));
    g.start_tokens = set[std::min(idx, set.size() - 1)];
  }
  if (space_.search_mscale())
    g.mscale = space_.snap_mscale(space_.mscale_lo +
                                  unit(z.back()) * (space_.mscale_hi - space_.mscale_lo));
  return g;
}

std::vector<double> Genotype::encode(const Genome& g) const {
  if (static_cast<int>(g.lambda.size()) != space_.half)
    fail(ErrorKind::InvalidArgument, "genotype: wrong factor count");
  std::vector<double> z;
  z.reserve(size());
  for (int i : pairs_) {
    const double lo = space_.lower(i), hi = space_.upper(i);
    const double r = log_ratio(lo, hi);
    const double v = g.lambda[i] > lo && r > 0 ? std::log(g.lambda[i] / lo) / r : 0.0;
    z.push_back(std::clamp(v, 0.0, 1.0));
  }
  if (space_.search_start_tokens) {
    const auto& set = space_.start_token_set;
    const auto it = std::find(set.begin(), set.end(), g.start_tokens);
    const double idx = it == set.end() ? 0.0 : static_cast<double>(it - set.begin());
    z.push_back(set.size() > 1 ? idx / static_cast<double>(set.size() - 1) : 0.5);
  }
  if (space_.search_mscale()) {
    const double lo = space_.mscale_lo, hi = space_.mscale_hi;
    const double v = g.mscale > 0 ? g.mscale : space_.mscale_seed;
    z.push_back(hi > lo ? unit((v - lo) / (hi - lo)) : 0.0);
  }
  return z;
}

}  // namespace lr

// Racing bound, the race of a generation and the item-by-item scoring loop.
#include "search/race.h"

#include <cmath>

namespace lr {

namespace {
double sample_sd(const std::vector<double>& d) {
  if (d.size() < 2) return 0.0;
  double m = 0;
  for (double v : d) m += v;
  m /= static_cast<double>(d.size());
  double ss = 0;
  for (double v : d) ss += (v - m) * (v - m);
  return std::sqrt(ss / static_cast<double>(d.size() - 1));
}
}  // namespace

bool Race::reject(const std::vector<double>& nll) const {
  const size_t n = ref.size(), j = nll.size();
  if (!active() || j == 0 || j >= n) return false;  // complete: selection decides
  std::vector<double> delta(j);
  double mean = 0;
  for (size_t d = 0; d < j; ++d) mean += (delta[d] = nll[d] - ref[d]);
  mean /= static_cast<double>(j);
  if (std::isnan(mean) || mean == INFINITY) return true;  // a diverged candidate
  const double s = std::max(sigma, sample_sd(delta));
  if (s == 0.0 && j < 2) return false;  // no spread known yet
  const double jd = static_cast<double>(j), nd = static_cast<double>(n);
  const double bound = mean - z * s * (nd - jd) / nd * std::sqrt(1.0 / jd + 1.0 / (nd - jd));
  return bound > 0.0;
}

Race make_race(const std::vector<Individual>& parents, size_t k, double z) {
  Race r;
  r.z = z;
  if (k == 0 || parents.size() < k) return r;
  const Individual& ref = parents[k - 1];
  if (ref.rejected || ref.item_nll.empty()) return r;
  for (double v : ref.item_nll)
    if (!std::isfinite(v)) return r;
  double var_sum = 0;
  int count = 0;
  for (size_t p = 0; p + 1 < k; ++p) {
    const auto& a = parents[p].item_nll;
    if (a.size() != ref.item_nll.size()) continue;
    std::vector<double> delta(a.size());
    bool finite = true;
    for (size_t d = 0; d < a.size(); ++d) {
      delta[d] = a[d] - ref.item_nll[d];
      finite = finite && std::isfinite(delta[d]);
    }
    if (!finite) continue;
    const double s = sample_sd(delta);
    var_sum += s * s;
    ++count;
  }
  r.sigma = count > 0 ? std::sqrt(var_sum / count) : 0.0;
  r.ref = ref.item_nll;
  return r;
}

ItemScores score_items(size_t n, const std::function<double(size_t, long&)>& score,
                       const Race& race) {
  ItemScores s;
  for (size_t i = 0; i < n; ++i) {
    s.nll.push_back(score(i, s.tokens));
    if (race.ref.size() == n && race.reject(s.nll)) {
      s.rejected = true;
      break;
    }
  }
  return s;
}

double ppl_of(const std::vector<double>& nll) {
  double sum = 0;
  for (double v : nll) sum += v;
  return std::exp(sum / static_cast<double>(nll.size()));
}

}  // namespace lr

// Grid arithmetic and constraint checks of the search space.
#include "search/space.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <sstream>

#include "core/rope/rope.h"
#include "core/util/error.h"

namespace lr {

Algorithm parse_algorithm(const std::string& s) {
  if (s == "dim_mono") return Algorithm::DimMono;
  if (s == "dim_piece_mono") return Algorithm::DimPieceMono;
  fail(ErrorKind::InvalidArgument, "unknown algorithm '" + s + "' (dim_mono or dim_piece_mono)");
}

const char* algorithm_name(Algorithm a) {
  return a == Algorithm::DimMono ? "dim_mono" : "dim_piece_mono";
}

SearchSpace::SearchSpace(Algorithm a, int half_dims, double s, double st, std::vector<int> set,
                         bool search_n_hat)
    : algorithm(a),
      half(half_dims),
      scale(s),
      step(st),
      start_token_set(std::move(set)),
      search_start_tokens(search_n_hat) {
  if (half < 1) fail(ErrorKind::InvalidArgument, "search: head_dim/2 must be >= 1");
  if (!(step > 0)) fail(ErrorKind::InvalidArgument, "search: list_step must be > 0");
  if (!(scale >= 1)) fail(ErrorKind::InvalidArgument, "search: scale must be >= 1");
  if (start_token_set.empty()) start_token_set = {0};
  std::sort(start_token_set.begin(), start_token_set.end());
  for (int v : start_token_set)
    if (v < 0) fail(ErrorKind::InvalidArgument, "search: start tokens must be >= 0");
  max_factor = a == Algorithm::DimMono ? 1.25 * scale : scale;
  if (a == Algorithm::DimPieceMono) {  // defaults: the first quarter and last quarter fixed
    alpha = std::max(-1, half / 4 - 1);
    beta = std::min(half - 1, half - half / 4 - 1);
  }
}

int SearchSpace::grid(double v) const { return static_cast<int>(std::lround((v - 1.0) / step)); }
double SearchSpace::value(int g) const {
  return std::round((1.0 + g * step) * 1e9) / 1e9;  // exact decimal grid values
}
int SearchSpace::max_grid() const {
  return static_cast<int>(std::floor((max_factor - 1.0) / step + 1e-9));
}
double SearchSpace::snap(double v) const { return value(std::clamp(grid(v), 0, max_grid())); }
double SearchSpace::snap_mscale(double v) const {
  const double lo = std::ceil(mscale_lo * 1000.0 - 1e-6) / 1000.0;
  const double hi = std::floor(mscale_hi * 1000.0 + 1e-6) / 1000.0;
  return mscale_grid(std::clamp(std::isfinite(v) ? v : lo, lo, hi));
}
bool SearchSpace::fixed(int i) const {
  return algorithm == Algorithm::DimPieceMono && (i <= alpha || i > beta);
}
double SearchSpace::fixed_value(int i) const { return i <= alpha ? 1.0 : scale; }
void SearchSpace::set_mscale_search(const std::string& spec, double rule, int original_length) {
  double lo = 1.0, hi = 1.25 * std::max(mscale_su(scale, original_length), mscale_yarn(scale));
  if (spec != "auto") {
    const size_t colon = spec.find(':');
    char* end = nullptr;
    lo = std::strtod(spec.c_str(), &end);
    const bool lo_ok = colon != std::string::npos && end == spec.c_str() + colon;
    hi = lo_ok ? std::strtod(spec.c_str() + colon + 1, &end) : 0.0;
    if (!lo_ok || *end != '\0' || !(lo > 0) || !(hi > lo) || hi > 4)
      fail(ErrorKind::InvalidArgument,
           "--search-mscale must be 'auto' or LO:HI with 0 < LO < HI <= 4 (got '" + spec + "')");
  }
  if (std::floor(hi * 1000.0 + 1e-6) <= std::ceil(lo * 1000.0 - 1e-6))
    fail(ErrorKind::InvalidArgument,
         "--search-mscale " + spec + ": the bounds hold one grid point (0.001) at most");
  mscale_lo = lo;
  mscale_hi = hi;
  mscale_seed = snap_mscale(rule);
}

int SearchSpace::min_grid(int i) const {
  if (critical <= 0 || i < critical) return 0;
  return std::min(max_grid(), static_cast<int>(std::ceil((scale - 1.0) / step - 1e-9)));
}

void SearchSpace::derive(std::vector<double>& l) const {
  if (critical <= 0 || static_cast<int>(l.size()) <= critical) return;
  // λ_i = λ_K^(i/K) rounded to the grid: rounding is monotone, λ_0 = 1 and λ_{K-1} <= λ_K.
  const double top = l[critical];
  for (int i = 0; i < critical; ++i) l[i] = value(grid(std::pow(top, double(i) / critical)));
}

std::vector<double> SearchSpace::project(std::vector<double> l) const {
  l.resize(half, l.empty() ? 1.0 : l.back());
  double prev = 1.0;
  for (int i = 0; i < half; ++i) {
    if (derived(i)) continue;  // filled from the critical pair below
    double v = fixed(i) ? fixed_value(i) : snap(l[i]);
    if (!fixed(i)) v = std::max({v, prev, lower(i)});
    l[i] = v;
    prev = v;
  }
  derive(l);
  return l;
}

std::string SearchSpace::violation(const Genome& ind) const {
  std::ostringstream o;
  if (static_cast<int>(ind.lambda.size()) != half) return "wrong factor count";
  std::vector<double> want = ind.lambda;
  derive(want);
  for (int i = 0; i < half; ++i) {
    const double v = ind.lambda[i];
    if (!std::isfinite(v)) return "non-finite factor";
    if (derived(i) && v != want[i]) {
      o << "dim " << i << " must be " << want[i] << " (derived from the critical pair " << critical
        << ")";
      return o.str();
    }
    if (fixed(i)) {
      if (v != fixed_value(i)) {
        o << "dim " << i << " must be " << fixed_value(i);
        return o.str();
      }
      continue;
    }
    if (std::abs(value(grid(v)) - v) > 1e-9) {
      o << "dim " << i << " off the grid";
      return o.str();
    }
    if (v < lower(i) - 1e-9 || v > max_factor + 1e-9) {
      o << "dim " << i << " out of bounds";
      return o.str();
    }
    if (i > 0 && v < ind.lambda[i - 1]) {
      o << "not monotonic at " << i;
      return o.str();
    }
  }
  if (std::find(start_token_set.begin(), start_token_set.end(), ind.start_tokens) ==
      start_token_set.end())
    return "start tokens not in the set";
  if (!search_mscale() && ind.mscale != 0) return "an attention factor the run does not search";
  if (search_mscale() && ind.mscale != snap_mscale(ind.mscale))
    return "attention factor off its grid or bounds";
  return "";
}

std::string SearchSpace::key(const Genome& ind) const {
  std::string k;
  for (double v : ind.lambda) k += std::to_string(grid(v)) + ",";
  k += '|';
  k += std::to_string(ind.start_tokens);
  if (ind.mscale != 0) {
    k += "|m";
    k += std::to_string(std::lround(ind.mscale * 1000.0));
  }
  return k;
}

}  // namespace lr

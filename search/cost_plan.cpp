// The cost projection of `plan --search`: generations, tokens, wall time, ranks, racing ranges.
#include "search/cost_plan.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "core/util/error.h"
#include "search/hyperparams.h"
#include "search/optimizer_settings.h"

using nlohmann::json;

namespace lr {

ForwardSpeed fit_forward_speed(const std::vector<std::pair<int, double>>& samples) {
  if (samples.empty()) fail(ErrorKind::InvalidArgument, "fit_forward_speed: no samples");
  // Relative least squares: each sample weighted by 1/t², so short passes count as much.
  double s11 = 0, s12 = 0, s22 = 0, r1 = 0, r2 = 0;
  for (const auto& [len, t] : samples) {
    const double n = len, w = t > 0 ? 1.0 / (t * t) : 1.0;
    s11 += w * n * n;
    s12 += w * n * n * n;
    s22 += w * n * n * n * n;
    r1 += w * n * t;
    r2 += w * n * n * t;
  }
  ForwardSpeed f;
  const double det = s11 * s22 - s12 * s12;
  if (samples.size() >= 2 && det > 1e-12 * s11 * s22) {
    f.a = (r1 * s22 - r2 * s12) / det;
    f.b = (s11 * r2 - s12 * r1) / det;
    if (f.a >= 0 && f.b >= 0) return f;
  }
  // One term alone: the one that fits better.
  const ForwardSpeed lin{r1 / s11, 0.0}, quad{0.0, r2 / s22};
  double e_lin = 0, e_quad = 0;
  for (const auto& [len, t] : samples) {
    const double w = t > 0 ? 1.0 / (t * t) : 1.0;
    e_lin += w * std::pow(lin.seconds(len) - t, 2);
    e_quad += w * std::pow(quad.seconds(len) - t, 2);
  }
  return e_quad < e_lin ? quad : lin;
}

std::vector<long> generation_batches(const json& config) {
  const Optimizer o = parse_optimizer(config.value("optimizer", std::string("ga")));
  std::vector<long> b;
  if (o == Optimizer::Ga) {
    HyperParams hp;
    apply_hyperparams(hp, config.at("hyperparams"), "configuration");
    b.push_back(hp.population());
    b.insert(b.end(), static_cast<size_t>(std::max(0, hp.iterations())),
             static_cast<long>(hp.mutations()) + hp.crossovers());
  } else {
    const json& s = config.at("optimizer_settings");
    const long pop = s.at("population_size").get<long>();
    const long gens = 1 + s.at("generations").get<long>();
    if (optimizer_takes_batches(o))
      b.assign(static_cast<size_t>(gens), pop);
    else
      b.assign(static_cast<size_t>(gens * pop), 1);
  }
  // Cut to the planned evaluations (the evaluation budget).
  long left = planned_evaluations(config);
  std::vector<long> out;
  for (long n : b) {
    if (left <= 0) break;
    out.push_back(std::min(n, left));
    left -= out.back();
  }
  return out;
}

const std::vector<MeasuredSaving>& measured_savings() {
  static const std::vector<MeasuredSaving> rows = {
      {"racing (z = 2)", 0.64, 0.87,
       "stories260K and fixture-5m, quick and default sizes, 3 seeds each"},
      {"racing + screen (T/4, keep 1/2)", 0.69, 0.77,
       "stories260K and fixture-5m, quick and default sizes, 3 seeds each"},
      {"racing + screen (T/4, keep 1/4)", 0.49, 0.51,
       "stories260K and fixture-5m, default size (1344 evaluations), 3 seeds each"},
  };
  return rows;
}

namespace {

int workers_of(int ranks) { return ranks <= 1 ? 1 : ranks - 1; }

long ceil_div(long a, long b) { return (a + b - 1) / b; }

}  // namespace

SearchCostPlan plan_search_cost(const json& config, int original_length, const ForwardSpeed& speed,
                                const std::vector<int>& ranks, bool baselines) {
  SearchCostPlan p;
  const int target = config.at("target_length").get<int>();
  int L = config.value("original_max_position", 0);
  if (L <= 0) L = original_length;
  if (L <= 0)
    fail(ErrorKind::InvalidArgument,
         "the model does not say its trained context: give --original-max-position");
  const bool short_search = config.value("search_short_factors", false);
  const std::string fitness = config.value("fitness", std::string("ppl"));
  p.items = config.at("samples").get<int>();
  if (p.items <= 0)
    fail(ErrorKind::InvalidArgument,
         "plan --search counts items from --samples: give --samples N > 0");
  p.length = short_search ? L : target;
  p.short_length = config.value("short_length", 0);
  p.screen_length = config.value("screen_length", 0);
  p.screen_keep = config.value("screen_keep", 0.5);
  p.racing = config.value("racing", false);
  p.exact = fitness != "needle";

  const std::vector<long> batches = generation_batches(config);
  p.generations = static_cast<long>(batches.size());
  for (long n : batches) p.evaluations += n;

  p.tokens_per_score = static_cast<double>(p.items) * (p.length + p.short_length);
  p.seconds_per_score = p.items * (speed.seconds(p.length) +
                                   (p.short_length > 0 ? speed.seconds(p.short_length) : 0));
  p.tokens_per_screen = static_cast<double>(p.items) * p.screen_length;
  p.seconds_per_screen = p.screen_length > 0 ? p.items * speed.seconds(p.screen_length) : 0.0;

  // One process: every generation's children first screened (when on), the kept ones in full.
  for (size_t g = 0; g < batches.size(); ++g) {
    const long n = batches[g];
    if (g > 0 && p.screen_length > 0) {
      p.screen_scores += n;
      p.full_scores += static_cast<long>(std::ceil(p.screen_keep * static_cast<double>(n) - 1e-9));
    } else {
      p.full_scores += n;
    }
  }
  p.tokens = p.full_scores * p.tokens_per_score + p.screen_scores * p.tokens_per_screen;
  p.seconds = p.full_scores * p.seconds_per_score + p.screen_scores * p.seconds_per_screen;
  p.plain_tokens = p.evaluations * p.tokens_per_score;
  p.plain_seconds = p.evaluations * p.seconds_per_score;
  p.baseline_scores = baselines ? 3 : 0;
  p.baseline_seconds = p.baseline_scores * p.items * speed.seconds(p.length);

  for (int r : ranks) {
    if (r < 1) fail(ErrorKind::InvalidArgument, "--ranks: every count must be >= 1");
    RankProjection rp;
    rp.ranks = r;
    rp.workers = workers_of(r);
    for (long n : batches) rp.rounds += ceil_div(n, rp.workers);
    if (r == 1)
      rp.seconds = p.seconds + p.baseline_seconds;
    else if (p.screen_length > 0)
      rp.seconds = std::numeric_limits<double>::quiet_NaN();  // refused under mpirun
    else
      rp.seconds = rp.rounds * p.seconds_per_score + p.baseline_seconds;
    p.ranks.push_back(rp);
  }

  if (p.racing) {
    const double quarter = static_cast<double>(p.length) / 4.0;
    const MeasuredSaving* m = nullptr;
    const auto& rows = measured_savings();
    if (p.screen_length == 0)
      m = &rows[0];
    else if (std::abs(p.screen_length - quarter) <= 1.0 && std::abs(p.screen_keep - 0.5) < 1e-9)
      m = &rows[1];
    else if (std::abs(p.screen_length - quarter) <= 1.0 && std::abs(p.screen_keep - 0.25) < 1e-9)
      m = &rows[2];
    if (m) {
      p.racing_lo = m->lo * p.plain_tokens;
      p.racing_hi = std::min(m->hi * p.plain_tokens, p.tokens);
      p.racing_note = "measured " + m->variant + ": " + std::to_string(int(m->lo * 100 + 0.5)) +
                      "-" + std::to_string(int(m->hi * 100 + 0.5)) +
                      " % of the plain GA's tokens (" + m->note +
                      "; docs/benchmarks.md, Search cost)";
    } else {
      p.racing_lo = rows[0].lo * p.tokens;
      p.racing_hi = p.tokens;
      p.racing_note =
          "no measurement at this screen setting: between racing's best measured share (64 %) of "
          "the screened projection and the screened projection (racing never adds tokens)";
    }
  }
  return p;
}

}  // namespace lr

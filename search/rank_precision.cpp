// Ranking across precisions: Spearman's correlation, the largest change, the best of each.
#include "search/rank_precision.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>

#include "core/util/error.h"
#include "search/archive.h"
#include "search/rejudge.h"
#include "search/sampling.h"
#include "search/search_setup.h"

namespace lr {

std::vector<double> average_ranks(const std::vector<double>& v) {
  std::vector<size_t> order(v.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return v[a] < v[b]; });
  std::vector<double> rank(v.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && v[order[j + 1]] == v[order[i]]) ++j;
    const double r = (static_cast<double>(i + j) + 2.0) / 2.0;  // ranks i+1 .. j+1, averaged
    for (size_t k = i; k <= j; ++k) rank[order[k]] = r;
    i = j + 1;
  }
  return rank;
}

double spearman(const std::vector<double>& a, const std::vector<double>& b) {
  if (a.size() != b.size()) fail(ErrorKind::InvalidArgument, "spearman: sizes differ");
  const size_t n = a.size();
  if (n < 2) return std::nan("");
  const std::vector<double> ra = average_ranks(a), rb = average_ranks(b);
  const double mean = (static_cast<double>(n) + 1.0) / 2.0;  // of any ranks 1..n
  double sab = 0, saa = 0, sbb = 0;
  for (size_t i = 0; i < n; ++i) {
    sab += (ra[i] - mean) * (rb[i] - mean);
    saa += (ra[i] - mean) * (ra[i] - mean);
    sbb += (rb[i] - mean) * (rb[i] - mean);
  }
  if (saa == 0 || sbb == 0) return std::nan("");
  return sab / std::sqrt(saa * sbb);
}

RankSummary rank_summary(const std::vector<RankRow>& rows) {
  RankSummary s;
  std::vector<double> a, b;
  double best_a = 0, best_b = 0;
  for (const auto& r : rows) {
    if (!(std::isfinite(r.ppl_f32) && std::isfinite(r.ppl_other) && r.ppl_f32 > 0 &&
          r.ppl_other > 0))
      continue;
    a.push_back(r.ppl_f32);
    b.push_back(r.ppl_other);
    if (s.best_f32 < 0 || fitness_before(r.ppl_f32, r.id, best_a, s.best_f32)) {
      s.best_f32 = r.id;
      best_a = r.ppl_f32;
    }
    if (s.best_other < 0 || fitness_before(r.ppl_other, r.id, best_b, s.best_other)) {
      s.best_other = r.id;
      best_b = r.ppl_other;
    }
    if (s.max_rel_id < 0 || std::abs(r.rel_change()) > std::abs(s.max_rel_change)) {
      s.max_rel_change = r.rel_change();
      s.max_rel_id = r.id;
    }
  }
  s.n = static_cast<long>(a.size());
  s.spearman = spearman(a, b);
  return s;
}

nlohmann::json summary_json(const RankSummary& s, Compute other) {
  const auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(); };
  return {{"compute", compute_name(other)},    {"candidates", s.n},
          {"spearman", num(s.spearman)},       {"max_rel_change", s.max_rel_change},
          {"max_rel_change_id", s.max_rel_id}, {"best_f32", s.best_f32},
          {"best_other", s.best_other},        {"same_best", s.same_best()}};
}

std::vector<Individual> rank_candidates(const std::vector<Individual>& archived, int n) {
  if (n < 1) fail(ErrorKind::InvalidArgument, "--candidates must be >= 1");
  std::vector<Individual> full;
  for (const auto& i : archived)
    if (!i.rejected && std::isfinite(i.ppl) && i.ppl > 0) full.push_back(i);
  std::sort(full.begin(), full.end(),
            [](const Individual& x, const Individual& y) { return x.id < y.id; });
  if (full.size() <= static_cast<size_t>(n)) return full;
  std::vector<Individual> picked;
  for (size_t k = 0; k < static_cast<size_t>(n); ++k)
    picked.push_back(full[k * full.size() / static_cast<size_t>(n)]);
  return picked;
}

std::vector<RankRow> score_in_two_precisions(Evaluator& ev, const std::vector<Individual>& cands,
                                             Compute other) {
  std::vector<RankRow> rows(cands.size());
  for (size_t i = 0; i < cands.size(); ++i) rows[i].id = cands[i].id;
  {
    const ScopedCompute f32(Compute::F32);
    ev.evaluate(cands, Race{}, [&](size_t k, const Fitness& f) { rows[k].ppl_f32 = f.ppl; });
  }
  const ScopedCompute in_other(other);
  ev.evaluate(cands, Race{}, [&](size_t k, const Fitness& f) { rows[k].ppl_other = f.ppl; });
  return rows;
}

std::vector<RankRow> rank_archive(const std::string& archive, const RankOptions& o, Compute other) {
  if (other == Compute::F32)
    fail(ErrorKind::InvalidArgument,
         "eval rank-precision compares another precision with f32: give --compute int8");
  if (o.samples < 0) fail(ErrorKind::InvalidArgument, "--samples must be >= 0");
  ArchiveData a = read_archive(archive);
  const std::vector<Individual> cands = rank_candidates(a.individuals, o.candidates);
  if (cands.empty()) fail(ErrorKind::Data, archive + ": no candidate was scored in full");
  nlohmann::json cfg = a.config;
  if (!o.model.empty()) cfg["model"] = o.model;
  if (!o.data.empty()) cfg["data"] = o.data;
  if (o.samples > 0) cfg["samples"] = o.samples;
  const SearchSetup s = setup_search(std::move(cfg), {"", o.quiet});
  const auto ev = make_search_evaluator(s, o.threads, 1);
  return score_in_two_precisions(*ev, cands, other);
}

std::string rank_csv(const std::vector<RankRow>& rows) {
  std::string text = "id,ppl_f32,ppl_other,rel_change\n";
  char buf[160];
  for (const auto& r : rows) {
    std::snprintf(buf, sizeof buf, "%lld,%.17g,%.17g,%.17g\n", static_cast<long long>(r.id),
                  r.ppl_f32, r.ppl_other, r.rel_change());
    text += buf;
  }
  return text;
}

}  // namespace lr

// Ranking across precisions: archived candidates scored in F32 and in another --compute precision.
#pragma once
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/kernels/compute.h"
#include "search/evaluator.h"
#include "search/space.h"

namespace lr {

struct RankRow {
  int64_t id = -1;
  double ppl_f32 = 0, ppl_other = 0;  // the fitness PPL with F32 and with the other products
  double rel_change() const { return (ppl_other - ppl_f32) / ppl_f32; }
};

struct RankSummary {
  long n = 0;                 // rows with both PPLs finite and > 0 (the others are left out)
  double spearman = 0;        // rank correlation of the two PPLs (NaN: n < 2 or a side constant)
  double max_rel_change = 0;  // the relative change of largest magnitude, signed
  int64_t max_rel_id = -1;    // its candidate
  int64_t best_f32 = -1;      // the lowest F32 PPL (ties: the lowest id)
  int64_t best_other = -1;    // the lowest PPL in the other precision (ties: the lowest id)
  bool same_best() const { return best_f32 == best_other; }
};

// The rank of each value, 1 for the smallest; tied values share their average rank.
std::vector<double> average_ranks(const std::vector<double>& v);

// Spearman's rank correlation: the Pearson correlation of the average ranks of `a` and `b` (same
// size). NaN with fewer than 2 values or when either side is constant.
double spearman(const std::vector<double>& a, const std::vector<double>& b);

RankSummary rank_summary(const std::vector<RankRow>& rows);
nlohmann::json summary_json(const RankSummary& s, Compute other);

// Up to `n` of `archived` scored in full (not raced or screened out, finite PPL), spread evenly
// over the run by id (all of them when there are at most `n`).
std::vector<Individual> rank_candidates(const std::vector<Individual>& archived, int n);

// Scores `cands` with `ev` (every item, no racing) with F32 matrix products, then with `other`;
// the process-wide precision is restored afterwards.
std::vector<RankRow> score_in_two_precisions(Evaluator& ev, const std::vector<Individual>& cands,
                                             Compute other);

struct RankOptions {
  std::string model, data;  // instead of the archive's (empty: the archive's)
  int samples = 0;          // items per score (0: the archive's)
  int candidates = 200;
  int threads = 0;  // 0: all cores
  bool quiet = false;
};

// `eval rank-precision`: the candidates of `archive` (rank_candidates) scored by the run's own
// fitness (the archive's configuration, with `o`'s overrides) in F32 and in `other`.
std::vector<RankRow> rank_archive(const std::string& archive, const RankOptions& o, Compute other);

// The rows as CSV: id,ppl_f32,ppl_other,rel_change (full precision).
std::string rank_csv(const std::vector<RankRow>& rows);

}  // namespace lr

// Search space of (λ, n̂): grid, bounds, the monotonic constraint, and individuals.
#pragma once
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace lr {

using Rng = std::mt19937_64;  // the one random engine of the search

// Optimizer: proposed by a continuous optimizer (search/pagmo_search.h).
enum class Origin { Init = 0, Mutation = 1, Crossover = 2, Optimizer = 3 };

// What a candidate is: all the evaluator scores.
struct Genome {
  std::vector<double> lambda;  // head_dim/2 factors on the grid
  int start_tokens = 0;        // n̂, a member of SearchSpace::start_token_set
  // The attention factor past n̂ when the search holds it (--search-mscale), on the 0.001 grid;
  // 0 = the run's --mscale rule.
  double mscale = 0.0;
};

// Where a candidate comes from.
struct Lineage {
  int64_t id = -1;  // generation order
  Origin origin = Origin::Init;
  int64_t parent1 = -1, parent2 = -1;
  int iteration = 0;
};

// What its evaluation gave.
struct Scores {
  double ppl = 0.0;        // fitness (lower is better); NaN until evaluated
  double short_ppl = 0.0;  // at the short length when requested, else 0
  double wall_time = 0.0;  // seconds since the run started, when evaluated
  // Per fitness item (document or needle prompt, in scoring order): mean NLL. Fewer than the
  // items when raced out; empty in archives from before racing.
  std::vector<double> item_nll;
  bool rejected = false;  // raced out (ppl: the estimate from the items scored) or screened out
  long tokens = 0;  // forward-pass tokens its evaluation ran, screen included (0: not recorded)
  // Length screen (--screen-length): the PPL on the items cut to the screen length; 0 = not
  // screened. Screened out: rejected, ppl NaN, no items. Screened and kept but not yet scored
  // in full (only in an archive written mid-generation): not rejected, ppl NaN.
  double screen_ppl = 0.0;
  // F32 re-judgement (search/rejudge.h): a finalist's fitness PPL and short PPL computed again
  // in F32 when the search ranked in another --compute precision; 0 = not re-judged.
  double ppl_f32 = 0.0, short_ppl_f32 = 0.0;
  bool screen_pending() const { return screen_ppl > 0 && !rejected && ppl != ppl; }
  bool screened_out() const { return screen_ppl > 0 && rejected && item_nll.empty(); }
};

// A candidate of the search: its genome, lineage and scores (each its own part, so code that
// needs one takes that part alone).
struct Individual : Genome, Lineage, Scores {};

enum class Algorithm { DimMono, DimPieceMono };

struct SearchSpace {
  Algorithm algorithm = Algorithm::DimMono;
  int half = 0;              // head_dim / 2
  double scale = 1.0;        // s = target / original length
  double step = 0.01;        // list_step
  double max_factor = 1.25;  // λ upper bound = 1.25 s (dim_mono); s (dim_piece_mono middle)
  std::vector<int> start_token_set = {0};
  bool search_start_tokens = false;
  int alpha = -1, beta = -1;  // dim_piece_mono: dims <= alpha are 1.0, dims > beta are s
  // LongRoPE2 mode (--critical-dim): pairs >= critical are searched in [s, 1.25 s]; pairs below
  // are derived from λ_critical as λ_i = λ_critical^(i/critical) on the grid. -1 = off.
  int critical = -1;
  // --search-mscale: the attention factor is a gene in [mscale_lo, mscale_hi] on a 0.001 grid
  // (both 0: off, every genome's mscale 0); seeds carry mscale_seed, the --mscale rule's value.
  double mscale_lo = 0.0, mscale_hi = 0.0, mscale_seed = 0.0;
  bool search_mscale() const { return mscale_hi > 0; }
  static double mscale_grid(double v) { return std::round(v * 1000.0) / 1000.0; }
  double snap_mscale(double v) const;  // onto the grid within the bounds
  // Turns the gene on from --search-mscale's text: "auto" = [1, 1.25 · max(su, yarn) at s], or
  // "LO:HI" with 0 < LO < HI <= 4; `rule` (the --mscale rule's factor at s) seeds it.
  void set_mscale_search(const std::string& spec, double rule, int original_length);

  SearchSpace(Algorithm a, int half_dims, double s, double step, std::vector<int> n_hat_set,
              bool search_n_hat);
  int grid(double v) const;     // index of v on the grid (rounded)
  double value(int g) const;    // grid index -> factor
  int max_grid() const;         // largest grid index allowed for dim i
  double snap(double v) const;  // nearest allowed grid value
  bool fixed(int i) const;      // dim i is not searched (dim_piece_mono)
  double fixed_value(int i) const;
  // Pairs a genotype or an operator may change (not fixed, not derived from another pair), and
  // the bounds of each such pair's factor.
  bool searched(int i) const { return !fixed(i) && !derived(i); }
  double lower(int i) const { return value(min_grid(i)); }
  double upper(int /*i*/) const { return max_factor; }
  // LongRoPE2 mode: pair i is derived from the critical pair; the lowest grid index of pair i
  // (0, or the first grid value >= s for a pair at or above the critical one).
  bool derived(int i) const { return critical > 0 && i < critical; }
  int min_grid(int i) const;
  // Fills the pairs below the critical one from λ_critical (nothing outside LongRoPE2 mode).
  void derive(std::vector<double>& lambda) const;
  // Empty string if `ind` satisfies every constraint, else what is violated.
  std::string violation(const Genome& g) const;
  // Dedup key: grid indices, n̂ and (searched) the mscale's grid index.
  std::string key(const Genome& g) const;
  // Projects arbitrary factors onto the grid, bounds, fixed pieces and monotonicity.
  std::vector<double> project(std::vector<double> lambda) const;
};

Algorithm parse_algorithm(const std::string& s);
const char* algorithm_name(Algorithm a);

}  // namespace lr

// A search's projected cost (forward-pass tokens, wall time on 1 process and on R MPI ranks)
// from its run configuration and a measured forward speed: what `plan --search` prints.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace lr {

// Seconds of one forward pass of n tokens: a·n (projections, FFN, head) + b·n² (attention).
struct ForwardSpeed {
  double a = 0.0, b = 0.0;
  double seconds(double n) const { return a * n + b * n * n; }
};

// Least-squares fit of (length, seconds) samples with a, b >= 0 (when the free fit makes one
// negative, the other is fitted alone). Throws InvalidArgument without a sample.
ForwardSpeed fit_forward_speed(const std::vector<std::pair<int, double>>& samples);

// The candidates of each generation a run of `config` plans, the initial population first
// (GA: population, then mutations + crossovers per iteration; a pagmo optimizer: its
// population per generation, or 1 at a time for cmaes/xnes); they add up to
// planned_evaluations(config) (search/optimizer_settings.h), the last one cut to it.
std::vector<long> generation_batches(const nlohmann::json& config);

// A share of the plain search's tokens that a variant spent, as measured (a range over models
// and seeds).
struct MeasuredSaving {
  std::string variant;  // e.g. "racing + screen (T/4, keep 1/4)"
  double lo = 0, hi = 0;
  std::string note;  // where it was measured
};
// The measured rows of docs/benchmarks.md "Search cost" (2026-11-24, commit 8bfb3d7).
const std::vector<MeasuredSaving>& measured_savings();

struct RankProjection {
  int ranks = 1;
  int workers = 1;     // ranks that evaluate: 1 for one process, else ranks − 1 (rank 0 runs the
                       // evolution)
  long rounds = 0;     // Σ over generations of ⌈candidates / workers⌉
  double seconds = 0;  // search + baselines; NaN when refused (the screen under mpirun)
};

struct SearchCostPlan {
  long evaluations = 0;   // planned candidates (planned_evaluations)
  long generations = 0;   // batches, the initial population included
  int items = 0;          // documents, chunks or needle prompts per score
  int length = 0;         // tokens per item: the fitness length (L for short factors)
  int short_length = 0;   // the short objective's length (0: none)
  int screen_length = 0;  // the length screen (0: none)
  double screen_keep = 0.5;
  bool racing = false;
  bool exact = true;       // false for needle prompts (at most `length` tokens each)
  long full_scores = 0;    // candidates scored at the full length
  long screen_scores = 0;  // children scored at the screen length
  double tokens_per_score = 0, seconds_per_score = 0;  // a full score (short objective included)
  double tokens_per_screen = 0, seconds_per_screen = 0;
  double tokens = 0;   // the search's forward-pass tokens without racing (as `search`
                       // counts them: baselines not included)
  double seconds = 0;  // one process, without racing
  double plain_tokens = 0, plain_seconds = 0;  // every candidate scored in full (no screen)
  long baseline_scores = 0;  // the final table's scalings (PI, NTK, YaRN; 3 at L for short factors)
  double baseline_seconds = 0;
  std::vector<RankProjection> ranks;
  // With racing: the projected tokens as a range (shares of plain_tokens, or of `tokens` when
  // no measurement matches) and where the range comes from.
  double racing_lo = 0, racing_hi = 0;
  std::string racing_note;
};

// `config`: a search run configuration (config_from_options); `original_length`: L when the
// configuration leaves it 0 (the model's); `baselines`: the final table is computed.
SearchCostPlan plan_search_cost(const nlohmann::json& config, int original_length,
                                const ForwardSpeed& speed, const std::vector<int>& ranks,
                                bool baselines);

}  // namespace lr

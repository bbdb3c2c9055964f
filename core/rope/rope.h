// RoPE scaling: one value type for every method, turned into per-layer frequency tables.
#pragma once
#include <string>
#include <vector>

#include "core/model/config.h"

namespace lr {

enum class RopeKind { None, Linear, Ntk, DynamicNtk, Yarn, LongRope };
enum class MscaleKind { Default, One, Su, Yarn, Fixed };

struct RopeScaling {
  RopeKind kind = RopeKind::None;
  double factor = 1.0;                       // s = target length / original length
  int original_max_position = 0;             // L; 0 = the model's trained context
  double beta_fast = 32.0, beta_slow = 1.0;  // YaRN ramp (rotations)
  double dynamic_factor = 1.0;               // HF dynamic-NTK "factor"
  // LongRoPE λ: one row for all layers, or one row per layer; each head_dim/2 values.
  std::vector<std::vector<double>> factors;
  int start_tokens = 0;  // positions < start_tokens use the original RoPE (no factors, no mscale)
  MscaleKind mscale = MscaleKind::Default;  // Default: yarn for YaRN, su for LongRoPE, else 1
  double mscale_value = 1.0;                // for Fixed
  // Deployed LongRoPE (Hugging Face / vLLM): with target_length > 0 the mscale uses
  // s = target_length / L at every length, and `short_factors` (when given) replace `factors`
  // for sequences of at most L tokens.
  std::vector<std::vector<double>> short_factors;
  int target_length = 0;
  // Ignore the factors and attention factor the model file carries (GGUF rope_freqs, HF
  // rope_scaling) and use only this scaling.
  bool replace_file_factors = false;
};

RopeKind parse_rope_kind(const std::string& s);  // none|linear|ntk|dynamic-ntk|yarn|longrope
const char* rope_kind_name(RopeKind k);
void parse_mscale(const std::string& s, RopeScaling& r);  // su|yarn|one|<number>

// Closed forms (i = 0 .. d/2-1), shared by evaluation and the search's initial population.
double mscale_su(double s, int original_len);  // sqrt(1 + ln s / ln L), 1 for s <= 1
double mscale_yarn(double s);                  // 0.1 ln s + 1, 1 for s <= 1
// The attention factor an --mscale rule gives at s (Default taken as LongRoPE's su; Fixed:
// `fixed`).
double rule_mscale(MscaleKind k, double fixed, double s, int original_len);
std::vector<double> pi_factors(int head_dim, double s);
std::vector<double> ntk_factors(int head_dim, double s);  // base' = base * s^(d/(d-2))
std::vector<double> yarn_factors(int head_dim, double base, double s, int original_len,
                                 double beta_fast, double beta_slow);

// Frequencies of one layer for a sequence of `seq_len` tokens. `seq_len` also selects the
// factor set (short or long, the file's and the scaling's) once for the whole sequence:
// generation passes prompt length + new tokens, never switching sets mid-sequence.
struct RopeFreqs {
  std::vector<double> inv_freq;       // scaled θ_i / λ_i
  std::vector<double> base_inv_freq;  // the model's own θ_i (start tokens)
  double mscale = 1.0;                // cos/sin multiplier past the start tokens
  double base_mscale = 1.0;           // the model's own (file attention factor), start tokens
  int start_tokens = 0;
};
RopeFreqs rope_freqs(const ModelConfig& c, const RopeScaling& r, int layer, int seq_len);

// cos/sin table for positions [0, n): (n, head_dim/2) each, mscale folded in; computed in
// double, stored as float.
struct RopeTable {
  int n = 0, half = 0;
  std::vector<float> cos, sin;
  void build(const RopeFreqs& f, int n_positions, int position_offset = 0);
};

// True when every layer uses the same frequencies (one table serves all layers).
bool rope_layer_invariant(const RopeScaling& r);

}  // namespace lr

// RoPE frequency formulas (PI, NTK, dynamic NTK, YaRN, LongRoPE) and table building.
#include "core/rope/rope.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "core/util/error.h"

namespace lr {

RopeKind parse_rope_kind(const std::string& s) {
  if (s == "none") return RopeKind::None;
  if (s == "linear" || s == "pi") return RopeKind::Linear;
  if (s == "ntk") return RopeKind::Ntk;
  if (s == "dynamic-ntk") return RopeKind::DynamicNtk;
  if (s == "yarn") return RopeKind::Yarn;
  if (s == "longrope") return RopeKind::LongRope;
  fail(ErrorKind::InvalidArgument,
       "unknown --rope '" + s + "' (choose none, linear, ntk, dynamic-ntk, yarn, longrope)");
}

const char* rope_kind_name(RopeKind k) {
  switch (k) {
    case RopeKind::None:
      return "none";
    case RopeKind::Linear:
      return "linear";
    case RopeKind::Ntk:
      return "ntk";
    case RopeKind::DynamicNtk:
      return "dynamic-ntk";
    case RopeKind::Yarn:
      return "yarn";
    case RopeKind::LongRope:
      return "longrope";
  }
  return "?";
}

void parse_mscale(const std::string& s, RopeScaling& r) {
  if (s == "su")
    r.mscale = MscaleKind::Su;
  else if (s == "yarn")
    r.mscale = MscaleKind::Yarn;
  else if (s == "one" || s == "none")
    r.mscale = MscaleKind::One;
  else {
    char* end = nullptr;
    const double v = std::strtod(s.c_str(), &end);
    if (s.empty() || *end != '\0' || !std::isfinite(v) || v <= 0)
      fail(ErrorKind::InvalidArgument, "bad --mscale '" + s + "' (su, yarn, one or a number > 0)");
    r.mscale = MscaleKind::Fixed;
    r.mscale_value = v;
  }
}

double mscale_su(double s, int original_len) {
  if (s <= 1.0) return 1.0;
  return std::sqrt(1.0 + std::log(s) / std::log(static_cast<double>(original_len)));
}

double mscale_yarn(double s) { return s <= 1.0 ? 1.0 : 0.1 * std::log(s) + 1.0; }

double rule_mscale(MscaleKind k, double fixed, double s, int original_len) {
  switch (k) {
    case MscaleKind::One:
      return 1.0;
    case MscaleKind::Yarn:
      return mscale_yarn(s);
    case MscaleKind::Fixed:
      return fixed;
    default:
      return mscale_su(s, original_len);
  }
}

std::vector<double> pi_factors(int head_dim, double s) {
  return std::vector<double>(head_dim / 2, s);
}

std::vector<double> ntk_factors(int head_dim, double s) {
  std::vector<double> f(head_dim / 2);
  const double d = head_dim;
  for (int i = 0; i < head_dim / 2; ++i) f[i] = std::pow(s, 2.0 * i / (d - 2.0));
  return f;
}

static double yarn_corr_dim(double rot, int d, double base, int L) {
  return (d * std::log(L / (rot * 2.0 * M_PI))) / (2.0 * std::log(base));
}

std::vector<double> yarn_factors(int head_dim, double base, double s, int L, double beta_fast,
                                 double beta_slow) {
  double low = std::floor(yarn_corr_dim(beta_fast, head_dim, base, L));
  double high = std::ceil(yarn_corr_dim(beta_slow, head_dim, base, L));
  low = std::max(low, 0.0);
  high = std::min(high, static_cast<double>(head_dim - 1));
  if (low == high) high += 0.001;
  std::vector<double> f(head_dim / 2);
  for (int i = 0; i < head_dim / 2; ++i) {
    const double ramp = std::clamp((i - low) / (high - low), 0.0, 1.0);
    const double extrap = 1.0 - ramp;  // 1 = keep the original frequency
    const double inv_ratio = (1.0 / s) * (1.0 - extrap) + 1.0 * extrap;  // θ'/θ
    f[i] = 1.0 / inv_ratio;
  }
  return f;
}

bool rope_layer_invariant(const RopeScaling& r) {
  return r.kind != RopeKind::LongRope || (r.factors.size() <= 1 && r.short_factors.size() <= 1);
}

// The factor set of a sequence: the short one while it fits the original context L, else
// the long one (Hugging Face's LongRoPE rule). `rows` per layer or one for all layers.
static const std::vector<double>& pick_row(const std::vector<std::vector<double>>& rows,
                                           int layer) {
  return rows.size() == 1 ? rows[0] : rows.at(layer);
}

RopeFreqs rope_freqs(const ModelConfig& c, const RopeScaling& r, int layer, int seq_len) {
  const int half = c.head_dim / 2;
  const int L = r.original_max_position > 0 ? r.original_max_position : c.max_position;
  RopeFreqs f;
  // The model's own RoPE: θ_i, divided by the factors its file carries (short or long by
  // length), and its attention factor at every position.
  const bool file_factors = !r.replace_file_factors && !c.rope_freq_factors.empty();
  const auto& file_row = file_factors && !c.rope_short_factors.empty() && seq_len <= c.max_position
                             ? c.rope_short_factors
                             : c.rope_freq_factors;
  f.base_inv_freq.resize(half);
  for (int i = 0; i < half; ++i) {
    f.base_inv_freq[i] = std::pow(c.rope_theta, -2.0 * i / c.head_dim);
    if (file_factors) f.base_inv_freq[i] /= file_row[i];
  }
  f.base_mscale = r.replace_file_factors ? 1.0 : c.rope_attn_factor;
  std::vector<double> lambda(half, 1.0);
  double mscale = 1.0;
  const double s = r.factor;
  // Deployed LongRoPE: the attention factor comes from s = target / L at every length.
  const bool deployed = r.kind == RopeKind::LongRope && r.target_length > 0;
  if (deployed && L <= 0)
    fail(ErrorKind::InvalidArgument, "--target-length needs --original-max-position");
  const double s_m = deployed ? static_cast<double>(r.target_length) / L : s;
  switch (r.kind) {
    case RopeKind::None:
      break;
    case RopeKind::Linear:
      lambda = pi_factors(c.head_dim, s);
      break;
    case RopeKind::Ntk:
      lambda = ntk_factors(c.head_dim, s);
      break;
    case RopeKind::DynamicNtk:
      if (L <= 0) fail(ErrorKind::InvalidArgument, "dynamic-ntk needs --original-max-position");
      if (seq_len > L) {
        const double k = r.dynamic_factor;
        lambda = ntk_factors(c.head_dim, k * seq_len / L - (k - 1.0));
      }
      break;
    case RopeKind::Yarn:
      if (L <= 0) fail(ErrorKind::InvalidArgument, "yarn needs --original-max-position");
      lambda = yarn_factors(c.head_dim, c.rope_theta, s, L, r.beta_fast, r.beta_slow);
      mscale = mscale_yarn(s);
      break;
    case RopeKind::LongRope: {
      if (r.factors.empty()) fail(ErrorKind::InvalidArgument, "longrope needs --factors");
      if (L <= 0) fail(ErrorKind::InvalidArgument, "longrope needs --original-max-position");
      const bool use_short = deployed && !r.short_factors.empty() && seq_len <= L;
      const auto& row = pick_row(use_short ? r.short_factors : r.factors, layer);
      if (static_cast<int>(row.size()) != half)
        fail(ErrorKind::InvalidArgument, "longrope factors: expected " + std::to_string(half) +
                                             " values, got " + std::to_string(row.size()));
      lambda = row;
      mscale = mscale_su(s_m, L);
      break;
    }
  }
  if (r.mscale == MscaleKind::Su && L <= 0)
    fail(ErrorKind::InvalidArgument, "--mscale su needs --original-max-position");
  if (r.mscale != MscaleKind::Default) mscale = rule_mscale(r.mscale, r.mscale_value, s_m, L);
  f.inv_freq.resize(half);
  for (int i = 0; i < half; ++i) f.inv_freq[i] = f.base_inv_freq[i] / lambda[i];
  f.mscale = mscale * f.base_mscale;
  f.start_tokens = r.start_tokens;
  return f;
}

void RopeTable::build(const RopeFreqs& f, int n_positions, int offset) {
  n = n_positions;
  half = static_cast<int>(f.inv_freq.size());
  cos.resize(static_cast<size_t>(n) * half);
  sin.resize(static_cast<size_t>(n) * half);
  for (int p = 0; p < n; ++p) {
    const int pos = p + offset;
    const bool start = pos < f.start_tokens;
    const auto& inv = start ? f.base_inv_freq : f.inv_freq;
    const double m = start ? f.base_mscale : f.mscale;
    for (int i = 0; i < half; ++i) {
      const double a = static_cast<double>(pos) * inv[i];
      cos[static_cast<size_t>(p) * half + i] = static_cast<float>(std::cos(a) * m);
      sin[static_cast<size_t>(p) * half + i] = static_cast<float>(std::sin(a) * m);
    }
  }
}

}  // namespace lr

// Evaluations for export reports (eval/perplexity.h, truncate mode).
#include "export/compare.h"

#include <cmath>

#include "core/engine/forward.h"
#include "eval/perplexity.h"

namespace lr {

RopeScaling deployed_scaling(const ExportSource& s, int start_tokens) {
  RopeScaling r;
  r.kind = RopeKind::LongRope;
  r.factors = s.long_rows;
  r.short_factors = {s.short_factors};
  r.target_length = s.target_length;
  r.original_max_position = s.original_max_position;
  r.factor = s.scale();
  r.start_tokens = start_tokens;
  parse_mscale(s.mscale_rule, r);
  r.replace_file_factors = true;  // the source model is the base model
  return r;
}

double ppl_at(const Model& m, const Shard& shard, const RopeScaling& r, int length, int samples,
              bool quiet) {
  Engine engine(m);
  PplOptions opt;
  opt.lengths = {length};
  opt.samples = samples;
  opt.rope = r;
  opt.fixed_scale = true;
  opt.quiet = quiet;
  return evaluate_length(engine, shard, opt, length).ppl;
}

std::vector<PplRow> rkllm_alternatives(const Model& m, const Shard& shard, const ExportSource& s,
                                       int samples, bool quiet) {
  std::vector<double> grid;
  for (int k = 1; k <= 8; ++k) {
    const double f = std::round(1.25 * s.scale() * k / 8 * 1000) / 1000;
    if (f >= 1.0) grid.push_back(f);
  }
  std::vector<PplRow> rows;
  for (const char* type : {"linear", "dynamic"}) {
    for (double f : grid) {
      RopeScaling r;
      r.original_max_position = s.original_max_position;
      r.replace_file_factors = true;
      if (std::string(type) == "linear") {
        r.kind = RopeKind::Linear;
        r.factor = f;
      } else {
        r.kind = RopeKind::DynamicNtk;
        r.dynamic_factor = f;
        r.factor = s.scale();
      }
      PplRow row;
      row.method = std::string("rkllm ") + type;
      row.factor = f;
      row.length = s.target_length;
      row.ppl = ppl_at(m, shard, r, s.target_length, samples, quiet);
      row.rope_scaling = {{"type", type}, {"factor", f}};
      rows.push_back(row);
    }
  }
  return rows;
}

}  // namespace lr

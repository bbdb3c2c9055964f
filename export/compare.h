// PPLs an export reports: searched vs exported (n̂ = 0), read back, RKLLM alternatives.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/model/model.h"
#include "core/rope/rope.h"
#include "datasets/shard.h"
#include "export/source.h"

namespace lr {

struct PplRow {
  std::string method;
  double factor = 0;  // grid factor (alternatives), else 0
  int length = 0;
  double ppl = 0;
  nlohmann::json rope_scaling;  // HF rope_scaling that expresses the row (alternatives)
};

// The deployed scaling of a source: long/short factors, T, L, its mscale rule, n̂.
RopeScaling deployed_scaling(const ExportSource& s, int start_tokens);

// PPL at `length` (truncate mode, first `samples` documents) with the scaling as given.
double ppl_at(const Model& m, const Shard& shard, const RopeScaling& r, int length, int samples,
              bool quiet);

// RKLLM's documented rope_scaling types on a grid of factors up to 1.25 s (8 points, those
// >= 1): HF "linear" (θ/f) and "dynamic" (NTK base from f·n/L − (f−1)), PPL at T. Every row,
// in grid order.
std::vector<PplRow> rkllm_alternatives(const Model& m, const Shard& shard, const ExportSource& s,
                                       int samples, bool quiet);

}  // namespace lr

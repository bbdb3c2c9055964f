// One export end to end: request, checks, the written output, the summary and the PPL report.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "core/model/model.h"
#include "datasets/shard.h"
#include "export/compare.h"
#include "export/output.h"
#include "export/source.h"

namespace lr {

struct ExportRequest {
  ExportFormat format = ExportFormat::Json;
  std::string output;  // file (csv, json, gguf) or folder (hf, rkllm); a trailing '/' is ignored
  SourceRequest source;
  std::string model;  // HF folder (hf, rkllm) or .gguf (gguf); optional for csv/json
  bool replace_file_factors = false;
  // Replace an existing output (refused otherwise). A folder is replaced by
  // a rename: the old one is moved aside and removed only after the new one is in place.
  bool overwrite = false;
  std::string rkllm_name;  // rkllm: default the output folder's name
  int max_new_tokens = 1024;
};

// Checks `req` (normalising its output path) and writes the export: csv/json atomically, an
// HF / RKLLM folder built beside the output and renamed into place, a GGUF atomically. An
// existing output is refused unless `overwrite`.
// Returns the source it exported.
ExportSource run_export(ExportRequest& req);

// The lines printed after an export: what was written from where, lengths, mscale, notes.
std::string export_summary(const ExportSource& s, const ExportRequest& req);

// What the PPL report after an export evaluates (empty model/data: no report).
struct ReportPlan {
  std::string model, data, tokenizer;
  int samples = 0;
  bool nhat = false;      // n̂ > 0: searched vs exported (n̂ = 0)
  bool readback = false;  // a model format with --data: the written output read back
  bool rkllm = false;     // rkllm with --data: the linear/dynamic alternatives
  bool run() const { return nhat || readback; }
};
// From the options (--data, --tokenizer, --samples; empty / 0 = the archive's run config).
ReportPlan plan_report(const ExportSource& s, const ExportRequest& req, const std::string& data,
                       const std::string& tokenizer, int samples);

struct ExportReport {
  std::vector<PplRow> rows;          // searched (n̂ > 0), exported variant, read back
  std::vector<PplRow> alternatives;  // rkllm grid
  int best[2] = {-1, -1};            // indices in `alternatives`: best linear, best dynamic
  int winner = -1;                   // the better of the two (the linear one on a tie)
  std::string report_path;           // OUT/rkllm_report.json when alternatives were evaluated
};
// Evaluates the plan on `model` and `shard` (checked by the caller); with alternatives it also
// writes OUT/rkllm_report.json.
ExportReport run_report(const Model& model, const Shard& shard, const ExportSource& s,
                        const ExportRequest& req, const ReportPlan& p, bool quiet);
// The report as printed.
std::string format_report(const ExportReport& r, const ReportPlan& p);

}  // namespace lr

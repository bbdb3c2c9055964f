// export end to end: checks, the written output, the summary text, the PPL report and its file.
#include "export/run.h"

#include <cmath>
#include <cstdio>
#include <filesystem>

#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "core/util/strformat.h"
#include "export/model_export.h"
#include "search/pareto.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace lr {

namespace {

std::string existing(const json& cfg, const char* key) {
  if (!cfg.is_object() || !cfg.contains(key) || !cfg[key].is_string()) return "";
  const std::string p = cfg[key];
  std::error_code ec;
  return !p.empty() && fs::exists(p, ec) ? p : "";
}

bool model_format(ExportFormat f) {
  return f == ExportFormat::Hf || f == ExportFormat::Gguf || f == ExportFormat::Rkllm;
}

// Pads to `width` terminal columns (UTF-8 aware, the combining circumflex of n̂ is 0 wide).
std::string pad(const std::string& s, size_t width) {
  size_t cols = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if ((b & 0xC0) == 0x80) continue;
    if (b == 0xCC && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x82) continue;
    ++cols;
  }
  return s + std::string(cols < width ? width - cols : 0, ' ');
}

std::string row_text(const PplRow& r) {
  char f[32] = "";
  if (r.factor > 0) std::snprintf(f, sizeof f, "%.3f", r.factor);
  return pad(r.method, 36) + strformat(" %8s %8d %14.6f\n", f, r.length, r.ppl);
}

}  // namespace

ExportSource run_export(ExportRequest& req) {
  std::string& out = req.output;
  while (out.size() > 1 && out.back() == '/') out.pop_back();  // "DIR2/" names the folder DIR2
  if (out.empty()) fail(ErrorKind::InvalidArgument, "--output is empty");
  if (req.source.target_length < 0 || req.source.original_max_position < 0)
    fail(ErrorKind::InvalidArgument, "--target-length and --original-max-position must be > 0");
  const ExportSource s = load_export_source(req.source);
  const ExportFormat f = req.format;
  if (model_format(f) && req.model.empty())
    fail(ErrorKind::InvalidArgument,
         std::string("--format ") + export_format_name(f) + " needs --model (" +
             (f == ExportFormat::Gguf ? "a .gguf" : "an HF folder") + ")");
  const bool replace = check_output_replaceable(out, req.overwrite);
  const nlohmann::ordered_json record = export_record(s, f, req.model);
  switch (f) {
    case ExportFormat::Csv:
    case ExportFormat::Json:
      if (!req.model.empty()) {
        const auto m = load_model(req.model);
        if (s.half() != m->config.head_dim / 2)
          fail(ErrorKind::Data,
               std::to_string(s.half()) + " factors, but " + req.model +
                   " needs head_dim/2 = " + std::to_string(m->config.head_dim / 2));
      }
      write_factor_export(s, f, out, record);
      break;
    case ExportFormat::Hf:
      export_hf(req.model, out, s, record, req.replace_file_factors, replace);
      break;
    case ExportFormat::Rkllm: {
      RkllmOptions o;
      o.name = req.rkllm_name;
      if (o.name.empty()) o.name = fs::path(out).lexically_normal().filename().string();
      if (o.name.empty() || o.name == ".") o.name = "longrope-model";
      o.max_new_tokens = req.max_new_tokens;
      if (o.max_new_tokens <= 0) fail(ErrorKind::InvalidArgument, "--max-new-tokens must be > 0");
      export_hf(req.model, out, s, record, req.replace_file_factors, replace, &o);
      break;
    }
    case ExportFormat::Gguf:
      export_gguf(req.model, out, s, record, req.replace_file_factors);
      break;
  }
  return s;
}

std::string export_summary(const ExportSource& s, const ExportRequest& req) {
  const ExportFormat f = req.format;
  std::string t = strformat("exported %s -> %s\n", export_format_name(f), req.output.c_str());
  t += strformat("  long factors: %d from %s", s.half(),
                 s.archive_path.empty() ? s.source_file.c_str() : s.archive_path.c_str());
  if (s.id >= 0) t += strformat(" (individual %ld)", static_cast<long>(s.id));
  if (!s.pick.empty()) {
    t += strformat("\n  picked: --pick %s: archived PPL %.6g at %d", s.pick.c_str(),
                   s.ppl.value_or(NAN), s.target_length);
    if (s.short_ppl)
      t += strformat(", %.6g at %d", *s.short_ppl, short_length_of(s.archive_config));
  }
  t += strformat("\n  short factors: %s\n", s.short_origin.c_str());
  t += strformat("  L = %d -> T = %d, s = %.6g, attention factor (mscale %s) = %.9g\n",
                 s.original_max_position, s.target_length, s.scale(), s.mscale_rule.c_str(),
                 s.mscale());
  if (f == ExportFormat::Csv)
    t += "  note: a CSV carries only the long factors (no short factors, lengths, mscale)\n";
  if (f == ExportFormat::Gguf)
    t += strformat(
        "  note: llama.cpp applies rope_freqs at every length (it has no short factors): within "
        "L = %d the GGUF uses the long factors, unlike Hugging Face's rule\n",
        s.original_max_position);
  if (s.start_tokens > 0) {
    if (f == ExportFormat::Json)
      t += strformat(
          "  note: start_tokens n̂ = %d is recorded, but only this toolkit applies it; "
          "Hugging Face, vLLM, llama.cpp and RKLLM cannot express n̂ > 0\n",
          s.start_tokens);
    else
      t += strformat("  note: n̂ = %d cannot be expressed in %s: the export uses n̂ = 0\n",
                     s.start_tokens, export_format_name(f));
  }
  return t;
}

ReportPlan plan_report(const ExportSource& s, const ExportRequest& req, const std::string& data,
                       const std::string& tokenizer, int samples) {
  ReportPlan p;
  p.data = data.empty() ? existing(s.archive_config, "data") : data;
  p.model = req.model.empty() ? existing(s.archive_config, "model") : req.model;
  p.tokenizer = tokenizer;
  if (p.tokenizer.empty() && s.archive_config.is_object())
    p.tokenizer = s.archive_config.value("tokenizer", std::string());
  p.nhat = s.start_tokens > 0 && !p.model.empty() && !p.data.empty();
  p.readback = model_format(req.format) && !data.empty();
  p.rkllm = req.format == ExportFormat::Rkllm && !data.empty();
  if (p.run() && samples < 0) fail(ErrorKind::InvalidArgument, "--samples must be >= 0");
  p.samples = samples > 0                    ? samples
              : s.archive_config.is_object() ? s.archive_config.value("samples", 5)
                                             : 5;
  return p;
}

ExportReport run_report(const Model& model, const Shard& shard, const ExportSource& s,
                        const ExportRequest& req, const ReportPlan& p, bool quiet) {
  ExportReport r;
  const int T = s.target_length;
  if (s.start_tokens > 0)
    r.rows.push_back(
        {"searched (n̂ = " + std::to_string(s.start_tokens) + ")", 0, T,
         ppl_at(model, shard, deployed_scaling(s, s.start_tokens), T, p.samples, quiet), nullptr});
  r.rows.push_back({"exported variant (n̂ = 0)", 0, T,
                    ppl_at(model, shard, deployed_scaling(s, 0), T, p.samples, quiet), nullptr});
  if (p.readback) {
    const auto back = load_model(req.output);
    r.rows.push_back({"exported file read back (no rope options)", 0, T,
                      ppl_at(*back, shard, RopeScaling{}, T, p.samples, quiet), nullptr});
  }
  if (!p.rkllm) return r;
  r.alternatives = rkllm_alternatives(model, shard, s, p.samples, quiet);
  if (r.alternatives.empty()) return r;
  for (size_t i = 0; i < r.alternatives.size(); ++i) {
    const int k = r.alternatives[i].method == "rkllm linear" ? 0 : 1;
    if (r.best[k] < 0 || r.alternatives[i].ppl < r.alternatives[r.best[k]].ppl)
      r.best[k] = static_cast<int>(i);
  }
  r.winner = r.best[1] < 0 || (r.best[0] >= 0 &&
                               r.alternatives[r.best[0]].ppl <= r.alternatives[r.best[1]].ppl)
                 ? r.best[0]
                 : r.best[1];
  const PplRow& w = r.alternatives[r.winner];
  json rep;
  rep["kind"] = "longrope-rkllm-report";
  rep["data"] = p.data;
  rep["samples"] = p.samples;
  rep["target_length"] = T;
  rep["longrope"] = {{"ppl", r.rows.back().ppl}, {"start_tokens", 0}};
  rep["best_alternative"] = {
      {"method", w.method}, {"factor", w.factor}, {"ppl", w.ppl}, {"rope_scaling", w.rope_scaling}};
  for (const auto& a : r.alternatives)
    rep["grid"].push_back({{"method", a.method},
                           {"factor", a.factor},
                           {"ppl", a.ppl},
                           {"rope_scaling", a.rope_scaling}});
  for (const auto& row : r.rows) rep["rows"].push_back({{"method", row.method}, {"ppl", row.ppl}});
  r.report_path = req.output + "/rkllm_report.json";
  write_file_atomically(r.report_path, rep.dump(2) + "\n");
  return r;
}

std::string format_report(const ExportReport& r, const ReportPlan& p) {
  std::string t = strformat("\nPPL with our engine: model %s, data %s, %d documents, truncate\n",
                            p.model.c_str(), p.data.c_str(), p.samples);
  t += pad("variant", 36) + strformat(" %8s %8s %14s\n", "factor", "length", "ppl");
  for (const auto& row : r.rows) t += row_text(row);
  if (r.report_path.empty()) return t;
  for (int b : r.best)
    if (b >= 0) t += row_text(r.alternatives[b]);
  const PplRow* winner = &r.alternatives[r.winner];
  t += strformat("best RKLLM-documented alternative: rope_scaling %s (PPL %.4f; longrope %.4f)\n",
                 winner->rope_scaling.dump().c_str(), winner->ppl, r.rows.back().ppl);
  t += "report: " + r.report_path + "\n";
  return t;
}

}  // namespace lr

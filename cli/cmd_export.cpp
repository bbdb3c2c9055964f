// `longrope export`: factors (csv, json), HF / RKLLM folders and GGUF from a search result.
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/options.h"
#include "core/util/error.h"
#include "datasets/shard.h"
#include "export/compare.h"
#include "export/model_export.h"
#include "export/output.h"

namespace fs = std::filesystem;
using nlohmann::json;

namespace lr::cli {

namespace {

std::string existing(const json& cfg, const char* key) {
  if (!cfg.is_object() || !cfg.contains(key) || !cfg[key].is_string()) return "";
  const std::string p = cfg[key];
  std::error_code ec;
  return !p.empty() && fs::exists(p, ec) ? p : "";
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

void print_row(const PplRow& r) {
  char f[32] = "";
  if (r.factor > 0) std::snprintf(f, sizeof f, "%.3f", r.factor);
  std::printf("%s %8s %8d %14.6f\n", pad(r.method, 36).c_str(), f, r.length, r.ppl);
}

}  // namespace

int cmd_export(const Args& args) {
  po::options_description d("export options");
  d.add_options()("format", po::value<std::string>()->required(), "csv | json | hf | gguf | rkllm")(
      "output", po::value<std::string>()->required(),
      "file (csv, json, gguf) or folder (hf, rkllm) to write")(
      "factors", po::value<std::string>()->default_value(""),
      "long factors: CSV (one per line) or a result JSON")(
      "archive", po::value<std::string>()->default_value(""),
      "search archive.h5 (its best individual, or --id)")(
      "id", po::value<int64_t>()->default_value(-1), "archive individual id")(
      "short-factors", po::value<std::string>()->default_value(""),
      "short factors (default: the JSON's short_factor, else ones)")(
      "target-length", po::value<int>()->default_value(0),
      "T (required with a bare CSV; overrides the source)")(
      "original-max-position", po::value<int>()->default_value(0),
      "L (required with a bare CSV; overrides the source)")(
      "mscale", po::value<std::string>()->default_value(""),
      "su | yarn | one | a number (default: the source's rule, else su)")(
      "model", po::value<std::string>()->default_value(""),
      "HF folder (hf, rkllm), .gguf (gguf); optional for csv/json")(
      "data", po::value<std::string>()->default_value(""),
      "shard: report PPLs of the export (read back, n̂ = 0, RKLLM alternatives)")(
      "samples", po::value<int>()->default_value(0),
      "documents per PPL (0 = the archive's samples, else 5)")(
      "tokenizer", po::value<std::string>()->default_value(""), "tokenizer override for --data")(
      "name", po::value<std::string>()->default_value(""),
      "rkllm: model name in model_registry.json (default: the output folder's name)")(
      "max-new-tokens", po::value<int>()->default_value(1024), "rkllm: max_new_tokens")(
      "replace-file-factors", po::bool_switch(),
      "replace the RoPE factors/rope_scaling the model file already carries");
  d.add(common_options());
  po::variables_map vm;
  if (!parse(args, d, vm,
             "usage: longrope export --format csv|json|hf|gguf|rkllm --output PATH\n"
             "         (--factors F.csv|F.json | --archive A.h5 [--id N]) [--model M] [--data D]"))
    return 0;
  const bool quiet = apply_common(vm);
  const ExportFormat fmt = parse_export_format(vm["format"].as<std::string>());
  std::string out = vm["output"].as<std::string>();
  while (out.size() > 1 && out.back() == '/') out.pop_back();  // "DIR2/" names the folder DIR2
  SourceRequest req;
  req.factors_path = vm["factors"].as<std::string>();
  req.archive_path = vm["archive"].as<std::string>();
  req.id = vm["id"].as<int64_t>();
  req.short_factors_path = vm["short-factors"].as<std::string>();
  req.target_length = vm["target-length"].as<int>();
  req.original_max_position = vm["original-max-position"].as<int>();
  req.mscale = vm["mscale"].as<std::string>();
  if (req.target_length < 0 || req.original_max_position < 0)
    fail(ErrorKind::InvalidArgument, "--target-length and --original-max-position must be > 0");
  const ExportSource s = load_export_source(req);
  std::string model_path = vm["model"].as<std::string>();
  const bool model_format =
      fmt == ExportFormat::Hf || fmt == ExportFormat::Gguf || fmt == ExportFormat::Rkllm;
  if (model_format && model_path.empty())
    fail(ErrorKind::InvalidArgument,
         std::string("--format ") + export_format_name(fmt) + " needs --model (" +
             (fmt == ExportFormat::Gguf ? "a .gguf" : "an HF folder") + ")");
  check_output_is_ours(out, fmt);
  const bool replace = vm["replace-file-factors"].as<bool>();
  const nlohmann::ordered_json record = export_record(s, fmt, model_path);

  switch (fmt) {
    case ExportFormat::Csv:
    case ExportFormat::Json:
      if (!model_path.empty()) {
        const auto m = load_model(model_path);
        if (s.half() != m->config.head_dim / 2)
          fail(ErrorKind::Data,
               std::to_string(s.half()) + " factors, but " + model_path +
                   " needs head_dim/2 = " + std::to_string(m->config.head_dim / 2));
      }
      write_factor_export(s, fmt, out, record);
      break;
    case ExportFormat::Hf:
      export_hf(model_path, out, s, record, replace);
      break;
    case ExportFormat::Rkllm: {
      RkllmOptions o;
      o.name = vm["name"].as<std::string>();
      if (o.name.empty()) o.name = fs::path(out).lexically_normal().filename().string();
      if (o.name.empty() || o.name == ".") o.name = "longrope-model";
      o.max_new_tokens = vm["max-new-tokens"].as<int>();
      if (o.max_new_tokens <= 0) fail(ErrorKind::InvalidArgument, "--max-new-tokens must be > 0");
      export_hf(model_path, out, s, record, replace, &o);
      break;
    }
    case ExportFormat::Gguf:
      export_gguf(model_path, out, s, record, replace);
      break;
  }

  std::printf("exported %s -> %s\n", export_format_name(fmt), out.c_str());
  std::printf("  long factors: %d from %s", s.half(),
              s.archive_path.empty() ? s.source_file.c_str() : s.archive_path.c_str());
  if (s.id >= 0) std::printf(" (individual %ld)", static_cast<long>(s.id));
  std::printf("\n  short factors: %s\n", s.short_origin.c_str());
  std::printf("  L = %d -> T = %d, s = %.6g, attention factor (mscale %s) = %.9g\n",
              s.original_max_position, s.target_length, s.scale(), s.mscale_rule.c_str(),
              s.mscale());
  if (fmt == ExportFormat::Csv)
    std::printf(
        "  note: a CSV carries only the long factors (no short factors, lengths, mscale)\n");
  if (fmt == ExportFormat::Gguf)
    std::printf(
        "  note: llama.cpp applies rope_freqs at every length (it has no short factors): within "
        "L = %d the GGUF uses the long factors, unlike Hugging Face's rule\n",
        s.original_max_position);
  if (s.start_tokens > 0) {
    if (fmt == ExportFormat::Json)
      std::printf(
          "  note: start_tokens n̂ = %d is recorded, but only this toolkit applies it; "
          "Hugging Face, vLLM, llama.cpp and RKLLM cannot express n̂ > 0\n",
          s.start_tokens);
    else
      std::printf("  note: n̂ = %d cannot be expressed in %s: the export uses n̂ = 0\n",
                  s.start_tokens, export_format_name(fmt));
  }

  // Reports: which model and data to evaluate with.
  std::string data = vm["data"].as<std::string>();
  const bool data_given = !data.empty();
  if (data.empty()) data = existing(s.archive_config, "data");
  if (model_path.empty()) model_path = existing(s.archive_config, "model");
  std::string tok = vm["tokenizer"].as<std::string>();
  if (tok.empty() && s.archive_config.is_object())
    tok = s.archive_config.value("tokenizer", std::string());
  const bool nhat_report = s.start_tokens > 0 && !model_path.empty() && !data.empty();
  const bool readback = model_format && data_given;
  if (!nhat_report && !readback) {
    if (s.start_tokens > 0)
      std::printf("  (pass --model and --data to see what n̂ = 0 costs in PPL)\n");
    return 0;
  }
  int samples = vm["samples"].as<int>();
  if (samples < 0) fail(ErrorKind::InvalidArgument, "--samples must be >= 0");
  if (samples == 0)
    samples = s.archive_config.is_object() ? s.archive_config.value("samples", 5) : 5;
  const auto model = load_model(model_path);
  const Shard shard = read_shard(data);
  check_shard_tokenizer(shard, *model, tok, data);
  const int T = s.target_length;
  std::vector<PplRow> rows;
  if (s.start_tokens > 0)
    rows.push_back({"searched (n̂ = " + std::to_string(s.start_tokens) + ")", 0, T,
                    ppl_at(*model, shard, deployed_scaling(s, s.start_tokens), T, samples, quiet),
                    nullptr});
  rows.push_back({"exported variant (n̂ = 0)", 0, T,
                  ppl_at(*model, shard, deployed_scaling(s, 0), T, samples, quiet), nullptr});
  if (readback) {
    const auto back = load_model(out);
    rows.push_back({"exported file read back (no rope options)", 0, T,
                    ppl_at(*back, shard, RopeScaling{}, T, samples, quiet), nullptr});
  }
  std::vector<PplRow> alts;
  if (fmt == ExportFormat::Rkllm && data_given)
    alts = rkllm_alternatives(*model, shard, s, samples, quiet);
  std::printf("\nPPL with our engine: model %s, data %s, %d documents, truncate\n",
              model_path.c_str(), data.c_str(), samples);
  std::printf("%s %8s %8s %14s\n", pad("variant", 36).c_str(), "factor", "length", "ppl");
  for (const auto& r : rows) print_row(r);
  if (!alts.empty()) {
    const PplRow* best[2] = {nullptr, nullptr};
    for (const auto& r : alts) {
      const int k = r.method == "rkllm linear" ? 0 : 1;
      if (!best[k] || r.ppl < best[k]->ppl) best[k] = &r;
    }
    for (const auto* b : best) print_row(*b);
    const PplRow* winner = best[0]->ppl <= best[1]->ppl ? best[0] : best[1];
    std::printf("best RKLLM-documented alternative: rope_scaling %s (PPL %.4f; longrope %.4f)\n",
                winner->rope_scaling.dump().c_str(), winner->ppl, rows.back().ppl);
    json rep;
    rep["kind"] = "longrope-rkllm-report";
    rep["data"] = data;
    rep["samples"] = samples;
    rep["target_length"] = T;
    rep["longrope"] = {{"ppl", rows.back().ppl}, {"start_tokens", 0}};
    rep["best_alternative"] = {{"method", winner->method},
                               {"factor", winner->factor},
                               {"ppl", winner->ppl},
                               {"rope_scaling", winner->rope_scaling}};
    for (const auto& r : alts)
      rep["grid"].push_back({{"method", r.method},
                             {"factor", r.factor},
                             {"ppl", r.ppl},
                             {"rope_scaling", r.rope_scaling}});
    for (const auto& r : rows) rep["rows"].push_back({{"method", r.method}, {"ppl", r.ppl}});
    write_text_atomically(out + "/rkllm_report.json", rep.dump(2) + "\n");
    std::printf("report: %s/rkllm_report.json\n", out.c_str());
  }
  return 0;
}

}  // namespace lr::cli

// `longrope export`: factors (csv, json), HF / RKLLM folders and GGUF from a search result.
#include <cstdio>

#include "cli/commands.h"
#include "cli/options.h"
#include "datasets/shard.h"
#include "export/run.h"

namespace lr::cli {

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
      "pick", po::value<std::string>()->default_value(""),
      "archive member: knee | short<=X | id=N (the long-vs-short front, docs/search.md)")(
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
      "replace the RoPE factors/rope_scaling the model file already carries")(
      "overwrite", po::bool_switch(),
      "replace an existing --output (a folder is "
      "moved aside and removed once the new one is in place)");
  d.add(common_options());
  po::variables_map vm;
  if (!parse(args, d, vm,
             "usage: longrope export --format csv|json|hf|gguf|rkllm --output PATH\n"
             "         (--factors F.csv|F.json | --archive A.h5 [--id N | --pick "
             "knee|short<=X|id=N])\n"
             "         [--model M] [--data D]"))
    return 0;
  const bool quiet = apply_common(vm);
  ExportRequest req;
  req.format = parse_export_format(vm["format"].as<std::string>());
  req.output = vm["output"].as<std::string>();
  req.source.factors_path = vm["factors"].as<std::string>();
  req.source.archive_path = vm["archive"].as<std::string>();
  req.source.id = vm["id"].as<int64_t>();
  req.source.pick = vm["pick"].as<std::string>();
  req.source.short_factors_path = vm["short-factors"].as<std::string>();
  req.source.target_length = vm["target-length"].as<int>();
  req.source.original_max_position = vm["original-max-position"].as<int>();
  req.source.mscale = vm["mscale"].as<std::string>();
  req.model = vm["model"].as<std::string>();
  req.replace_file_factors = vm["replace-file-factors"].as<bool>();
  req.overwrite = vm["overwrite"].as<bool>();
  req.rkllm_name = vm["name"].as<std::string>();
  req.max_new_tokens = vm["max-new-tokens"].as<int>();

  const ExportSource s = run_export(req);
  std::fputs(export_summary(s, req).c_str(), stdout);

  // Reports: which model and data to evaluate with.
  const ReportPlan plan = plan_report(s, req, vm["data"].as<std::string>(),
                                      vm["tokenizer"].as<std::string>(), vm["samples"].as<int>());
  if (!plan.run()) {
    if (s.start_tokens > 0)
      std::printf("  (pass --model and --data to see what n̂ = 0 costs in PPL)\n");
    return 0;
  }
  std::fflush(stdout);
  const auto model = load_model(plan.model);
  const Shard shard = read_shard(plan.data);
  check_shard_tokenizer(shard, *model, plan.tokenizer, plan.data);
  const ExportReport rep = run_report(*model, shard, s, req, plan, quiet);
  std::fputs(format_report(rep, plan).c_str(), stdout);
  return 0;
}

}  // namespace lr::cli

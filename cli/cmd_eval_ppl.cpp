// `longrope eval ppl`: perplexity table over lengths, CSV and JSON outputs.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/options.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "eval/perplexity.h"
#include "eval/stage_report.h"
#include "longrope/version.h"

namespace lr::cli {

namespace {

PplMode parse_mode(const std::string& s) {
  if (s == "truncate") return PplMode::Truncate;
  if (s == "llamacpp") return PplMode::LlamaCpp;
  fail(ErrorKind::InvalidArgument, "unknown --mode '" + s + "' (truncate or llamacpp)");
}

}  // namespace

int cmd_eval_ppl(const Args& args) {
  po::options_description d("eval ppl options");
  d.add_options()("model", po::value<std::string>()->required(),
                  "HF folder, .gguf or llama2.c .bin")("data", po::value<std::string>()->required(),
                                                       "shard from `longrope tokenize`")(
      "num-tokens", po::value<std::string>()->default_value("256"),
      "comma-separated lengths, e.g. 256,512,1024")(
      "samples", po::value<int>()->default_value(0),
      "documents (chunks in llamacpp mode) per length; 0 = all")(
      "mode", po::value<std::string>()->default_value("truncate"), "truncate | llamacpp")(
      "sliding-window", po::value<int>()->default_value(0),
      "evaluate whole documents in windows of the length with this stride")(
      "tokenizer", po::value<std::string>()->default_value(""),
      "tokenizer to check the shard against (default: the model's)")(
      "output", po::value<std::string>(), "CSV file: length,ppl")(
      "json", po::value<std::string>(), "JSON file with per-document NLLs and stage times")(
      "profile", po::bool_switch(),
      "print each length's time per forward-pass stage (seconds, share, GFLOP/s) to stderr");
  d.add(rope_options());
  d.add(common_options());
  po::variables_map vm;
  if (!parse(args, d, vm,
             "usage: longrope eval ppl --model M --data shard.h5 --num-tokens 256,2048 "
             "[--samples N] [--rope ...]"))
    return 0;
  const bool quiet = apply_common(vm);
  const auto lengths = parse_int_list(vm["num-tokens"].as<std::string>(), "num-tokens");
  const int samples = vm["samples"].as<int>();
  if (samples < 0) fail(ErrorKind::InvalidArgument, "--samples must be >= 0");

  const std::string model_path = vm["model"].as<std::string>();
  const std::string data_path = vm["data"].as<std::string>();
  auto model = load_model(model_path);
  const RopeScaling rope = rope_from_options(vm, model->config, model_path);
  const Shard shard = read_shard(data_path);
  check_shard_tokenizer(shard, *model, vm["tokenizer"].as<std::string>(), data_path);
  if (vm["mode"].as<std::string>() == "llamacpp") {
    // llama.cpp tokenizes with the tokenizer in the model file: no --tokenizer override here
    // (fingerprints cover the text rule, so a tokenizer.model shard is told apart), except for
    // a folder without tokenizer files (Phi-3 fixture), which takes --tokenizer as its own.
    const bool has_own = model->config.format == "gguf" || !model->tokenizer_path.empty();
    const auto own = model_tokenizer(*model, has_own ? "" : vm["tokenizer"].as<std::string>());
    if (shard.tokenizer_fingerprint != own->fingerprint())
      fail(ErrorKind::Data, data_path +
                                ": --mode llamacpp needs a shard tokenized with the model "
                                "file's own tokenizer (" +
                                own->kind() +
                                ": longrope tokenize "
                                "--tokenizer " +
                                model_path + "); this one used " + shard.tokenizer_kind + " from " +
                                shard.tokenizer_source);
  }

  PplOptions opt;
  opt.lengths = lengths;
  opt.samples = samples;
  opt.mode = parse_mode(vm["mode"].as<std::string>());
  opt.quiet = quiet;
  opt.rope = rope;
  opt.fixed_scale = vm.count("scale") > 0;
  if (vm["sliding-window"].as<int>() > 0) {
    if (opt.mode == PplMode::LlamaCpp)
      fail(ErrorKind::InvalidArgument, "--sliding-window and --mode llamacpp exclude each other");
    opt.mode = PplMode::Sliding;
    opt.stride = vm["sliding-window"].as<int>();
  }

  Engine engine(*model);
  std::vector<LengthResult> results;
  std::printf("%8s %8s %12s %6s %10s %9s\n", "length", "scale", "ppl", "docs", "tok/s", "GFLOP/s");
  for (int len : lengths) {
    results.push_back(evaluate_length(engine, shard, opt, len));
    const auto& r = results.back();
    std::printf("%8d %8.3f %12.4f %6zu %10.1f %9.2f\n", r.length, r.scale, r.ppl, r.docs.size(),
                r.tokens_processed / r.seconds, r.flops / r.seconds / 1e9);
    std::fflush(stdout);
    if (vm["profile"].as<bool>())
      std::fprintf(stderr, "stages at %d tokens (%.3f s):\n%s", r.length, r.seconds,
                   stage_table(r.stages, r.seconds).c_str());
  }

  if (vm.count("output")) {
    write_file_atomically(vm["output"].as<std::string>(), [&](std::ostream& csv) {
      csv << "length,ppl\n";
      csv.precision(10);
      for (const auto& r : results) csv << r.length << "," << r.ppl << "\n";
    });
  }
  if (vm.count("json")) {
    nlohmann::json j;
    j["toolkit"] = std::string("longrope ") + kVersion + " (" + kGitSha + ")";
    j["model"] = model_path;
    j["data"] = data_path;
    j["mode"] = vm["mode"].as<std::string>();
    j["rope"] = {
        {"kind", rope_kind_name(opt.rope.kind)},
        {"original_max_position", opt.rope.original_max_position > 0
                                      ? opt.rope.original_max_position
                                      : model->config.max_position},
        {"start_tokens", opt.rope.start_tokens},
        {"factors", opt.rope.factors},
        {"short_factors", opt.rope.short_factors},
        {"target_length", opt.rope.target_length},
        {"file_factors", !opt.rope.replace_file_factors && model->config.has_file_rope_factors()}};
    for (const auto& r : results) {
      nlohmann::json jr = {{"length", r.length},
                           {"scale", r.scale},
                           {"ppl", r.ppl},
                           {"seconds", r.seconds},
                           {"stages", stage_json(r.stages)}};
      for (const auto& ds : r.docs)
        jr["docs"].push_back({{"name", ds.name},
                              {"tokens", ds.tokens},
                              {"nll", ds.nll},
                              {"ppl", std::exp(ds.nll / ds.tokens)}});
      j["results"].push_back(jr);
    }
    write_file_atomically(vm["json"].as<std::string>(), j.dump(2) + "\n");
  }
  return 0;
}

}  // namespace lr::cli

// `longrope eval passkey`: passkey retrieval accuracy over lengths (and depths), CSV and JSON.
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "cli/options.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "eval/passkey_report.h"
#include "eval/perplexity.h"

namespace lr::cli {

int cmd_eval_passkey(const Args& args) {
  po::options_description d("eval passkey options");
  d.add_options()("model", po::value<std::string>()->required(),
                  "HF folder, .gguf or llama2.c .bin")(
      "num-tokens", po::value<std::string>()->default_value("256"),
      "comma-separated prompt lengths in tokens (each within one filler round)")(
      "samples", po::value<int>()->default_value(10), "prompts per (length, depth) cell")(
      "seed", po::value<uint64_t>()->default_value(0), "seed of the keys and insertion rounds")(
      "depths", po::value<std::string>(),
      "comma-separated key depths in % of the filler (0 = first round, 100 = after the last); "
      "default: a random round per prompt")("tokenizer",
                                            po::value<std::string>()->default_value(""),
                                            "tokenizer to use (default: the model's)")(
      "max-new-tokens", po::value<int>()->default_value(10),
      "greedy tokens the answer is read from")(
      "save-prompts", po::value<std::string>(),
      "folder: write each prompt's text (for llama.cpp) and an index.tsv")(
      "output", po::value<std::string>(), "CSV file: length,depth,accuracy,samples")(
      "json", po::value<std::string>(), "JSON file with every prompt and answer");
  d.add(rope_options());
  d.add(common_options());
  po::variables_map vm;
  if (!parse(args, d, vm,
             "usage: longrope eval passkey --model M --num-tokens 256,1024,2048 [--samples N] "
             "[--seed S] [--depths 0,25,50,75,100] [--rope ...] [--output F.csv] [--json F.json]"))
    return 0;
  const bool quiet = apply_common(vm);
  PasskeyOptions opt;
  opt.lengths = parse_int_list(vm["num-tokens"].as<std::string>(), "num-tokens");
  opt.samples = vm["samples"].as<int>();
  if (opt.samples < 1) fail(ErrorKind::InvalidArgument, "--samples must be >= 1");
  opt.seed = vm["seed"].as<uint64_t>();
  if (vm.count("depths")) opt.depths = parse_depths(vm["depths"].as<std::string>());
  opt.max_new_tokens = vm["max-new-tokens"].as<int>();
  if (opt.max_new_tokens < 1) fail(ErrorKind::InvalidArgument, "--max-new-tokens must be >= 1");
  if (vm.count("save-prompts")) opt.save_prompts_dir = vm["save-prompts"].as<std::string>();
  opt.quiet = quiet;

  const std::string model_path = vm["model"].as<std::string>();
  auto model = load_model(model_path);
  auto tok = model_tokenizer(*model, vm["tokenizer"].as<std::string>());
  if (tok->vocab_size() > model->config.vocab_size)
    fail(ErrorKind::Data, "the tokenizer's vocabulary (" + std::to_string(tok->vocab_size()) +
                              ") is larger than the model's (" +
                              std::to_string(model->config.vocab_size) + ")");
  opt.rope = rope_from_options(vm, model->config);
  opt.fixed_scale = vm.count("scale") > 0;

  Engine engine(*model);
  const PasskeyResult res = run_passkey(engine, *tok, opt);
  std::vector<double> depths = opt.depths.empty() ? std::vector<double>{-1} : opt.depths;
  std::cout << passkey_table(res, depths);
  if (vm.count("output")) write_file_atomically(vm["output"].as<std::string>(), passkey_csv(res));
  if (!opt.save_prompts_dir.empty())
    write_file_atomically(opt.save_prompts_dir + "/index.tsv", passkey_index_tsv(res));
  if (vm.count("json")) {
    const PasskeyRun run{opt, model_path, tok->kind(), model->config.max_position,
                         model->config.has_file_rope_factors()};
    write_file_atomically(
        vm["json"].as<std::string>(),
        passkey_json(res, run).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) +
            "\n");
  }
  return 0;
}

}  // namespace lr::cli

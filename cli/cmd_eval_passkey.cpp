// `longrope eval passkey`: passkey retrieval accuracy over lengths (and depths), CSV and JSON.
#include <cstdio>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli/commands.h"
#include "cli/options.h"
#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "eval/passkey.h"
#include "eval/perplexity.h"
#include "longrope/version.h"

namespace lr::cli {

namespace {

// "0,25,50" -> {0, 25, 50}; each value a number in [0, 100].
std::vector<double> parse_depths(const std::string& s) {
  std::vector<double> out;
  std::stringstream ss(s);
  std::string tok;
  while (std::getline(ss, tok, ',')) {
    char* end = nullptr;
    const double v = std::strtod(tok.c_str(), &end);
    if (tok.empty() || *end != '\0' || !(v >= 0 && v <= 100))
      fail(ErrorKind::InvalidArgument, "bad value '" + tok + "' in --depths (numbers in 0..100)");
    out.push_back(v);
  }
  if (out.empty()) fail(ErrorKind::InvalidArgument, "--depths is empty");
  return out;
}

nlohmann::json depth_json(double d) { return d < 0 ? nlohmann::json("random") : nlohmann::json(d); }

std::string depth_text(double d) {
  if (d < 0) return "random";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", d);
  return buf;
}

void print_table(const PasskeyResult& res, const std::vector<double>& depths) {
  std::printf("%8s %8s %7s", "length", "scale", "tokens");
  for (double d : depths) std::printf(" %8s", depth_text(d).c_str());
  std::printf(" %9s %8s\n", "correct", "tok/s");
  const size_t per_len = depths.size();
  for (size_t i = 0; i < res.cells.size(); i += per_len) {
    const PasskeyCell& first = res.cells[i];
    long tokens = 0, trials = 0, correct = 0, samples = 0, processed = 0;
    double secs = 0;
    for (const auto& t : res.trials)
      if (t.length == first.length) tokens += t.prompt_tokens, ++trials;
    std::printf("%8d %8.3f %7ld", first.length, first.scale, trials ? tokens / trials : 0);
    for (size_t j = i; j < i + per_len; ++j) {
      std::printf(" %8.2f", res.cells[j].accuracy());
      correct += res.cells[j].correct;
      samples += res.cells[j].samples;
      secs += res.cells[j].seconds;
      processed += res.cells[j].tokens_processed;
    }
    std::printf(" %4ld/%-4ld %8.0f\n", correct, samples, secs > 0 ? processed / secs : 0.0);
  }
}

}  // namespace

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
  print_table(res, depths);

  if (vm.count("output")) {
    const std::string path = vm["output"].as<std::string>();
    write_file_atomically(path, [&](std::ostream& csv) {
      csv << "length,depth,accuracy,samples\n";
      for (const auto& c : res.cells)
        csv << c.length << "," << depth_text(c.depth) << "," << c.accuracy() << "," << c.samples
            << "\n";
    });
  }
  if (!opt.save_prompts_dir.empty()) {
    const std::string path = opt.save_prompts_dir + "/index.tsv";
    write_file_atomically(path, [&](std::ostream& idx) {
      idx << "file\tlength\tprompt_tokens\tn\ti\tdepth\tkey\tscale\n";
      for (const auto& t : res.trials) {
        double scale = 1.0;
        for (const auto& c : res.cells)
          if (c.length == t.length) scale = c.scale;
        idx << t.prompt_file << "\t" << t.length << "\t" << t.prompt_tokens << "\t" << t.n_rounds
            << "\t" << t.insert_round << "\t" << depth_text(t.depth) << "\t" << t.key << "\t"
            << scale << "\n";
      }
    });
  }
  if (vm.count("json")) {
    nlohmann::json j;
    j["toolkit"] = std::string("longrope ") + kVersion + " (" + kGitSha + ")";
    j["model"] = model_path;
    j["tokenizer"] = tok->kind();
    j["seed"] = opt.seed;
    j["samples"] = opt.samples;
    j["max_new_tokens"] = opt.max_new_tokens;
    j["rope"] = {
        {"kind", rope_kind_name(opt.rope.kind)},
        {"original_max_position", opt.rope.original_max_position > 0
                                      ? opt.rope.original_max_position
                                      : model->config.max_position},
        {"fixed_scale", opt.fixed_scale},
        {"start_tokens", opt.rope.start_tokens},
        {"factors", opt.rope.factors},
        {"short_factors", opt.rope.short_factors},
        {"target_length", opt.rope.target_length},
        {"file_factors", !opt.rope.replace_file_factors && model->config.has_file_rope_factors()},
        {"selection_length", "prompt tokens + max_new_tokens"}};
    for (const auto& c : res.cells)
      j["cells"].push_back({{"length", c.length},
                            {"depth", depth_json(c.depth)},
                            {"scale", c.scale},
                            {"n", c.n_rounds},
                            {"accuracy", c.accuracy()},
                            {"correct", c.correct},
                            {"samples", c.samples}});
    for (const auto& t : res.trials) {
      nlohmann::json jt = {{"length", t.length},
                           {"prompt_tokens", t.prompt_tokens},
                           {"n", t.n_rounds},
                           {"i", t.insert_round},
                           {"depth", depth_json(t.depth)},
                           {"key", t.key},
                           {"generated_tokens", t.generated},
                           {"generated_text", t.text},
                           {"answer", t.answer ? nlohmann::json(*t.answer) : nlohmann::json()},
                           {"correct", t.correct}};
      if (!t.prompt_file.empty()) jt["prompt_file"] = t.prompt_file;
      j["prompts"].push_back(jt);
    }
    const std::string path = vm["json"].as<std::string>();
    write_file_atomically(path,
                          j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  }
  return 0;
}

}  // namespace lr::cli

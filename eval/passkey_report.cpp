// `eval passkey` results as files: the table, CSV, the prompt index (TSV) and the JSON report.
#include "eval/passkey_report.h"

#include <cstdio>
#include <sstream>

#include "core/util/error.h"
#include "core/util/strformat.h"
#include "longrope/version.h"

namespace lr {

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

std::string passkey_table(const PasskeyResult& res, const std::vector<double>& depths) {
  std::string out;
  out += strformat("%8s %8s %7s", "length", "scale", "tokens");
  for (double d : depths) out += strformat(" %8s", depth_text(d).c_str());
  out += strformat(" %9s %8s\n", "correct", "tok/s");
  const size_t per_len = depths.size();
  for (size_t i = 0; i < res.cells.size(); i += per_len) {
    const PasskeyCell& first = res.cells[i];
    long tokens = 0, trials = 0, correct = 0, samples = 0, processed = 0;
    double secs = 0;
    for (const auto& t : res.trials)
      if (t.length == first.length) tokens += t.prompt_tokens, ++trials;
    out += strformat("%8d %8.3f %7ld", first.length, first.scale, trials ? tokens / trials : 0);
    for (size_t j = i; j < i + per_len; ++j) {
      out += strformat(" %8.2f", res.cells[j].accuracy());
      correct += res.cells[j].correct;
      samples += res.cells[j].samples;
      secs += res.cells[j].seconds;
      processed += res.cells[j].tokens_processed;
    }
    out += strformat(" %4ld/%-4ld %8.0f\n", correct, samples, secs > 0 ? processed / secs : 0.0);
  }
  return out;
}

std::string passkey_csv(const PasskeyResult& res) {
  std::ostringstream csv;
  csv << "length,depth,accuracy,samples\n";
  for (const auto& c : res.cells)
    csv << c.length << "," << depth_text(c.depth) << "," << c.accuracy() << "," << c.samples
        << "\n";
  return csv.str();
}

std::string passkey_index_tsv(const PasskeyResult& res) {
  std::ostringstream idx;
  idx << "file\tlength\tprompt_tokens\tn\ti\tdepth\tkey\tscale\n";
  for (const auto& t : res.trials) {
    double scale = 1.0;
    for (const auto& c : res.cells)
      if (c.length == t.length) scale = c.scale;
    idx << t.prompt_file << "\t" << t.length << "\t" << t.prompt_tokens << "\t" << t.n_rounds
        << "\t" << t.insert_round << "\t" << depth_text(t.depth) << "\t" << t.key << "\t" << scale
        << "\n";
  }
  return idx.str();
}

nlohmann::json passkey_json(const PasskeyResult& res, const PasskeyRun& run) {
  nlohmann::json j;
  j["toolkit"] = std::string("longrope ") + kVersion + " (" + kGitSha + ")";
  j["model"] = run.model_path;
  j["tokenizer"] = run.tokenizer_kind;
  j["seed"] = run.opt.seed;
  j["samples"] = run.opt.samples;
  j["max_new_tokens"] = run.opt.max_new_tokens;
  j["rope"] = {{"kind", rope_kind_name(run.opt.rope.kind)},
               {"original_max_position", run.opt.rope.original_max_position > 0
                                             ? run.opt.rope.original_max_position
                                             : run.trained_context},
               {"fixed_scale", run.opt.fixed_scale},
               {"start_tokens", run.opt.rope.start_tokens},
               {"factors", run.opt.rope.factors},
               {"short_factors", run.opt.rope.short_factors},
               {"target_length", run.opt.rope.target_length},
               {"file_factors", !run.opt.rope.replace_file_factors && run.file_factors},
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
  return j;
}

}  // namespace lr

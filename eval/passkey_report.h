// `eval passkey` results as files: the table, CSV, the prompt index (TSV) and the JSON report.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "eval/passkey.h"

namespace lr {

// "0,25,50" -> {0, 25, 50}; each value a number in [0, 100] (InvalidArgument otherwise).
std::vector<double> parse_depths(const std::string& s);
std::string depth_text(double depth);  // "random" for a negative depth, else "%g"

// What the JSON report records besides the results.
struct PasskeyRun {
  PasskeyOptions opt;
  std::string model_path;
  std::string tokenizer_kind;
  int trained_context = 0;    // the model's L (when the options leave it 0)
  bool file_factors = false;  // the model file carries RoPE factors
};

// One row per length: mean prompt tokens, accuracy per depth, correct/samples, tok/s.
std::string passkey_table(const PasskeyResult& res, const std::vector<double>& depths);
std::string passkey_csv(const PasskeyResult& res);        // length,depth,accuracy,samples
std::string passkey_index_tsv(const PasskeyResult& res);  // --save-prompts' index.tsv
nlohmann::json passkey_json(const PasskeyResult& res, const PasskeyRun& run);  // results/README.md

}  // namespace lr

// Passkey retrieval: llama.cpp's llama-passkey prompt, greedy answers with a KV cache.
#pragma once
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "core/engine/forward.h"
#include "core/rope/rope.h"
#include "core/tokenizer/tokenizer.h"

namespace lr {

// The prompt text of llama.cpp's examples/passkey, byte for byte: the task line, n filler
// rounds, " The pass key is K. Remember it. K is the pass key." before round i (i = n: after
// the last round, which llama-passkey itself cannot express), then the question.
std::string passkey_prompt(int n_rounds, int insert_round, int key);

// Insertion round of depth d in [0, 100]: round(d · n / 100), halves away from zero.
int depth_round(double depth, int n_rounds);

// The first run of ASCII digits in `text` as an integer (saturates above 18 digits); none
// when the text holds no digit. "12345." -> 12345, " 123 is" -> 123.
std::optional<long long> parse_answer(const std::string& text);

// BOS (when the model adds one) + encode(text): llama.cpp's common_tokenize(.., true).
std::vector<int> passkey_tokens(const Tokenizer& tok, const ModelConfig& c,
                                const std::string& text);

// The largest n whose prompt (key 50000 inserted before round 0) has at most `length`
// tokens; throws Data when even one round does not fit.
int rounds_for_length(const Tokenizer& tok, const ModelConfig& c, int length);

// The generator of one (length, depth) cell: std::mt19937_64 seeded with a SplitMix64 hash of
// (seed, length, depth); the same on every platform. depth < 0 means random insertion.
std::mt19937_64 passkey_cell_rng(uint64_t seed, int length, double depth);

struct PasskeyOptions {
  std::vector<int> lengths;    // requested prompt token counts
  std::vector<double> depths;  // empty: insertion round random (rng() % n)
  int samples = 1;             // prompts per (length, depth) cell
  uint64_t seed = 0;
  RopeScaling rope;  // factor set per length unless fixed_scale
  bool fixed_scale = false;
  int max_new_tokens = 10;       // the answer is read from at most this many greedy tokens
  std::string save_prompts_dir;  // "" = do not write the prompt texts
  bool quiet = false;
};

struct PasskeyTrial {
  int length = 0;         // requested
  int prompt_tokens = 0;  // actual, BOS included
  int n_rounds = 0, insert_round = 0;
  double depth = -1;  // -1: random insertion
  int key = 0;
  std::vector<int> generated;
  std::string text;  // generated text (EOS excluded)
  std::optional<long long> answer;
  bool correct = false;
  std::string prompt_file;  // under save_prompts_dir, "" when not saved
};

struct PasskeyCell {
  int length = 0;
  double depth = -1;  // -1: random
  double scale = 1.0;
  int n_rounds = 0;
  int correct = 0, samples = 0;
  long tokens_processed = 0;
  double seconds = 0.0;
  double accuracy() const { return samples > 0 ? static_cast<double>(correct) / samples : 0.0; }
};

struct PasskeyResult {
  std::vector<PasskeyCell> cells;    // lengths × depths, in that order
  std::vector<PasskeyTrial> trials;  // every prompt, cell by cell
};

PasskeyResult run_passkey(Engine& engine, const Tokenizer& tok, const PasskeyOptions& opt);

}  // namespace lr

// Perplexity over a shard: truncate (LongRoPE/YaRN repos), sliding window, llama.cpp chunks.
#pragma once
#include <string>
#include <vector>

#include "core/engine/forward.h"
#include "core/rope/rope.h"
#include "datasets/shard.h"

namespace lr {

enum class PplMode {
  Truncate,  // first `samples` documents with enough tokens, each cut to the length
  Sliding,   // whole documents in windows of the length, stride `stride`, new tokens scored
  LlamaCpp,  // documents joined, chunks of the length, BOS first, second half scored
};

struct PplOptions {
  std::vector<int> lengths;
  int samples = 0;  // 0 = all that qualify
  PplMode mode = PplMode::Truncate;
  int stride = 0;            // Sliding
  RopeScaling rope;          // factor is set per length unless fixed_scale
  bool fixed_scale = false;  // use rope.factor as given at every length
  bool quiet = false;
};

struct DocScore {
  std::string name;
  long tokens = 0;   // scored tokens
  double nll = 0.0;  // summed negative log-likelihood (nats)
};

struct LengthResult {
  int length = 0;
  double scale = 1.0;
  double ppl = 0.0;
  std::vector<DocScore> docs;  // per document (Truncate/Sliding) or per chunk (LlamaCpp)
  long tokens_processed = 0;   // tokens run through the model
  double flops = 0.0;          // prefill_flops of every sequence run
  double seconds = 0.0;
  StageTimes stages;  // the engine's stage timers over this length (reset at its start)
};

// The scale a length implies: max(1, length / L), L = rope.original_max_position or the
// model's trained context; with rope.target_length (the deployed rule) target / L everywhere.
double scale_for_length(const ModelConfig& c, const RopeScaling& r, int length);

// Truncate mode's documents at `length`: the first `samples` (0 = all) long enough; throws
// Data when none is. And the sequence it scores of document d: [BOS] + its first tokens.
std::vector<int> truncate_documents(const ModelConfig& c, const Shard& shard, int samples,
                                    int length, bool quiet);
std::vector<int> truncate_sequence(const ModelConfig& c, const Shard& shard, int d, int length);

// LlamaCpp mode's chunks at `length`: the documents joined into one stream that starts with BOS,
// chunk i = stream[i*length, (i+1)*length) with its first token replaced by BOS; the first
// `samples` (0 = all). Each chunk scores positions length/2 .. length-2 (logprobs from
// length/2). Throws Data when the shard holds less than one chunk.
std::vector<std::vector<int>> llamacpp_chunks(const ModelConfig& c, const Shard& shard, int samples,
                                              int length);

LengthResult evaluate_length(Engine& engine, const Shard& shard, const PplOptions& opt, int length);

}  // namespace lr

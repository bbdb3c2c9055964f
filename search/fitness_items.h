// What a candidate is scored on: documents (PPL) or passkey prompts scored on the key (needle).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/engine/forward.h"
#include "core/rope/rope.h"
#include "core/tokenizer/tokenizer.h"
#include "datasets/shard.h"

namespace lr {

enum class FitnessKind {
  Ppl,       // the first documents of the shard, cut to the length, every token scored
  Needle,    // LongRoPE2's needle-driven PPL: passkey prompts, only the key's tokens scored
  LlamaCpp,  // llama.cpp's perplexity: the documents joined, chunks, each chunk's second half
};
FitnessKind parse_fitness_kind(const std::string& s);  // "ppl" | "needle" | "llamacpp"
const char* fitness_kind_name(FitnessKind k);

struct FitnessItem {
  std::string name;
  std::vector<int> tokens;
  int from = 0;  // the log-probabilities of tokens[from + 1 ..] are scored
};

// `eval ppl`'s Truncate documents at `length` (the same sequences, in the same order).
std::vector<FitnessItem> ppl_items(const ModelConfig& c, const Shard& shard, int samples,
                                   int length);

// `eval ppl --mode llamacpp`'s chunks at `length` (every chunk scores the same number of tokens,
// so exp(mean of the items' mean NLL) is that mode's PPL).
std::vector<FitnessItem> llamacpp_items(const ModelConfig& c, const Shard& shard, int samples,
                                        int length);

// The items of a document fitness (Ppl or LlamaCpp) at `length`.
std::vector<FitnessItem> document_items(FitnessKind kind, const ModelConfig& c, const Shard& shard,
                                        int samples, int length);

// `samples` passkey prompts (eval passkey's text) of at most `length` tokens, key and insertion
// round drawn from a generator `eval passkey` never uses (its prompts are never trained on),
// each followed by " KEY"; the key's tokens are scored.
std::vector<FitnessItem> needle_items(const Tokenizer& tok, const ModelConfig& c, int samples,
                                      int length, uint64_t seed);

// Mean NLL (nats) of one item's scored tokens; adds the tokens run to `tokens`.
double item_nll(Engine& engine, const FitnessItem& item, const RopeScaling& rope, long& tokens);

}  // namespace lr

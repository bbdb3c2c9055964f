// Fitness items: Truncate documents, needle prompts, and the NLL of one item.
#include "search/fitness_items.h"

#include "core/util/error.h"
#include "eval/passkey.h"
#include "eval/perplexity.h"

namespace lr {

FitnessKind parse_fitness_kind(const std::string& s) {
  if (s == "ppl") return FitnessKind::Ppl;
  if (s == "needle") return FitnessKind::Needle;
  if (s == "llamacpp") return FitnessKind::LlamaCpp;
  fail(ErrorKind::InvalidArgument, "--fitness must be ppl, needle or llamacpp, not '" + s + "'");
}

const char* fitness_kind_name(FitnessKind k) {
  switch (k) {
    case FitnessKind::Ppl:
      return "ppl";
    case FitnessKind::Needle:
      return "needle";
    case FitnessKind::LlamaCpp:
      return "llamacpp";
  }
  return "?";
}

std::vector<FitnessItem> ppl_items(const ModelConfig& c, const Shard& shard, int samples,
                                   int length) {
  std::vector<FitnessItem> items;
  for (int d : truncate_documents(c, shard, samples, length, true))
    items.push_back({shard.names[d], truncate_sequence(c, shard, d, length), 0});
  return items;
}

std::vector<FitnessItem> llamacpp_items(const ModelConfig& c, const Shard& shard, int samples,
                                        int length) {
  std::vector<FitnessItem> items;
  for (auto& chunk : llamacpp_chunks(c, shard, samples, length))
    items.push_back({"chunk" + std::to_string(items.size()), std::move(chunk), length / 2});
  return items;
}

std::vector<FitnessItem> document_items(FitnessKind kind, const ModelConfig& c, const Shard& shard,
                                        int samples, int length) {
  if (kind == FitnessKind::LlamaCpp) return llamacpp_items(c, shard, samples, length);
  if (kind == FitnessKind::Ppl) return ppl_items(c, shard, samples, length);
  fail(ErrorKind::InvalidArgument, "document_items: not a document fitness");
}

std::vector<FitnessItem> needle_items(const Tokenizer& tok, const ModelConfig& c, int samples,
                                      int length, uint64_t seed) {
  const int rounds = rounds_for_length(tok, c, length);
  // "Depth" 1000 names a stream of its own: eval passkey's depths are random or in 0..100.
  std::mt19937_64 rng = passkey_cell_rng(seed, length, 1000.0);
  std::vector<FitnessItem> items;
  for (int s = 0; s < samples; ++s) {
    const int key = 1 + static_cast<int>(rng() % 50000);
    const int round = static_cast<int>(rng() % static_cast<uint64_t>(rounds));
    const std::string prompt = passkey_prompt(rounds, round, key);
    const auto ptoks = passkey_tokens(tok, c, prompt);
    FitnessItem it;
    it.name = "needle" + std::to_string(s) + " key " + std::to_string(key) + " round " +
              std::to_string(round) + "/" + std::to_string(rounds);
    it.tokens = passkey_tokens(tok, c, prompt + " " + std::to_string(key));
    size_t p = 0;  // the prompt's tokens the answer leaves unchanged
    while (p < ptoks.size() && p < it.tokens.size() && ptoks[p] == it.tokens[p]) ++p;
    if (p == 0 || p >= it.tokens.size())
      fail(ErrorKind::Data,
           "needle fitness: the tokenizer does not separate the key from the "
           "prompt");
    it.from = static_cast<int>(p) - 1;
    items.push_back(std::move(it));
  }
  return items;
}

double item_nll(Engine& engine, const FitnessItem& item, const RopeScaling& rope, long& tokens) {
  const auto lp = engine.logprobs(item.tokens, rope, item.from);
  tokens += static_cast<long>(item.tokens.size());
  double nll = 0;
  for (double v : lp) nll -= v;
  return nll / static_cast<double>(lp.size());
}

}  // namespace lr

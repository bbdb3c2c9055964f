// Greedy generation on top of Engine::extend and a KV cache.
#include "core/engine/generate.h"

#include <algorithm>

#include "core/engine/kv_cache.h"
#include "core/util/error.h"

namespace lr {

int argmax(const std::vector<float>& logits) {
  return static_cast<int>(std::max_element(logits.begin(), logits.end()) - logits.begin());
}

Generation generate_greedy(Engine& engine, const std::vector<int>& prompt, const RopeScaling& rope,
                           const GenerateOptions& opt) {
  if (prompt.empty()) fail(ErrorKind::InvalidArgument, "generation needs a non-empty prompt");
  if (opt.max_new_tokens < 0) fail(ErrorKind::InvalidArgument, "max_new_tokens must be >= 0");
  Generation g;
  if (opt.max_new_tokens == 0) return g;
  const int total = static_cast<int>(prompt.size()) + opt.max_new_tokens;
  const ModelConfig& c = engine.model().config;
  // Fixed for the whole sequence: one selection length, never switched while decoding.
  const SequenceRope sr = sequence_rope(c, rope, opt.select_len > 0 ? opt.select_len : total);
  KvCache cache;
  cache.reset(c, total);
  std::vector<float> logits =
      engine.extend(prompt.data(), static_cast<int>(prompt.size()), sr, cache);
  for (int t = 0; t < opt.max_new_tokens; ++t) {
    const int next = argmax(logits);
    g.tokens.push_back(next);
    if (next == opt.eos_id) {
      g.stopped_at_eos = true;
      break;
    }
    if (t + 1 < opt.max_new_tokens) logits = engine.extend(&next, 1, sr, cache);
  }
  return g;
}

}  // namespace lr

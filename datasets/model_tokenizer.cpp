// The tokenizer that belongs to a model, and the check that a shard was tokenized with it.
#include "datasets/model_tokenizer.h"

#include "core/tokenizer/tokenizer_factory.h"
#include "core/util/error.h"

namespace lr {

std::unique_ptr<Tokenizer> model_tokenizer(const Model& m, const std::string& override_path) {
  if (!override_path.empty()) return load_tokenizer(override_path);
  if (m.config.format == "gguf") return load_gguf_tokenizer(m.path);
  if (m.config.format == "llama2c" && !m.tokenizer_path.empty())
    return load_llama2c_tokenizer(m.tokenizer_path, m.config.vocab_size);
  if (!m.tokenizer_path.empty()) return load_tokenizer(m.tokenizer_path);
  fail(ErrorKind::Io, m.path + ": no tokenizer found beside the model; pass --tokenizer");
}

void check_shard_tokenizer(const Shard& s, const Model& m, const std::string& tok_override,
                           const std::string& shard_path) {
  auto tok = model_tokenizer(m, tok_override);
  if (tok->fingerprint() != s.tokenizer_fingerprint)
    fail(ErrorKind::Data, shard_path + " was tokenized with another tokenizer (" +
                              s.tokenizer_kind + " from " + s.tokenizer_source + ", vocabulary " +
                              s.tokenizer_fingerprint.substr(0, 12) + ") than the model's (" +
                              tok->kind() + ", vocabulary " + tok->fingerprint().substr(0, 12) +
                              "): re-run longrope tokenize");
  if (s.vocab_size > m.config.vocab_size)
    fail(ErrorKind::Data, shard_path + ": shard vocabulary larger than the model's");
}

}  // namespace lr

// Tokenized dataset shards in HDF5: concatenated ids, document offsets, names and hashes.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace lr {

class Tokenizer;

struct Shard {
  std::vector<int32_t> tokens;              // all documents, concatenated (no BOS/EOS)
  std::vector<int64_t> offsets;             // (num_docs + 1) start of each document in `tokens`
  std::vector<std::string> names;           // (num_docs) source file names
  std::vector<std::string> sources_sha256;  // (num_docs) SHA-256 of each source file
  std::string tokenizer_fingerprint;        // Tokenizer::fingerprint()
  std::string tokenizer_kind;               // sentencepiece | gguf-llama | llama2c | gguf-bpe | hf-bpe
  std::string tokenizer_source;             // path the shard was tokenized with
  int vocab_size = 0;

  int num_docs() const { return static_cast<int>(names.size()); }
  std::span<const int32_t> doc(int i) const {
    return {tokens.data() + offsets[i], static_cast<size_t>(offsets[i + 1] - offsets[i])};
  }
};

// Tokenizes every regular file under `inputs` (files or folders; sorted by path), dropping
// documents shorter than `min_tokens`.
Shard build_shard(const Tokenizer& tok, const std::string& tokenizer_source,
                  const std::vector<std::string>& inputs, int min_tokens, bool quiet);

// Writes atomically (temporary file, then rename). Schema: datasets/README.md.
void write_shard(const std::string& path, const Shard& s);
Shard read_shard(const std::string& path);

}  // namespace lr

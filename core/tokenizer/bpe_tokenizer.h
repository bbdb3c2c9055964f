// Byte-level BPE tokenizer (GPT-2 byte-to-unicode mapping, ranked merges), run as llama.cpp runs
// it.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/tokenizer/pretokenizer.h"
#include "core/tokenizer/tokenizer.h"

namespace lr {

// GGUF `tokenizer.ggml.token_type` values (llama.cpp's llama_token_type).
enum BpeTokenType : int {
  kTokenNormal = 1,
  kTokenUnknown = 2,
  kTokenControl = 3,
  kTokenUserDefined = 4,
  kTokenUnused = 5,
  kTokenByte = 6,
};

// Everything a byte-level BPE tokenizer is made of, whichever file it came from.
struct BpeVocab {
  std::vector<std::string> pieces;  // byte-level form ("Ġthe"); added tokens as raw text
  std::vector<int> types;           // BpeTokenType per piece
  std::vector<std::pair<std::string, std::string>> merges;  // in rank order
  PreTokenizerSpec pre;
  int bos = -1, eos = -1, unk = -1;
  bool add_bos = false;
};

// encode(): user-defined tokens are split out of the raw text first (longest text first, each
// over the whole text, as llama.cpp does with parse_special = false: control-token text is
// tokenized as ordinary text); each remaining fragment is pre-tokenized, and each piece's bytes
// are merged by rank (lowest first, leftmost on ties). Invalid UTF-8 becomes U+FFFD.
class BpeTokenizer : public Tokenizer {
 public:
  BpeTokenizer(BpeVocab v, std::string kind, const std::string& source);
  ~BpeTokenizer() override;
  std::vector<int> encode(const std::string& text) const override;
  std::string decode_piece(int id) const override;
  // SHA-256 of the pieces (with their token class), the merges, the pre-tokenizer regexes and
  // ignore_merges: equal exactly when two files tokenize every text alike.
  std::string fingerprint() const override;
  bool add_bos() const { return add_bos_; }
  const std::string& pre_name() const { return pre_name_; }

 private:
  struct Scratch;
  void encode_word(std::string_view word, Scratch& s, std::vector<int>& out) const;

  std::vector<int> types_;
  std::unordered_map<std::string, int> index_;               // piece -> id (last id of a duplicate)
  std::unordered_map<uint64_t, std::pair<int, int>> ranks_;  // (left, right) -> (rank, merged)
  std::array<int, 256> byte_ids_;  // id of each byte's byte-level character, -1 if none
  std::vector<int> split_out_;     // user-defined ids, longest text first
  std::unique_ptr<PreTokenizer> pre_;
  std::string pre_name_, fingerprint_;
  bool ignore_merges_ = false, add_bos_ = false;
};

// GPT-2's byte-to-unicode mapping: the UTF-8 text standing for byte `b` in byte-level pieces.
const std::string& byte_to_piece_char(uint8_t b);

// From a GGUF's metadata (`tokenizer.ggml.model` = gpt2): tokens, token_type, merges, pre,
// BOS/EOS/UNK ids and add_bos_token. `path` names the file in errors.
std::unique_ptr<Tokenizer> load_gguf_bpe(const nlohmann::json& meta, const std::string& path);

// From a Hugging Face tokenizer.json (a byte-level BPE model), or a folder holding one;
// tokenizer_config.json and config.json beside it give BOS/EOS, add_bos and the padded size.
std::unique_ptr<Tokenizer> load_hf_bpe(const std::string& path);

}  // namespace lr

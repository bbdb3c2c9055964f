// Byte-level BPE pre-tokenizers: llama.cpp's regex sequence per `tokenizer.ggml.pre`, run by PCRE2.
#pragma once
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace lr {

// What a pre-tokenizer does: regexes applied in sequence, each splitting the pieces of the
// previous one (a match and the text between two matches both become pieces), as llama.cpp's
// unicode_regex_split does. Regexes are PCRE2 syntax; `\s` means Unicode White_Space.
struct PreTokenizerSpec {
  std::string name;                  // llama.cpp's `pre` name, or "custom" (tokenizer.json)
  std::vector<std::string> regexes;  // empty: the whole text is one piece
  bool ignore_merges = false;        // a piece that is a vocabulary token is not merged
  bool add_bos = false;              // llama.cpp's default when the file does not say
};

// llama.cpp's spec for a `tokenizer.ggml.pre` value ("" = "default"); throws Unsupported,
// naming `pre` and `where`, for a name it does not know.
PreTokenizerSpec pretokenizer_spec(const std::string& pre, const std::string& where);

// The spec of a tokenizer.json "pre_tokenizer" (Sequence, Split with Isolated behaviour,
// ByteLevel, Digits, Punctuation). Lists equal to a named one (after writing `(?i:'s|...)` as
// llama.cpp does) take its name; others are "custom". Throws Unsupported for anything else.
PreTokenizerSpec pretokenizer_spec_from_hf(const nlohmann::json& pre, const std::string& where);

// Names accepted by pretokenizer_spec (for messages and documentation).
std::vector<std::string> pretokenizer_names();

// The compiled regexes of one spec (PCRE2, UTF + UCP, JIT when available).
class PreTokenizer {
 public:
  explicit PreTokenizer(const PreTokenizerSpec& spec);  // throws Format on a bad regex
  ~PreTokenizer();
  PreTokenizer(const PreTokenizer&) = delete;
  PreTokenizer& operator=(const PreTokenizer&) = delete;

  // Pieces of `text` (valid UTF-8, see sanitize_utf8), in order, covering it exactly.
  std::vector<std::string_view> split(std::string_view text) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// `text` with every byte that does not start a well-formed UTF-8 sequence replaced by U+FFFD
// (llama.cpp's behaviour for lead/continuation errors); valid text is returned unchanged.
std::string sanitize_utf8(std::string_view text);

}  // namespace lr

// Tokenizers: SentencePiece .model, GGUF vocabularies (llama SentencePiece, gpt2 byte-level BPE),
// Hugging Face tokenizer.json (byte-level BPE), llama2.c .bin.
#pragma once
#include <memory>
#include <string>
#include <vector>

namespace lr {

inline const std::string kSpacePiece = "\xe2\x96\x81";  // U+2581 '▁', SentencePiece's space

class Tokenizer {
 public:
  virtual ~Tokenizer() = default;
  // Token ids of `text`, without BOS/EOS.
  virtual std::vector<int> encode(const std::string& text) const = 0;
  // Text of one token (byte tokens as their byte, '▁' as a space).
  virtual std::string decode_piece(int id) const = 0;
  int vocab_size() const { return static_cast<int>(pieces_.size()); }
  int bos_id() const { return bos_; }
  int eos_id() const { return eos_; }
  const std::string& kind() const { return kind_; }
  // SHA-256 of what decides the ids: equal for the same tokenizer whatever file it came from.
  // SentencePiece: pieces in id order, '▁' for spaces, specials by role, and the text rule
  // (libsentencepiece's normaliser, or llama.cpp's un-normalised path); BPE: see BpeTokenizer.
  virtual std::string fingerprint() const;

 protected:
  std::vector<std::string> pieces_;  // '▁' form
  int bos_ = -1, eos_ = -1, unk_ = -1;
  std::string kind_;
  std::string text_rule_;  // how text is normalised before pieces are matched
};

// A piece in '▁' form as text: '▁' becomes a space.
std::string unescape_piece(const std::string& piece);

}  // namespace lr

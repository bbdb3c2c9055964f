// Score-driven pair-merging tokenizer over a piece vocabulary (llama.cpp / llama2.c style).
#pragma once
#include <array>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/tokenizer/tokenizer.h"

namespace lr {

// No Unicode normalisation is applied (as llama.cpp and llama2.c do): spaces become '▁',
// a '▁' is prepended when add_space_prefix, pairs merge by the score of the merged piece
// (leftmost first on ties), and unknown characters fall back to <0xXX> byte tokens (or, as
// llama.cpp does when a byte piece is missing, the one-character piece of that byte).
// As in llama.cpp: a piece listed twice maps to its last id, and user-defined tokens (GGUF
// token type 4) are split out of the text, longest first, before anything else; control
// tokens are never matched in text.
class SpmTokenizer : public Tokenizer {
 public:
  enum TokenType {
    kNormal = 1,
    kUnknown = 2,
    kControl = 3,
    kUserDefined = 4,
    kUnused = 5,
    kByte = 6
  };
  SpmTokenizer(std::vector<std::string> pieces, std::vector<float> scores, int bos, int eos,
               int unk, bool add_space_prefix, std::string kind, std::vector<int> types = {});
  std::vector<int> encode(const std::string& text) const override;
  std::string decode_piece(int id) const override;

 private:
  void encode_text(const std::string& text, bool prefix, std::vector<int>& out) const;
  void encode_segment(const std::string& seg, std::vector<int>& out) const;
  std::vector<float> scores_;
  std::vector<std::pair<std::string, int>> user_defined_;  // text form, longest first
  std::unordered_map<std::string, int> index_;
  std::array<int, 256> byte_ids_;
  bool add_space_prefix_;
  bool split_newlines_;  // no piece contains '\n' next to other text
};

}  // namespace lr

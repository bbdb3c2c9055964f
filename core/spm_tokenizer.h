// Score-driven pair-merging tokenizer over a piece vocabulary (llama.cpp / llama2.c style).
#pragma once
#include <array>
#include <string>
#include <unordered_map>
#include <vector>

#include "tokenizer.h"

namespace lr {

// No Unicode normalisation is applied (as llama.cpp and llama2.c do): spaces become '▁',
// a '▁' is prepended when add_space_prefix, pairs merge by the score of the merged piece
// (leftmost first on ties), and unknown characters fall back to <0xXX> byte tokens.
class SpmTokenizer : public Tokenizer {
 public:
  SpmTokenizer(std::vector<std::string> pieces, std::vector<float> scores, int bos, int eos,
               int unk, bool add_space_prefix, std::string kind);
  std::vector<int> encode(const std::string& text) const override;
  std::string decode_piece(int id) const override;

 private:
  void encode_segment(const std::string& seg, std::vector<int>& out) const;
  std::vector<float> scores_;
  std::unordered_map<std::string, int> index_;
  std::array<int, 256> byte_ids_;
  bool add_space_prefix_;
  bool split_newlines_;  // no piece contains '\n' next to other text
};

}  // namespace lr

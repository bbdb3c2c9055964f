// The tokenizer base: the vocabulary fingerprint and piece unescaping.
#include "core/tokenizer/tokenizer.h"

#include <cstring>

#include "core/util/sha256.h"

namespace lr {

std::string Tokenizer::fingerprint() const {
  Sha256 h;
  h.update("longrope-vocab-v2\n");
  h.update(text_rule_);
  h.update("\n");
  for (int i = 0; i < vocab_size(); ++i) {
    if (i == bos_)
      h.update("<BOS>");
    else if (i == eos_)
      h.update("<EOS>");
    else if (i == unk_)
      h.update("<UNK>");
    else
      h.update(pieces_[i]);
    h.update("\0", 1);
  }
  return h.hex();
}

std::string unescape_piece(const std::string& p) {
  std::string out;
  for (size_t i = 0; i < p.size();) {
    if (p.compare(i, 3, kSpacePiece) == 0) {
      out += ' ';
      i += 3;
    } else {
      out += p[i++];
    }
  }
  return out;
}

}  // namespace lr

// Pair-merging tokenizer: linked symbols + a max-heap of candidate merges.
#include "spm_tokenizer.h"

#include <cctype>
#include <queue>

#include "error.h"

namespace lr {

SpmTokenizer::SpmTokenizer(std::vector<std::string> pieces, std::vector<float> scores, int bos,
                           int eos, int unk, bool add_space_prefix, std::string kind)
    : scores_(std::move(scores)), add_space_prefix_(add_space_prefix) {
  pieces_ = std::move(pieces);
  bos_ = bos;
  eos_ = eos;
  unk_ = unk;
  kind_ = std::move(kind);
  if (scores_.size() != pieces_.size())
    fail(ErrorKind::Format, "tokenizer: scores/pieces mismatch");
  byte_ids_.fill(-1);
  split_newlines_ = true;
  for (int i = 0; i < static_cast<int>(pieces_.size()); ++i) {
    const std::string& p = pieces_[i];
    if (p.size() == 6 && p.rfind("<0x", 0) == 0 && p[5] == '>' &&
        std::isxdigit(static_cast<unsigned char>(p[3])) &&
        std::isxdigit(static_cast<unsigned char>(p[4]))) {
      byte_ids_[std::stoi(p.substr(3, 2), nullptr, 16)] = i;  // two hex digits: 0..255
      continue;
    }
    if (i == bos || i == eos || i == unk) continue;
    index_.emplace(p, i);
    if (p.size() > 1 && p.find('\n') != std::string::npos) split_newlines_ = false;
  }
}

std::string SpmTokenizer::decode_piece(int id) const {
  if (id < 0 || id >= vocab_size()) return "";
  const std::string& p = pieces_[id];
  for (int b = 0; b < 256; ++b)
    if (byte_ids_[b] == id) return std::string(1, static_cast<char>(b));
  return unescape_piece(p);
}

std::vector<int> SpmTokenizer::encode(const std::string& text) const {
  std::string norm;
  norm.reserve(text.size() + 8);
  if (add_space_prefix_ && !text.empty()) norm += kSpacePiece;
  for (char ch : text) {
    if (ch == ' ')
      norm += kSpacePiece;
    else
      norm += ch;
  }
  std::vector<int> out;
  if (!split_newlines_) {
    encode_segment(norm, out);
    return out;
  }
  size_t start = 0;  // newline-delimited segments merge independently: same result, less memory
  while (start < norm.size()) {
    size_t nl = norm.find('\n', start);
    if (nl == std::string::npos) nl = norm.size();
    if (nl > start) encode_segment(norm.substr(start, nl - start), out);
    if (nl < norm.size()) encode_segment("\n", out);
    start = nl + 1;
  }
  return out;
}

void SpmTokenizer::encode_segment(const std::string& s, std::vector<int>& out) const {
  struct Sym {
    int prev, next;
    size_t start, len;
  };
  std::vector<Sym> syms;
  for (size_t i = 0; i < s.size();) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80           ? 1
                 : (c >> 5) == 0x6  ? 2
                 : (c >> 4) == 0xe  ? 3
                 : (c >> 3) == 0x1e ? 4
                                    : 1;
    len = std::min(len, s.size() - i);
    syms.push_back({static_cast<int>(syms.size()) - 1, static_cast<int>(syms.size()) + 1, i, len});
    i += len;
  }
  if (syms.empty()) return;
  syms.back().next = -1;
  struct Bigram {
    float score;
    int left;
    size_t len;
    bool operator<(const Bigram& o) const {
      return score < o.score || (score == o.score && left > o.left);
    }
  };
  std::priority_queue<Bigram> heap;
  auto try_add = [&](int l, int r) {
    if (l < 0 || r < 0) return;
    const size_t len = syms[l].len + syms[r].len;
    auto it = index_.find(s.substr(syms[l].start, len));
    if (it != index_.end()) heap.push({scores_[it->second], l, len});
  };
  for (size_t i = 0; i + 1 < syms.size(); ++i)
    try_add(static_cast<int>(i), static_cast<int>(i) + 1);
  while (!heap.empty()) {
    const Bigram b = heap.top();
    heap.pop();
    Sym& L = syms[b.left];
    if (L.len == 0 || L.next < 0) continue;
    Sym& R = syms[L.next];
    if (L.len + R.len != b.len) continue;  // stale entry
    L.len += R.len;
    R.len = 0;
    L.next = R.next;
    if (R.next >= 0) syms[R.next].prev = b.left;
    try_add(L.prev, b.left);
    try_add(b.left, L.next);
  }
  for (int i = 0; i >= 0; i = syms[i].next) {
    const std::string piece = s.substr(syms[i].start, syms[i].len);
    auto it = index_.find(piece);
    if (it != index_.end()) {
      out.push_back(it->second);
      continue;
    }
    for (unsigned char ch : piece) {
      const int id = byte_ids_[ch] >= 0 ? byte_ids_[ch] : unk_;
      if (id < 0) fail(ErrorKind::Data, "tokenizer: character has no token and no byte fallback");
      out.push_back(id);
    }
  }
}

}  // namespace lr

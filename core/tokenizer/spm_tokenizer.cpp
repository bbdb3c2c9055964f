// Pair-merging tokenizer: linked symbols + a max-heap of candidate merges.
#include "core/tokenizer/spm_tokenizer.h"

#include <algorithm>
#include <cctype>
#include <queue>

#include "core/util/error.h"

namespace lr {

static bool is_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
}

SpmTokenizer::SpmTokenizer(std::vector<std::string> pieces, std::vector<float> scores, int bos,
                           int eos, int unk, bool add_space_prefix, std::string kind,
                           std::vector<int> types)
    : scores_(std::move(scores)), add_space_prefix_(add_space_prefix) {
  pieces_ = std::move(pieces);
  bos_ = bos;
  eos_ = eos;
  unk_ = unk;
  kind_ = std::move(kind);
  text_rule_ =
      std::string("llama.cpp spm, no normaliser, space prefix ") + (add_space_prefix ? "1" : "0");
  if (scores_.size() != pieces_.size())
    fail(ErrorKind::Format, "tokenizer: scores/pieces mismatch");
  byte_ids_.fill(-1);
  split_newlines_ = true;
  for (int i = 0; i < static_cast<int>(pieces_.size()); ++i) {
    const std::string& p = pieces_[i];
    const int type = types.empty() ? kNormal : types[i];
    if (p.size() == 6 && p.rfind("<0x", 0) == 0 && p[5] == '>' && is_hex(p[3]) && is_hex(p[4])) {
      byte_ids_[std::stoi(p.substr(3, 2), nullptr, 16)] = i;
      continue;
    }
    if (i == bos || i == eos || i == unk || type == kControl || type == kUnused) continue;
    if (type == kUserDefined) user_defined_.push_back({unescape_piece(p), i});
    index_[p] = i;  // a duplicated piece maps to its last id, as llama.cpp's token_to_id
    if (p.size() > 1 && p.find('\n') != std::string::npos) split_newlines_ = false;
  }
  // llama.cpp's byte fallback when a <0xXX> piece is missing: the one-character piece.
  for (int b = 0; b < 256; ++b) {
    if (byte_ids_[b] >= 0) continue;
    auto it = index_.find(std::string(1, static_cast<char>(b)));
    if (it != index_.end()) byte_ids_[b] = it->second;
  }
  std::stable_sort(user_defined_.begin(), user_defined_.end(),
                   [](const auto& a, const auto& b) { return a.first.size() > b.first.size(); });
  if (!user_defined_.empty() && user_defined_.back().first.empty()) user_defined_.pop_back();
}

std::string SpmTokenizer::decode_piece(int id) const {
  if (id < 0 || id >= vocab_size()) return "";
  const std::string& p = pieces_[id];
  for (int b = 0; b < 256; ++b)
    if (byte_ids_[b] == id) return std::string(1, static_cast<char>(b));
  return unescape_piece(p);
}

std::vector<int> SpmTokenizer::encode(const std::string& text) const {
  std::vector<int> out;
  // Split out user-defined tokens (longest match first at each position). As llama.cpp does,
  // each text fragment that starts the input or follows such a token gets the space prefix.
  size_t start = 0, i = 0;
  bool after_token = true;
  while (i < text.size() && !user_defined_.empty()) {
    const std::pair<std::string, int>* hit = nullptr;
    for (const auto& u : user_defined_)
      if (text.compare(i, u.first.size(), u.first) == 0) {
        hit = &u;
        break;
      }
    if (!hit) {
      ++i;
      continue;
    }
    if (i > start) encode_text(text.substr(start, i - start), after_token, out);
    out.push_back(hit->second);
    i += hit->first.size();
    start = i;
    after_token = true;
  }
  if (start < text.size()) encode_text(text.substr(start), after_token, out);
  return out;
}

void SpmTokenizer::encode_text(const std::string& text, bool prefix, std::vector<int>& out) const {
  std::string norm;
  norm.reserve(text.size() + 8);
  if (prefix && add_space_prefix_ && !text.empty()) norm += kSpacePiece;
  for (char ch : text) {
    if (ch == ' ')
      norm += kSpacePiece;
    else
      norm += ch;
  }
  if (!split_newlines_) {
    encode_segment(norm, out);
    return;
  }
  size_t start = 0;  // newline-delimited segments merge independently: same result, less memory
  while (start < norm.size()) {
    size_t nl = norm.find('\n', start);
    if (nl == std::string::npos) nl = norm.size();
    if (nl > start) encode_segment(norm.substr(start, nl - start), out);
    if (nl < norm.size()) encode_segment("\n", out);
    start = nl + 1;
  }
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

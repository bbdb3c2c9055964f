// Byte-level BPE: special-token partition, pre-tokenization, ranked merges with a min-heap.
#include "core/tokenizer/bpe_tokenizer.h"

#include <algorithm>
#include <queue>

#include "core/util/error.h"
#include "core/util/sha256.h"

namespace lr {

namespace {

std::string utf8(uint32_t cp) {
  std::string s;
  if (cp < 0x80) {
    s += static_cast<char>(cp);
  } else {  // GPT-2's mapping only reaches U+0143
    s += static_cast<char>(0xc0 | (cp >> 6));
    s += static_cast<char>(0x80 | (cp & 0x3f));
  }
  return s;
}

// bytes_to_unicode(): printable Latin-1 bytes stand for themselves, the other 68 bytes take
// U+0100.. in byte order.
const std::array<std::string, 256>& byte_chars() {
  static const std::array<std::string, 256> t = [] {
    std::array<std::string, 256> a;
    int n = 0;
    for (int b = 0; b < 256; ++b) {
      const bool printable = (b >= 0x21 && b <= 0x7e) || (b >= 0xa1 && b <= 0xac) || b >= 0xae;
      a[b] = utf8(printable ? b : 256 + n++);
    }
    return a;
  }();
  return t;
}

const std::unordered_map<std::string, uint8_t>& char_bytes() {
  static const std::unordered_map<std::string, uint8_t> m = [] {
    std::unordered_map<std::string, uint8_t> r;
    for (int b = 0; b < 256; ++b) r.emplace(byte_chars()[b], static_cast<uint8_t>(b));
    return r;
  }();
  return m;
}

uint64_t pair_key(int a, int b) {
  return (static_cast<uint64_t>(static_cast<uint32_t>(a)) << 32) | static_cast<uint32_t>(b);
}

}  // namespace

const std::string& byte_to_piece_char(uint8_t b) { return byte_chars()[b]; }

struct BpeTokenizer::Scratch {
  struct Sym {
    int id, prev, next;
    uint8_t byte;  // the first byte (for symbols that are no token)
  };
  struct Cand {
    int rank, left, lid, rid, merged;
    bool operator<(const Cand& o) const {  // std::priority_queue pops the largest
      return rank > o.rank || (rank == o.rank && left > o.left);
    }
  };
  std::vector<Sym> syms;
  std::vector<Cand> heap;
  std::string encoded;
};

BpeTokenizer::BpeTokenizer(BpeVocab v, std::string kind, const std::string& source) {
  const int n = static_cast<int>(v.pieces.size());
  if (n == 0) fail(ErrorKind::Format, source + ": empty vocabulary");
  if (static_cast<int>(v.types.size()) != n)
    fail(ErrorKind::Format, source + ": " + std::to_string(v.types.size()) + " token types for " +
                                std::to_string(n) + " tokens");
  pieces_ = std::move(v.pieces);
  types_ = std::move(v.types);
  auto in_range = [n](int id) { return id >= 0 && id < n ? id : -1; };
  bos_ = in_range(v.bos);
  eos_ = in_range(v.eos);
  unk_ = in_range(v.unk);
  kind_ = std::move(kind);
  add_bos_ = v.add_bos && bos_ >= 0;
  ignore_merges_ = v.pre.ignore_merges;
  pre_name_ = v.pre.name;
  for (int i = 0; i < n; ++i) index_[pieces_[i]] = i;
  byte_ids_.fill(-1);
  for (int b = 0; b < 256; ++b) {
    auto it = index_.find(byte_chars()[b]);
    if (it != index_.end()) byte_ids_[b] = it->second;
  }
  // A merge whose parts or result are no token cannot apply (Hugging Face refuses such files).
  ranks_.reserve(v.merges.size());
  for (size_t r = 0; r < v.merges.size(); ++r) {
    const auto& [a, b] = v.merges[r];
    auto ia = index_.find(a), ib = index_.find(b), im = index_.find(a + b);
    if (ia == index_.end() || ib == index_.end() || im == index_.end()) continue;
    ranks_.emplace(pair_key(ia->second, ib->second),
                   std::make_pair(static_cast<int>(r), im->second));
  }
  for (int i = 0; i < n; ++i)
    if (types_[i] == kTokenUserDefined && !pieces_[i].empty()) split_out_.push_back(i);
  std::stable_sort(split_out_.begin(), split_out_.end(),
                   [&](int a, int b) { return pieces_[a].size() > pieces_[b].size(); });
  pre_ = std::make_unique<PreTokenizer>(v.pre);

  Sha256 h;
  h.update("longrope-bpe-v1\n");
  for (int i = 0; i < n; ++i) {
    // Token classes as they act on encode(): split out (user-defined), never produced from
    // text (control, unknown), ordinary.
    const int t = types_[i];
    h.update(t == kTokenUserDefined ? "u" : (t == kTokenControl || t == kTokenUnknown) ? "c" : "n");
    h.update(pieces_[i]);
    h.update("\0", 1);
  }
  h.update("merges\n");
  for (const auto& [a, b] : v.merges) {
    h.update(a);
    h.update("\0", 1);
    h.update(b);
    h.update("\0", 1);
  }
  h.update(ignore_merges_ ? "pre ignore_merges\n" : "pre\n");
  for (const auto& re : v.pre.regexes) {
    h.update(re);
    h.update("\0", 1);
  }
  fingerprint_ = h.hex();
}

BpeTokenizer::~BpeTokenizer() = default;

std::string BpeTokenizer::fingerprint() const { return fingerprint_; }

std::string BpeTokenizer::decode_piece(int id) const {
  if (id < 0 || id >= vocab_size()) return "";
  const std::string& p = pieces_[id];
  const int t = types_[id];
  if (t == kTokenControl || t == kTokenUserDefined || t == kTokenUnknown) return p;
  std::string out;
  for (size_t i = 0; i < p.size();) {
    const unsigned char c = p[i];
    const size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
    const std::string ch = p.substr(i, len);
    auto it = char_bytes().find(ch);
    if (it != char_bytes().end())
      out += static_cast<char>(it->second);
    else
      out += ch;
    i += len;
  }
  return out;
}

void BpeTokenizer::encode_word(std::string_view word, Scratch& s, std::vector<int>& out) const {
  if (ignore_merges_) {
    s.encoded.clear();
    for (unsigned char c : word) s.encoded += byte_chars()[c];
    auto it = index_.find(s.encoded);
    if (it != index_.end()) {
      out.push_back(it->second);
      return;
    }
  }
  const int n = static_cast<int>(word.size());
  s.syms.resize(n);
  for (int i = 0; i < n; ++i) {
    const auto b = static_cast<uint8_t>(word[i]);
    s.syms[i] = {byte_ids_[b], i - 1, i + 1 < n ? i + 1 : -1, b};
  }
  s.heap.clear();
  auto push = [&](int l, int r) {
    if (l < 0 || r < 0 || s.syms[l].id < 0 || s.syms[r].id < 0) return;
    auto it = ranks_.find(pair_key(s.syms[l].id, s.syms[r].id));
    if (it == ranks_.end()) return;
    s.heap.push_back({it->second.first, l, s.syms[l].id, s.syms[r].id, it->second.second});
    std::push_heap(s.heap.begin(), s.heap.end());
  };
  for (int i = 0; i + 1 < n; ++i) push(i, i + 1);
  while (!s.heap.empty()) {
    std::pop_heap(s.heap.begin(), s.heap.end());
    const Scratch::Cand c = s.heap.back();
    s.heap.pop_back();
    auto& L = s.syms[c.left];
    if (L.id != c.lid || L.next < 0 || s.syms[L.next].id != c.rid) continue;  // stale
    const int r = L.next;
    L.id = c.merged;
    L.next = s.syms[r].next;
    s.syms[r].id = -2;  // merged away
    if (L.next >= 0) s.syms[L.next].prev = c.left;
    push(L.prev, c.left);
    push(c.left, L.next);
  }
  for (int i = 0; i >= 0 && i < n; i = s.syms[i].next) {
    if (s.syms[i].id >= 0) {
      out.push_back(s.syms[i].id);
      continue;
    }
    // A byte whose character is no token: llama.cpp tries the character's single bytes.
    for (char ch : byte_chars()[s.syms[i].byte]) {
      auto it = index_.find(std::string(1, ch));
      if (it != index_.end()) out.push_back(it->second);
    }
  }
}

std::vector<int> BpeTokenizer::encode(const std::string& text) const {
  struct Frag {
    size_t off, len;
    int id;  // >= 0: a split-out token
  };
  std::vector<Frag> frags, next;
  if (!text.empty()) frags.push_back({0, text.size(), -1});
  const std::string_view all(text);
  for (int sid : split_out_) {
    const std::string& tok = pieces_[sid];
    if (all.find(tok) == std::string_view::npos) continue;
    next.clear();
    for (const Frag& f : frags) {
      if (f.id >= 0) {
        next.push_back(f);
        continue;
      }
      const size_t end = f.off + f.len;
      size_t pos = f.off;
      for (size_t m; (m = all.substr(0, end).find(tok, pos)) != std::string_view::npos;) {
        if (m > pos) next.push_back({pos, m - pos, -1});
        next.push_back({m, tok.size(), sid});
        pos = m + tok.size();
      }
      if (pos < end) next.push_back({pos, end - pos, -1});
    }
    frags.swap(next);
  }
  std::vector<int> out;
  out.reserve(text.size() / 3);
  Scratch scratch;
  for (const Frag& f : frags) {
    if (f.id >= 0) {
      out.push_back(f.id);
      continue;
    }
    const std::string clean = sanitize_utf8(all.substr(f.off, f.len));
    for (std::string_view word : pre_->split(clean)) encode_word(word, scratch, out);
  }
  return out;
}

}  // namespace lr

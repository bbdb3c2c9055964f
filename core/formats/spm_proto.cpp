// Serialized SentencePiece ModelProto fields and the precompiled charsmap check (see header).
#include "core/formats/spm_proto.h"

#include <cstdint>
#include <cstring>

#include "core/util/error.h"

namespace lr {

std::vector<std::string> proto_fields(const std::string& msg, int field) {
  std::vector<std::string> out;
  size_t i = 0;
  auto varint = [&](uint64_t& v) {
    v = 0;
    for (int shift = 0; i < msg.size() && shift < 64; shift += 7) {
      const auto b = static_cast<unsigned char>(msg[i++]);
      v |= static_cast<uint64_t>(b & 0x7f) << shift;
      if (!(b & 0x80)) return true;
    }
    return false;
  };
  while (i < msg.size()) {
    uint64_t key = 0, v = 0;
    if (!varint(key)) break;
    const int wire = static_cast<int>(key & 7);
    if (wire == 0) {
      if (!varint(v)) break;
    } else if (wire == 1 || wire == 5) {
      const size_t n = wire == 1 ? 8 : 4;
      if (n > msg.size() - i) break;
      i += n;
    } else if (wire == 2) {
      if (!varint(v) || v > msg.size() - i) break;
      if (static_cast<int>(key >> 3) == field) out.push_back(msg.substr(i, v));
      i += v;
    } else {
      break;
    }
  }
  return out;
}

namespace {

// darts-clone's double-array unit (darts.h): label, leaf flag, child offset, value.
uint32_t label(uint32_t u) { return u & ((1U << 31) | 0xFFU); }
bool has_leaf(uint32_t u) { return (u >> 8) & 1U; }
uint32_t offset(uint32_t u) { return (u >> 10) << ((u & (1U << 9)) >> 6); }
uint32_t value(uint32_t u) { return u & ((1U << 31) - 1); }

void check_charsmap(const std::string& blob, const std::string& path) {
  if (blob.empty()) return;  // no map: the library normalises without one
  auto bad = [&](const std::string& what) {
    fail(ErrorKind::Format, path + ": corrupt SentencePiece precompiled_charsmap (" + what + ")");
  };
  uint32_t trie_bytes = 0;
  if (blob.size() < 4) bad("shorter than its header");
  std::memcpy(&trie_bytes, blob.data(), 4);  // little-endian, as the library reads it
  if (trie_bytes == 0 || trie_bytes % 4 != 0 || trie_bytes >= blob.size() - 4)
    bad("trie size " + std::to_string(trie_bytes) + " for a map of " + std::to_string(blob.size()) +
        " bytes");
  const size_t n = trie_bytes / 4;
  std::vector<uint32_t> unit(n);
  std::memcpy(unit.data(), blob.data() + 4, trie_bytes);
  const size_t strings = blob.size() - 4 - trie_bytes;
  if (blob.back() != '\0') bad("string table not NUL-terminated");
  // Every node a prefix search can reach: the search reads unit[node ^ c] for the next byte c
  // (any of 256), follows it when its label is c, and reads the value at the child when the
  // unit has a leaf.
  std::vector<char> seen(n, 0);
  std::vector<uint32_t> todo = {offset(unit[0])};
  while (!todo.empty()) {
    const uint32_t node = todo.back();
    todo.pop_back();
    if ((node | 0xFFU) >= n) bad("a node's children lie outside the trie");
    if (seen[node]) continue;
    seen[node] = 1;
    for (uint32_t c = 0; c < 256; ++c) {
      const uint32_t p = node ^ c;
      if (label(unit[p]) != c) continue;
      const uint32_t child = p ^ offset(unit[p]);
      if (has_leaf(unit[p])) {
        if (child >= n) bad("a value lies outside the trie");
        if (value(unit[child]) >= strings) bad("a value points past the string table");
      }
      todo.push_back(child);
    }
  }
}

}  // namespace

void check_spm_charsmaps(const std::string& proto, const std::string& path) {
  for (int spec : {3, 5})  // normalizer_spec, denormalizer_spec
    for (const auto& s : proto_fields(proto, spec))
      for (const auto& map : proto_fields(s, 2)) check_charsmap(map, path);  // precompiled_charsmap
}

}  // namespace lr

// The precompiled-charsmap check: real SentencePiece models pass, corrupt maps are refused
// before libsentencepiece reads outside them.
#include <cstring>

#include "core/formats/spm_proto.h"
#include "core/util/error.h"
#include "core/util/mapped_file.h"
#include "tests/unit/test_util.h"

namespace lr {
namespace {

// Rebuilds `proto` with the first normalizer spec's charsmap replaced by `map`.
std::string with_charsmap(const std::string& proto, const std::string& map) {
  auto key_len = [](int field, size_t len) {
    std::string s(1, static_cast<char>(field << 3 | 2));
    for (size_t v = len;; v >>= 7) {
      s += static_cast<char>((v & 0x7f) | (v >= 0x80 ? 0x80 : 0));
      if (v < 0x80) break;
    }
    return s;
  };
  const std::string spec = key_len(2, map.size()) + map;
  return proto + key_len(3, spec.size()) + spec;  // a later occurrence: protobuf merges it
}

TEST(SpmProto, RealCharsmapsPassCorruptOnesAreRefused) {
  REQUIRE_SHARED("models/fixture-llama-5m/tokenizer.model");
  const std::string path = test::shared("models/fixture-llama-5m/tokenizer.model");
  const std::string proto = read_text_file(path);
  const auto specs = proto_fields(proto, 3);
  ASSERT_EQ(specs.size(), 1u);
  const auto maps = proto_fields(specs[0], 2);
  ASSERT_EQ(maps.size(), 1u);
  const std::string map = maps[0];
  ASSERT_GT(map.size(), 1000u);  // a real trie + string table, so the walk is exercised
  EXPECT_NO_THROW(check_spm_charsmaps(proto, path));
  EXPECT_NO_THROW(check_spm_charsmaps(with_charsmap(proto, map), path));
  EXPECT_NO_THROW(check_spm_charsmaps(with_charsmap(proto, ""), path));  // no map

  uint32_t trie = 0;
  std::memcpy(&trie, map.data(), 4);
  auto refused = [&](const std::string& m, const char* what) {
    try {
      check_spm_charsmaps(with_charsmap(proto, m), path);
      ADD_FAILURE() << "accepted: " << what;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), ErrorKind::Format) << what;
      EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << what;
    }
  };
  std::string m = map;
  m.back() = 'x';
  refused(m, "string table without its NUL");
  m = map;
  const uint32_t huge = trie + 8;
  std::memcpy(m.data(), &huge, 4);
  refused(m, "trie size past the strings");
  refused(map.substr(0, 3), "shorter than the header");
  // Every unit's offset bits set: the root's children lie far outside the trie.
  m = map;
  for (size_t u = 4; u + 4 <= 4 + trie; u += 4) {
    uint32_t v = 0;
    std::memcpy(&v, m.data() + u, 4);
    v |= 0xFFFFFC00U & ~(1U << 31);
    std::memcpy(m.data() + u, &v, 4);
  }
  refused(m, "offsets outside the trie");
}

TEST(SpmProto, FuzzedModelIsRefusedWithOneError) {
  const std::string path = std::string(LONGROPE_SOURCE_DIR) +
                           "/tests/fuzz/regressions/spm/charsmap-value-past-strings.model";
  EXPECT_THROW(check_spm_charsmaps(read_text_file(path), path), Error);
}

}  // namespace
}  // namespace lr

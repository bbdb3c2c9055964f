// HDF5 reading and writing of shards (schema in datasets/README.md).
#include <cstdint>

#include "core/util/error.h"
#include "datasets/h5util.h"
#include "datasets/shard.h"
#include "longrope/version.h"

namespace lr {

namespace {
constexpr int kShardFormat = 1;
}

void write_shard(const std::string& path, const Shard& s) {
  h5::write_atomically(path, [&](hid_t f) {
    h5::write_vec(f, "tokens", H5T_NATIVE_INT32, H5T_STD_I32LE, s.tokens);
    h5::write_vec(f, "doc_offsets", H5T_NATIVE_INT64, H5T_STD_I64LE, s.offsets);
    h5::write_strings(f, "doc_names", s.names);
    h5::write_strings(f, "doc_sha256", s.sources_sha256);
    h5::write_attr_int(f, "format_version", kShardFormat);
    h5::write_attr(f, "kind", "longrope-shard");
    h5::write_attr(f, "tokenizer_fingerprint", s.tokenizer_fingerprint);
    h5::write_attr(f, "tokenizer_kind", s.tokenizer_kind);
    h5::write_attr(f, "tokenizer_source", s.tokenizer_source);
    h5::write_attr_int(f, "vocab_size", s.vocab_size);
    h5::write_attr(f, "created_by", std::string("longrope ") + kVersion + " (" + kGitSha + ")");
  });
}

namespace {
Shard read_shard_here(const std::string& path) {
  h5::Handle f{h5::open_read(path), H5Fclose};
  if (!h5::has_attr(f.id, "kind") || h5::read_attr(f.id, "kind", path) != "longrope-shard")
    fail(ErrorKind::Format, path + ": not a longrope shard");
  const long long ver = h5::read_attr_int(f.id, "format_version", path);
  if (ver != kShardFormat)
    fail(ErrorKind::Unsupported, path + ": shard format " + std::to_string(ver) + " unsupported");
  Shard s;
  s.tokenizer_fingerprint = h5::read_attr(f.id, "tokenizer_fingerprint", path);
  s.tokenizer_kind = h5::read_attr(f.id, "tokenizer_kind", path);
  s.tokenizer_source = h5::read_attr(f.id, "tokenizer_source", path);
  const long long vocab = h5::read_attr_int(f.id, "vocab_size", path);
  if (vocab <= 0 || vocab > INT32_MAX) fail(ErrorKind::Format, path + ": bad vocab_size");
  s.vocab_size = static_cast<int>(vocab);
  std::vector<hsize_t> dt, doff;
  s.tokens = h5::read_vec<int32_t>(f.id, "tokens", H5T_NATIVE_INT32, path, &dt);
  s.offsets = h5::read_vec<int64_t>(f.id, "doc_offsets", H5T_NATIVE_INT64, path, &doff);
  if (dt.size() != 1 || doff.size() != 1)
    fail(ErrorKind::Format, path + ": tokens and doc_offsets must be 1-D");
  s.names = h5::read_strings(f.id, "doc_names", path);
  s.sources_sha256 = h5::read_strings(f.id, "doc_sha256", path);
  const bool ok = s.offsets.size() == s.names.size() + 1 && !s.offsets.empty() &&
                  s.offsets.front() == 0 &&
                  s.offsets.back() == static_cast<int64_t>(s.tokens.size());
  if (!ok) fail(ErrorKind::Format, path + ": shard offsets are inconsistent (corrupt file)");
  for (size_t i = 0; i + 1 < s.offsets.size(); ++i)
    if (s.offsets[i] > s.offsets[i + 1]) fail(ErrorKind::Format, path + ": offsets not sorted");
  if (s.sources_sha256.size() != s.names.size())
    fail(ErrorKind::Format, path + ": doc_sha256 and doc_names differ in length (corrupt file)");
  if (s.vocab_size <= 0) fail(ErrorKind::Format, path + ": vocab_size must be > 0");
  for (size_t i = 0; i < s.tokens.size(); ++i)  // ids index embedding rows later
    if (s.tokens[i] < 0 || s.tokens[i] >= s.vocab_size)
      fail(ErrorKind::Format, path + ": token " + std::to_string(i) + " = " +
                                  std::to_string(s.tokens[i]) + " is outside the vocabulary (" +
                                  std::to_string(s.vocab_size) + "): corrupt file");
  return s;
}
}  // namespace

Shard read_shard(const std::string& path) {
  h5::check_isolated(path, [&] { read_shard_here(path); });
  return read_shard_here(path);
}

}  // namespace lr

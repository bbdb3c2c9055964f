// HDF5 reading and writing of shards (the only HDF5 code besides the search archive).
#include <hdf5.h>

#include <cstdio>
#include <filesystem>

#include "error.h"
#include "longrope/version.h"
#include "shard.h"

namespace lr {

namespace {

constexpr int kShardFormat = 1;

struct H {  // closes an HDF5 handle with the matching function
  hid_t id;
  herr_t (*close)(hid_t);
  ~H() {
    if (id >= 0) close(id);
  }
};

hid_t check(hid_t id, const std::string& what) {
  if (id < 0) fail(ErrorKind::Io, "HDF5: " + what);
  return id;
}

hid_t vlen_str() {
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, H5T_VARIABLE);
  H5Tset_cset(t, H5T_CSET_UTF8);
  return t;
}

template <typename T>
void write_array(hid_t file, const char* name, hid_t mem_type, hid_t file_type,
                 const std::vector<T>& v) {
  hsize_t dims[1] = {v.size()};
  H sp{check(H5Screate_simple(1, dims, nullptr), "dataspace"), H5Sclose};
  H ds{check(H5Dcreate2(file, name, file_type, sp.id, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT),
             std::string("create ") + name),
       H5Dclose};
  if (!v.empty() && H5Dwrite(ds.id, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) < 0)
    fail(ErrorKind::Io, std::string("HDF5: write ") + name);
}

void write_strings(hid_t file, const char* name, const std::vector<std::string>& v) {
  std::vector<const char*> ptrs;
  for (const auto& s : v) ptrs.push_back(s.c_str());
  H t{vlen_str(), H5Tclose};
  write_array(file, name, t.id, t.id, ptrs);
}

void write_attr(hid_t obj, const char* name, const std::string& value) {
  H t{vlen_str(), H5Tclose};
  H sp{H5Screate(H5S_SCALAR), H5Sclose};
  H a{check(H5Acreate2(obj, name, t.id, sp.id, H5P_DEFAULT, H5P_DEFAULT), "attribute"), H5Aclose};
  const char* p = value.c_str();
  H5Awrite(a.id, t.id, &p);
}

void write_attr_int(hid_t obj, const char* name, long long value) {
  H sp{H5Screate(H5S_SCALAR), H5Sclose};
  H a{check(H5Acreate2(obj, name, H5T_STD_I64LE, sp.id, H5P_DEFAULT, H5P_DEFAULT), "attribute"),
      H5Aclose};
  H5Awrite(a.id, H5T_NATIVE_LLONG, &value);
}

std::string read_attr(hid_t obj, const char* name, const std::string& path) {
  if (H5Aexists(obj, name) <= 0)
    fail(ErrorKind::Format, path + ": not a shard (no '" + name + "')");
  H a{H5Aopen(obj, name, H5P_DEFAULT), H5Aclose};
  H t{vlen_str(), H5Tclose};
  char* p = nullptr;
  if (H5Aread(a.id, t.id, &p) < 0) fail(ErrorKind::Format, path + ": bad attribute " + name);
  std::string s = p ? p : "";
  H5free_memory(p);
  return s;
}

long long read_attr_int(hid_t obj, const char* name, const std::string& path) {
  if (H5Aexists(obj, name) <= 0)
    fail(ErrorKind::Format, path + ": not a shard (no '" + name + "')");
  H a{H5Aopen(obj, name, H5P_DEFAULT), H5Aclose};
  long long v = 0;
  H5Aread(a.id, H5T_NATIVE_LLONG, &v);
  return v;
}

hsize_t dataset_len(hid_t ds) {
  H sp{H5Dget_space(ds), H5Sclose};
  hsize_t dims[1] = {0};
  if (H5Sget_simple_extent_ndims(sp.id) != 1) return 0;
  H5Sget_simple_extent_dims(sp.id, dims, nullptr);
  return dims[0];
}

template <typename T>
std::vector<T> read_array(hid_t file, const char* name, hid_t mem_type, const std::string& path) {
  if (H5Lexists(file, name, H5P_DEFAULT) <= 0)
    fail(ErrorKind::Format, path + ": not a shard (no dataset '" + name + "')");
  H ds{H5Dopen2(file, name, H5P_DEFAULT), H5Dclose};
  std::vector<T> v(dataset_len(ds.id));
  if (!v.empty() && H5Dread(ds.id, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()) < 0)
    fail(ErrorKind::Format, path + ": cannot read '" + name + "'");
  return v;
}

std::vector<std::string> read_strings(hid_t file, const char* name, const std::string& path) {
  H t{vlen_str(), H5Tclose};
  auto ptrs = read_array<char*>(file, name, t.id, path);
  std::vector<std::string> out;
  for (char* p : ptrs) {
    out.emplace_back(p ? p : "");
    H5free_memory(p);
  }
  return out;
}

}  // namespace

void write_shard(const std::string& path, const Shard& s) {
  const std::string tmp = path + ".tmp";
  {
    H f{check(H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT),
              "cannot create '" + tmp + "'"),
        H5Fclose};
    write_array(f.id, "tokens", H5T_NATIVE_INT32, H5T_STD_I32LE, s.tokens);
    write_array(f.id, "doc_offsets", H5T_NATIVE_INT64, H5T_STD_I64LE, s.offsets);
    write_strings(f.id, "doc_names", s.names);
    write_strings(f.id, "doc_sha256", s.sources_sha256);
    H root{H5Gopen2(f.id, "/", H5P_DEFAULT), H5Gclose};
    write_attr_int(root.id, "format_version", kShardFormat);
    write_attr(root.id, "kind", "longrope-shard");
    write_attr(root.id, "tokenizer_fingerprint", s.tokenizer_fingerprint);
    write_attr(root.id, "tokenizer_kind", s.tokenizer_kind);
    write_attr(root.id, "tokenizer_source", s.tokenizer_source);
    write_attr_int(root.id, "vocab_size", s.vocab_size);
    write_attr(root.id, "created_by", std::string("longrope ") + kVersion + " (" + kGitSha + ")");
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) fail(ErrorKind::Io, "cannot move '" + tmp + "' to '" + path + "': " + ec.message());
}

Shard read_shard(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    fail(ErrorKind::Io, "shard '" + path + "' does not exist");
  H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr);  // we report errors ourselves
  if (H5Fis_hdf5(path.c_str()) <= 0) fail(ErrorKind::Format, path + ": not an HDF5 file");
  H f{check(H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT), "cannot open '" + path + "'"),
      H5Fclose};
  H root{H5Gopen2(f.id, "/", H5P_DEFAULT), H5Gclose};
  Shard s;
  if (read_attr(root.id, "kind", path) != "longrope-shard")
    fail(ErrorKind::Format, path + ": not a longrope shard");
  const long long ver = read_attr_int(root.id, "format_version", path);
  if (ver != kShardFormat)
    fail(ErrorKind::Unsupported, path + ": shard format " + std::to_string(ver) + " unsupported");
  s.tokenizer_fingerprint = read_attr(root.id, "tokenizer_fingerprint", path);
  s.tokenizer_kind = read_attr(root.id, "tokenizer_kind", path);
  s.tokenizer_source = read_attr(root.id, "tokenizer_source", path);
  s.vocab_size = static_cast<int>(read_attr_int(root.id, "vocab_size", path));
  s.tokens = read_array<int32_t>(f.id, "tokens", H5T_NATIVE_INT32, path);
  s.offsets = read_array<int64_t>(f.id, "doc_offsets", H5T_NATIVE_INT64, path);
  s.names = read_strings(f.id, "doc_names", path);
  s.sources_sha256 = read_strings(f.id, "doc_sha256", path);
  const bool ok = s.offsets.size() == s.names.size() + 1 && !s.offsets.empty() &&
                  s.offsets.front() == 0 &&
                  s.offsets.back() == static_cast<int64_t>(s.tokens.size());
  if (!ok) fail(ErrorKind::Format, path + ": shard offsets are inconsistent (corrupt file)");
  for (size_t i = 0; i + 1 < s.offsets.size(); ++i)
    if (s.offsets[i] > s.offsets[i + 1]) fail(ErrorKind::Format, path + ": offsets not sorted");
  return s;
}

}  // namespace lr

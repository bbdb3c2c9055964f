// GGUF rewrite: new header, old data section verbatim (offsets are relative), new tensors last.
#include "core/formats/gguf_rewrite.h"

#include <cstring>
#include <filesystem>
#include <map>

#include "core/util/atomic_file.h"
#include "core/util/error.h"

namespace fs = std::filesystem;

namespace lr {

void rewrite_gguf(const GgufFile& src, const GgufEdits& edits, const std::string& out) {
  std::error_code ec;
  if (fs::exists(out, ec) && fs::equivalent(out, src.path(), ec))
    fail(ErrorKind::InvalidArgument, out + ": the output would overwrite the source GGUF");
  std::map<std::string, const GgufValue*> set;
  for (const auto& [k, v] : edits.set) {
    if (k == "general.alignment")
      fail(ErrorKind::InvalidArgument, "rewrite cannot change general.alignment");
    set[k] = &v;
  }
  std::map<std::string, const GgufTensorData*> replace;
  for (const auto& t : edits.tensors) {
    gguf::check_tensor(t);
    if (!t.data)  // a fill function is for GgufWriter only
      fail(ErrorKind::InvalidArgument, "GGUF tensor '" + t.name + "' has no bytes to rewrite");
    replace[t.name] = &t;
  }
  const uint8_t* base = src.map()->data();
  const uint64_t align = src.alignment();
  const uint64_t old_data = src.map()->size() - src.data_offset();
  const uint64_t new_base = gguf::align_up(old_data, align);

  // Metadata: source records in order (edited ones re-encoded), then the added keys.
  std::string kvs;
  uint64_t n_kv = 0;
  for (const auto& s : src.kv_spans()) {
    auto it = set.find(s.key);
    if (it != set.end()) {
      kvs += gguf::encode_kv(s.key, *it->second);
      set.erase(it);
    } else {
      kvs.append(reinterpret_cast<const char*>(base + s.begin), s.end - s.begin);
    }
    ++n_kv;
  }
  for (const auto& [k, v] : edits.set)
    if (set.count(k)) {
      kvs += gguf::encode_kv(k, v);
      set.erase(k);
      ++n_kv;
    }

  // Tensor directory: source records (replaced ones point to their new bytes), then new ones.
  std::string infos;
  uint64_t n_tensors = 0, offset = new_base;
  std::vector<const GgufTensorData*> appended;
  for (const auto& ti : src.tensor_infos()) {
    auto it = replace.find(ti.name);
    if (it != replace.end()) {
      infos += gguf::encode_tensor_info(*it->second, offset);
      appended.push_back(it->second);
      offset = gguf::align_up(offset + it->second->nbytes, align);
      replace.erase(it);
    } else {
      infos.append(reinterpret_cast<const char*>(base + ti.begin), ti.end - ti.begin);
    }
    ++n_tensors;
  }
  for (const auto& t : edits.tensors)
    if (replace.count(t.name)) {
      infos += gguf::encode_tensor_info(t, offset);
      appended.push_back(&t);
      offset = gguf::align_up(offset + t.nbytes, align);
      replace.erase(t.name);
      ++n_tensors;
    }

  std::string head(base, base + 8);  // magic and the source's version
  head.append(reinterpret_cast<const char*>(&n_tensors), 8);
  head.append(reinterpret_cast<const char*>(&n_kv), 8);
  head += kvs;
  head += infos;
  head.resize(gguf::align_up(head.size(), align), '\0');

  AtomicFile f(out);  // removed unless committed
  f.write(head.data(), head.size());
  f.write(base + src.data_offset(), old_data);
  const std::string zeros(align, '\0');
  f.write(zeros.data(), new_base - old_data);
  for (const auto* t : appended) {
    f.write(t->data, t->nbytes);
    f.write(zeros.data(), gguf::align_up(t->nbytes, align) - t->nbytes);
  }
  f.commit();
}

}  // namespace lr

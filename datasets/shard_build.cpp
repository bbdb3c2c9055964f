// Building a shard: collect text files, tokenize them in parallel, hash the sources.
#include <algorithm>
#include <filesystem>
#include <iostream>

#include "core/tokenizer/tokenizer.h"
#include "core/util/error.h"
#include "core/util/mapped_file.h"
#include "core/util/sha256.h"
#include "datasets/shard.h"

namespace fs = std::filesystem;

namespace lr {

static std::vector<std::string> collect(const std::vector<std::string>& inputs) {
  std::vector<std::string> files;
  for (const auto& in : inputs) {
    std::error_code ec;
    if (!fs::exists(in, ec)) fail(ErrorKind::Io, "input '" + in + "' does not exist");
    if (fs::is_directory(in, ec)) {
      std::vector<std::string> here;
      for (const auto& e : fs::recursive_directory_iterator(in, ec))
        if (e.is_regular_file()) here.push_back(e.path().string());
      std::sort(here.begin(), here.end());
      files.insert(files.end(), here.begin(), here.end());
    } else {
      files.push_back(in);
    }
  }
  if (files.empty()) fail(ErrorKind::Data, "no input files found");
  return files;
}

Shard build_shard(const Tokenizer& tok, const std::string& tokenizer_source,
                  const std::vector<std::string>& inputs, int min_tokens, bool quiet) {
  const auto files = collect(inputs);
  std::vector<std::vector<int>> ids(files.size());
  std::vector<std::string> hashes(files.size());
#pragma omp parallel for schedule(dynamic, 1)
  for (size_t i = 0; i < files.size(); ++i) {
    const std::string text = read_text_file(files[i]);
    hashes[i] = sha256_hex(text);
    ids[i] = tok.encode(text);
  }
  Shard s;
  s.tokenizer_fingerprint = tok.fingerprint();
  s.tokenizer_kind = tok.kind();
  s.tokenizer_source = tokenizer_source;
  s.vocab_size = tok.vocab_size();
  s.offsets.push_back(0);
  for (size_t i = 0; i < files.size(); ++i) {
    if (static_cast<int>(ids[i].size()) < min_tokens) {
      if (!quiet)
        std::cerr << "skipping " << files[i] << ": " << ids[i].size() << " tokens < --min-tokens "
                  << min_tokens << "\n";
      continue;
    }
    s.tokens.insert(s.tokens.end(), ids[i].begin(), ids[i].end());
    s.offsets.push_back(static_cast<int64_t>(s.tokens.size()));
    s.names.push_back(fs::path(files[i]).filename().string());
    s.sources_sha256.push_back(hashes[i]);
  }
  if (s.names.empty())
    fail(ErrorKind::Data, "no document has at least " + std::to_string(min_tokens) + " tokens");
  return s;
}

}  // namespace lr

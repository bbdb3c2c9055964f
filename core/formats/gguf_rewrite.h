// GGUF rewrite: some keys changed/added, tensors added, everything else copied byte for byte.
#pragma once
#include <string>
#include <utility>
#include <vector>

#include "core/formats/gguf.h"
#include "core/formats/gguf_writer.h"

namespace lr {

struct GgufEdits {
  // Keys to change (rewritten in place, keeping their position) or add (appended).
  std::vector<std::pair<std::string, GgufValue>> set;
  // Tensors to append; one named like an existing tensor replaces that entry (its old bytes
  // stay in the data section, unreferenced).
  std::vector<GgufTensorData> tensors;
};

// Writes `out` atomically (lr::AtomicFile: unique temporary, fsync, rename). Refuses edits of
// general.alignment and an output path equal to the source.
void rewrite_gguf(const GgufFile& src, const GgufEdits& edits, const std::string& out);

}  // namespace lr

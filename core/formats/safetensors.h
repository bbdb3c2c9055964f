// Parser for .safetensors files (header + raw tensor data), memory-mapped.
#pragma once
#include <memory>
#include <string>

#include "core/tensor/raw_tensor.h"
#include "core/util/mapped_file.h"

namespace lr {

// Maps `path`, validates its header and adds its tensors (pointing into the map) to `out`.
std::shared_ptr<MappedFile> read_safetensors(const std::string& path, TensorMap& out);

}  // namespace lr

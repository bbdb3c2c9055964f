// A tensor as a container file stores it (name, type, shape, mapped bytes), before assembly.
#pragma once
#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/tensor/dtype.h"

namespace lr {

// One tensor as found in a file, before conversion.
struct RawTensor {
  std::string name;
  DType dtype = DType::Other;
  std::string dtype_label;     // the file's own name for the type, for messages
  std::vector<int64_t> shape;  // outermost first (PyTorch order)
  const uint8_t* data = nullptr;
  size_t nbytes = 0;
};

// Every tensor of a file by name.
using TensorMap = std::map<std::string, RawTensor>;

}  // namespace lr

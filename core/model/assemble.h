// Builds Weights from a name -> raw tensor map, following the architecture table.
#pragma once
#include <map>
#include <string>

#include "core/model/config.h"
#include "core/model/weights.h"

namespace lr {

// Looks up and shape-checks every tensor the model's architecture needs, with the tensor
// names of `format` ("hf" or "gguf"): matrices stay in the file's type (mapped), vectors
// become F32; fused matrices (phi3) become row views of one tensor. Throws naming the missing or
// misshapen tensor.
void assemble_weights(const ModelConfig& c, const TensorMap& tensors, const std::string& format,
                      Weights& w, const std::string& source);

}  // namespace lr

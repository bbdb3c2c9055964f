// Builds Weights from a name -> raw tensor map, using each format's tensor naming.
#pragma once
#include <functional>
#include <map>
#include <string>

#include "config.h"
#include "weights.h"

namespace lr {

enum class Part { AttnNorm, Wq, Wk, Wv, Wo, FfnNorm, Gate, Up, Down };
using TensorMap = std::map<std::string, RawTensor>;

struct TensorNaming {
  std::string embed, out_norm, output;
  std::function<std::string(Part, int layer)> layer;
};

TensorNaming hf_naming();
TensorNaming gguf_naming();

// Looks up, shape-checks and converts every tensor; throws naming the missing tensor.
void assemble_weights(const ModelConfig& c, const TensorMap& tensors, const TensorNaming& names,
                      Weights& w, const std::string& source);

}  // namespace lr

// Model weights: matrices in their stored type (mapped), small vectors as F32, one struct per
// layer.
#pragma once
#include <deque>
#include <memory>
#include <string>
#include <vector>

#include "core/model/config.h"
#include "core/tensor/dtype.h"
#include "core/tensor/qtensor.h"
#include "core/tensor/raw_tensor.h"
#include "core/util/mapped_file.h"

namespace lr {

// All matrices are row-major (out, in), as PyTorch and GGUF store them, in the file's type.
struct LayerWeights {
  const float* attn_norm = nullptr;  // (dim)
  QTensor wq;                        // (n_heads * head_dim, dim)
  QTensor wk;                        // (n_kv_heads * head_dim, dim)
  QTensor wv;                        // (n_kv_heads * head_dim, dim)
  QTensor wo;                        // (dim, n_heads * head_dim)
  const float* ffn_norm = nullptr;   // (dim)
  QTensor w_gate;                    // (hidden_dim, dim)
  QTensor w_up;                      // (hidden_dim, dim)
  QTensor w_down;                    // (dim, hidden_dim)
  // Optional parts (nullptr when the architecture has none); fused files give views.
  const float* bq = nullptr;      // (n_heads * head_dim)      q bias (qwen2)
  const float* bk = nullptr;      // (n_kv_heads * head_dim)   k bias
  const float* bv = nullptr;      // (n_kv_heads * head_dim)   v bias
  const float* q_norm = nullptr;  // (head_dim) RMSNorm of each q head before RoPE (qwen3)
  const float* k_norm = nullptr;  // (head_dim) RMSNorm of each k head before RoPE
};

struct Weights {
  QTensor tok_embd;  // (vocab, dim)
  std::vector<LayerWeights> layers;
  const float* out_norm = nullptr;  // (dim)
  QTensor output;                   // (vocab, dim); == tok_embd when tied

  // Storage behind the pointers above.
  std::vector<std::shared_ptr<MappedFile>> maps;
  std::deque<std::vector<float>> owned;
  size_t bytes = 0;  // bytes the weights occupy as held (mapped as stored, or F32 copies)
};

// Checks shape and returns an F32 pointer: into the map for aligned F32 data, else a
// converted copy owned by `w` (for small vectors: norms, biases, factors). Throws Format /
// Unsupported naming `source` and the tensor.
const float* materialize(const RawTensor& t, const std::vector<int64_t>& expected_shape, Weights& w,
                         const std::string& source);
// Checks shape, type and size and returns the (rows, cols) matrix as stored in the map (F32
// data that is not 4-byte aligned is copied). Same errors as materialize.
QTensor map_matrix(const RawTensor& t, const std::vector<int64_t>& expected_shape, Weights& w,
                   const std::string& source);

}  // namespace lr

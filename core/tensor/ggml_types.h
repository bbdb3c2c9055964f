// The ggml tensor types by id (ggml.h's enum ggml_type): the one table of names, block sizes
// and bytes per block that the element types, the GGUF reader and the GGUF writer share.
#pragma once
#include <cstdint>
#include <string>

namespace lr {

struct GgmlType {
  uint32_t id;
  const char* name;
  uint32_t block;  // elements per block (1 for scalar types)
  uint32_t bytes;  // bytes per block
};

// The ids the writer and tests name.
namespace ggml_id {
constexpr uint32_t F32 = 0, F16 = 1, Q4_0 = 2, Q8_0 = 8, BF16 = 30;
}

// The entry for `id`, or null for an id ggml removed or never had.
const GgmlType* ggml_type(uint32_t id);
// "Q4_K", or "type N" for an unknown id.
std::string ggml_type_name(uint32_t id);
// Bytes of `n_elements` of type `id`; 0 when the id is unknown or n is not whole blocks.
uint64_t ggml_tensor_bytes(uint32_t id, uint64_t n_elements);

}  // namespace lr

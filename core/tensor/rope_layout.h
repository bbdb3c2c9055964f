// How the rotary pairs sit inside one head's vector: shared by the model config and the kernels.
#pragma once

namespace lr {

// How the rotary pairs are laid out inside one head's vector.
enum class RopeLayout {
  HalfSplit,  // Hugging Face LLaMA (rotate_half): pair i is (i, i + head_dim/2)
  Adjacent,   // llama2.c and GGUF (llama.cpp permutes Q/K rows): pair i is (2i, 2i + 1)
};

}  // namespace lr

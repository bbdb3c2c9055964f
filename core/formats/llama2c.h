// llama2.c checkpoint facts shared by the model loader and the tokenizer factory.
#pragma once
#include <string>

namespace lr {

// Finds the llama2.c tokenizer.bin beside a model file ("" if none).
std::string find_llama2c_tokenizer(const std::string& model_path);

// A llama2.c checkpoint starts with 7 small positive ints (a tokenizer.bin with one): true for a
// .bin that looks like a model rather than its tokenizer.
bool looks_like_llama2c_checkpoint(const std::string& path);

}  // namespace lr

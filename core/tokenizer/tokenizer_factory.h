// Loading a tokenizer from a file or folder: the format is told from the path and the bytes.
#pragma once
#include <memory>
#include <string>

#include "core/tokenizer/tokenizer.h"

namespace lr {

// `path`: a tokenizer.model, a tokenizer.bin (llama2.c), a .gguf, a tokenizer.json, a HF model
// folder (tokenizer.model, else tokenizer.json), or a llama2.c model .bin (its tokenizer is
// looked up beside it).
std::unique_ptr<Tokenizer> load_tokenizer(const std::string& path);

std::unique_ptr<Tokenizer> load_sentencepiece(const std::string& path);
std::unique_ptr<Tokenizer> load_gguf_tokenizer(const std::string& path);
std::unique_ptr<Tokenizer> load_llama2c_tokenizer(const std::string& path, int vocab_size = 0);

}  // namespace lr

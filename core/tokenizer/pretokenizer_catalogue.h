// llama.cpp's pre-tokenizers by name: each a list of regexes applied in turn (data only).
#pragma once
#include <string>
#include <vector>

namespace lr {

struct NamedPreTokenizer {
  std::vector<std::string> names;    // the GGUF tokenizer.ggml.pre values (aliases) it serves
  std::vector<std::string> regexes;  // as llama.cpp writes them; `\s` is Unicode White_Space
  bool ignore_merges = false;        // whole-word vocabulary hits skip the BPE merges
  bool add_bos = false;
};

const std::vector<NamedPreTokenizer>& pretokenizer_catalogue();

// Pieces tokenizer.json steps are translated to: GPT-2's split regex, and its contractions
// matched in either case (HF's `(?i:'s|'t|...)`).
const std::string& gpt2_regex();
const std::string& contractions_regex();

}  // namespace lr

// Seeded random-weight LLaMA models of named shapes (written through GgufWriter) and
// random-id token shards for them: benchmarks anyone can reproduce without downloads.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "core/tensor/dtype.h"

namespace lr::bench {

// A LLaMA-architecture shape (no biases, untied output, head_dim = hidden / heads).
struct Shape {
  std::string name;
  int hidden = 0, layers = 0, heads = 0, kv_heads = 0, ffn = 0, vocab = 0;
  int context = 0;          // llama.context_length
  double rope_theta = 1e4;  // llama.rope.freq_base
  float norm_eps = 1e-5f;
  int head_dim() const { return hidden / heads; }
  int64_t params() const;  // every weight, norms included
};

// qwen2.5-0.5b, qwen2.5-1.5b, llama-7b (vocab 4096 each), tiny and tiny-k (tests).
const std::vector<Shape>& shapes();
const Shape& shape_by_name(const std::string& name);  // throws InvalidArgument naming them all

// One element type for every matrix, or llama.cpp's Q4_K_M mix. Norms are F32 in every type.
enum class FileType { F32, F16, Q8_0, Q4_K_M };
FileType file_type_by_name(const std::string& name);  // "F32", "F16", "Q8_0", "Q4_K_M"
const char* file_type_name(FileType t);

// What a matrix does (the Q4_K_M rule treats them differently).
enum class Role { Embed, Output, Q, K, V, O, Gate, Up, Down };

// Element type of a matrix with `cols` columns (GGUF ne[0]) in `layer` of `n_layers`.
// Q4_K_M as llama.cpp's llama-quantize assigns it for a dense LLaMA: output Q6_K; attn_v and
// ffn_down Q6_K in the layers use_more_bits picks (the first and last eighth, and every third
// between); everything else Q4_K (token_embd too). A K-quant needs cols % 256 == 0; otherwise
// llama.cpp falls back Q4_K → Q5_0 and Q6_K → Q8_0 (and so does this rule: the 896-wide
// qwen2.5-0.5b matrices become Q5_0 / Q8_0).
DType matrix_type(FileType ft, Role role, int layer, int n_layers, int64_t cols);
bool use_more_bits(int layer, int n_layers);

struct TensorPlan {
  std::string name;
  DType type = DType::F32;
  std::vector<int64_t> shape;  // outermost first
  bool norm = false;           // a norm weight (all ones) rather than a random matrix
};
// Every tensor of the model, in file order.
std::vector<TensorPlan> plan_tensors(const Shape& s, FileType ft);

// Writes the GGUF: llama metadata, a synthetic SentencePiece vocabulary (<unk>, <s>, </s>, the
// 256 byte tokens, then "▁t<i>"), norms 1, matrices random with standard deviation `stddev`
// (tensor i from stream_seed(seed, i)), made one tensor at a time while the file is written.
void write_model(const Shape& s, FileType ft, uint64_t seed, const std::string& path,
                 float stddev = 0.02f);

// A shard of `docs` documents of `tokens` uniform random ids each (never <unk>/<s>/</s>),
// fingerprinted with the tokenizer in `model_path`, so `longrope eval ppl` accepts it.
void write_random_shard(const std::string& model_path, int docs, int tokens, uint64_t seed,
                        const std::string& path);

}  // namespace lr::bench

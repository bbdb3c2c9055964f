// Benchmark models: shapes, the Q4_K_M type rule, the synthetic vocabulary, GGUF and shard output.
#include "bench/bench_model.h"

#include <cstring>

#include "bench/random_blocks.h"
#include "core/formats/gguf_writer.h"
#include "core/tokenizer/tokenizer_factory.h"
#include "core/util/error.h"
#include "core/util/sha256.h"
#include "datasets/shard.h"

namespace lr::bench {

int64_t Shape::params() const {
  const int64_t d = hidden, q = int64_t{heads} * head_dim(), kv = int64_t{kv_heads} * head_dim();
  const int64_t layer = 2 * d + d * q + 2 * d * kv + q * d + 3 * d * ffn;
  return 2 * int64_t{vocab} * d + layers * layer + d;
}

const std::vector<Shape>& shapes() {
  // name, hidden, layers, heads, kv_heads, ffn, vocab, context, rope_theta, norm_eps
  static const std::vector<Shape> all = {
      {"qwen2.5-0.5b", 896, 24, 14, 2, 4864, 4096, 32768, 1e6, 1e-6f},
      {"qwen2.5-1.5b", 1536, 28, 12, 2, 8960, 4096, 32768, 1e6, 1e-6f},
      {"llama-7b", 4096, 32, 32, 32, 11008, 4096, 4096, 1e4, 1e-5f},
      {"tiny", 64, 2, 4, 2, 256, 512, 4096, 1e4, 1e-5f},     // fallback types + K-quants
      {"tiny-k", 256, 2, 4, 2, 512, 512, 4096, 1e4, 1e-5f},  // every matrix a K-quant
  };
  return all;
}

const Shape& shape_by_name(const std::string& name) {
  std::string known;
  for (const auto& s : shapes()) {
    if (s.name == name) return s;
    known += (known.empty() ? "" : ", ") + s.name;
  }
  fail(ErrorKind::InvalidArgument, "unknown shape '" + name + "' (known: " + known + ")");
}

namespace {

// Each file type: its name, the element type of every matrix (Other: a per-tensor mix) and
// llama.cpp's general.file_type id (LLAMA_FTYPE_*).
struct FileTypeInfo {
  FileType type;
  const char* name;
  DType uniform;
  uint32_t llama_ftype;
};
constexpr FileTypeInfo kFileTypes[] = {{FileType::F32, "F32", DType::F32, 0},
                                       {FileType::F16, "F16", DType::F16, 1},
                                       {FileType::Q8_0, "Q8_0", DType::Q8_0, 7},
                                       {FileType::Q4_K_M, "Q4_K_M", DType::Other, 15}};

const FileTypeInfo& info(FileType t) {
  for (const auto& i : kFileTypes)
    if (i.type == t) return i;
  fail(ErrorKind::InvalidArgument, "unknown file type");
}

}  // namespace

FileType file_type_by_name(const std::string& name) {
  for (const auto& i : kFileTypes)
    if (name == i.name) return i.type;
  fail(ErrorKind::InvalidArgument, "unknown type '" + name + "' (F32, F16, Q8_0, Q4_K_M)");
}

const char* file_type_name(FileType t) { return info(t).name; }

bool use_more_bits(int layer, int n_layers) {
  return layer < n_layers / 8 || layer >= 7 * n_layers / 8 || (layer - n_layers / 8) % 3 == 2;
}

DType matrix_type(FileType ft, Role role, int layer, int n_layers, int64_t cols) {
  if (info(ft).uniform != DType::Other) return info(ft).uniform;
  const bool more = (role == Role::V || role == Role::Down) && use_more_bits(layer, n_layers);
  const bool q6 = role == Role::Output || more;
  if (cols % 256 != 0) return q6 ? DType::Q8_0 : DType::Q5_0;  // llama.cpp's fallbacks
  return q6 ? DType::Q6_K : DType::Q4_K;
}

std::vector<TensorPlan> plan_tensors(const Shape& s, FileType ft) {
  const int64_t d = s.hidden, q = int64_t{s.heads} * s.head_dim(),
                kv = int64_t{s.kv_heads} * s.head_dim(), f = s.ffn, v = s.vocab;
  std::vector<TensorPlan> out;
  auto mat = [&](const std::string& name, Role r, int layer, int64_t rows, int64_t cols) {
    out.push_back({name, matrix_type(ft, r, layer, s.layers, cols), {rows, cols}, false});
  };
  auto norm = [&](const std::string& name) { out.push_back({name, DType::F32, {d}, true}); };
  mat("token_embd.weight", Role::Embed, 0, v, d);
  for (int l = 0; l < s.layers; ++l) {
    const std::string p = "blk." + std::to_string(l) + ".";
    norm(p + "attn_norm.weight");
    mat(p + "attn_q.weight", Role::Q, l, q, d);
    mat(p + "attn_k.weight", Role::K, l, kv, d);
    mat(p + "attn_v.weight", Role::V, l, kv, d);
    mat(p + "attn_output.weight", Role::O, l, d, q);
    norm(p + "ffn_norm.weight");
    mat(p + "ffn_gate.weight", Role::Gate, l, f, d);
    mat(p + "ffn_up.weight", Role::Up, l, f, d);
    mat(p + "ffn_down.weight", Role::Down, l, d, f);
  }
  norm("output_norm.weight");
  mat("output.weight", Role::Output, 0, v, d);
  return out;
}

namespace {

void set_vocabulary(GgufWriter& w, int vocab) {
  constexpr int kSpecials = 3, kBytes = 256;
  if (vocab < kSpecials + kBytes + 1)
    fail(ErrorKind::InvalidArgument, "a benchmark vocabulary needs at least 260 tokens");
  std::vector<std::string> pieces = {"<unk>", "<s>", "</s>"};
  std::vector<int32_t> types = {2, 3, 3};  // unknown, control, control
  static const char* hex = "0123456789ABCDEF";
  for (int b = 0; b < kBytes; ++b) {
    pieces.push_back(std::string("<0x") + hex[b >> 4] + hex[b & 15] + ">");
    types.push_back(6);  // byte
  }
  for (int i = static_cast<int>(pieces.size()); i < vocab; ++i) {
    pieces.push_back(kSpacePiece + "t" + std::to_string(i));
    types.push_back(1);  // normal
  }
  std::vector<float> scores(vocab, 0.0f);
  for (int i = kSpecials + kBytes; i < vocab; ++i) scores[i] = -static_cast<float>(i);
  w.set("tokenizer.ggml.model", GgufValue::str("llama"));
  w.set("tokenizer.ggml.tokens", GgufValue::str_array(pieces));
  w.set("tokenizer.ggml.scores", GgufValue::f32_array(scores));
  w.set("tokenizer.ggml.token_type", GgufValue::i32_array(types));
  w.set("tokenizer.ggml.unknown_token_id", GgufValue::u32(0));
  w.set("tokenizer.ggml.bos_token_id", GgufValue::u32(1));
  w.set("tokenizer.ggml.eos_token_id", GgufValue::u32(2));
  w.set("tokenizer.ggml.add_bos_token", GgufValue::boolean(true));
}

}  // namespace

void write_model(const Shape& s, FileType ft, uint64_t seed, const std::string& path,
                 float stddev) {
  GgufWriter w;
  w.set("general.architecture", GgufValue::str("llama"));
  w.set("general.name", GgufValue::str("longrope-bench " + s.name + " " + file_type_name(ft) +
                                       " seed " + std::to_string(seed)));
  w.set("general.file_type", GgufValue::u32(info(ft).llama_ftype));
  if (ft == FileType::Q8_0 || ft == FileType::Q4_K_M)
    w.set("general.quantization_version", GgufValue::u32(2));
  w.set("llama.context_length", GgufValue::u32(s.context));
  w.set("llama.embedding_length", GgufValue::u32(s.hidden));
  w.set("llama.block_count", GgufValue::u32(s.layers));
  w.set("llama.feed_forward_length", GgufValue::u32(s.ffn));
  w.set("llama.attention.head_count", GgufValue::u32(s.heads));
  w.set("llama.attention.head_count_kv", GgufValue::u32(s.kv_heads));
  w.set("llama.rope.dimension_count", GgufValue::u32(s.head_dim()));
  w.set("llama.rope.freq_base", GgufValue::f32(static_cast<float>(s.rope_theta)));
  w.set("llama.attention.layer_norm_rms_epsilon", GgufValue::f32(s.norm_eps));
  w.set("llama.vocab_size", GgufValue::u32(s.vocab));
  set_vocabulary(w, s.vocab);

  const auto plan = plan_tensors(s, ft);
  for (size_t i = 0; i < plan.size(); ++i) {
    const TensorPlan& t = plan[i];
    size_t count = 1;
    for (int64_t n : t.shape) count *= static_cast<size_t>(n);
    const uint64_t stream = stream_seed(seed, i);
    auto fill = [t, count, stream, stddev](uint8_t* dst) {
      if (t.norm) {
        const float one = 1.0f;
        for (size_t k = 0; k < count; ++k) std::memcpy(dst + 4 * k, &one, 4);
        return;
      }
      Rng rng(stream);
      random_tensor(t.type, count, stddev, rng, dst);
    };
    w.add_tensor(t.name, dtype_ggml_id(t.type), t.shape, dtype_bytes(t.type, count), fill);
  }
  w.write(path);
}

void write_random_shard(const std::string& model_path, int docs, int tokens, uint64_t seed,
                        const std::string& path) {
  if (docs <= 0 || tokens <= 0)
    fail(ErrorKind::InvalidArgument, "a random shard needs docs > 0 and tokens > 0");
  const auto tok = load_tokenizer(model_path);
  constexpr int kFirst = 3;  // after <unk>, <s>, </s>
  if (tok->vocab_size() <= kFirst)
    fail(ErrorKind::Data, model_path + ": vocabulary too small for random ids");
  Shard sh;
  sh.tokenizer_fingerprint = tok->fingerprint();
  sh.tokenizer_kind = tok->kind();
  sh.tokenizer_source = model_path;
  sh.vocab_size = tok->vocab_size();
  sh.offsets.push_back(0);
  const uint64_t span = static_cast<uint64_t>(tok->vocab_size() - kFirst);
  for (int d = 0; d < docs; ++d) {
    Rng rng(stream_seed(seed, 1000000 + static_cast<uint64_t>(d)));
    Sha256 h;
    for (int i = 0; i < tokens; ++i) {
      // (multiply-shift of the top 32 bits: unbiased enough for benchmark ids)
      const auto id = static_cast<int32_t>(kFirst + (((rng() >> 32) * span) >> 32));
      sh.tokens.push_back(id);
      const uint8_t le[4] = {static_cast<uint8_t>(id), static_cast<uint8_t>(id >> 8),
                             static_cast<uint8_t>(id >> 16), static_cast<uint8_t>(id >> 24)};
      h.update(le, 4);
    }
    sh.offsets.push_back(static_cast<int64_t>(sh.tokens.size()));
    sh.names.push_back("random-" + std::to_string(d));
    sh.sources_sha256.push_back(h.hex());
  }
  write_shard(path, sh);
}

}  // namespace lr::bench

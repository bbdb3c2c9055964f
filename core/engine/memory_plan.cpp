// Memory arithmetic for `longrope plan`, mirroring what forward.cpp and attention.cpp allocate.
#include "core/engine/memory_plan.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

#include "core/engine/attention.h"
#include "core/engine/forward.h"
#include "core/kernels/attn_i8.h"
#include "core/kernels/compute.h"
#include "core/model/model_header.h"
#include "core/util/error.h"

namespace lr {

KvType parse_kv_type(const std::string& s) {
  if (s == "f16") return KvType::F16;
  if (s == "q8_0") return KvType::Q8_0;
  fail(ErrorKind::InvalidArgument, "bad --kv-type '" + s + "' (use f16 or q8_0)");
}

const char* kv_type_name(KvType t) { return t == KvType::F16 ? "f16" : "q8_0"; }

uint64_t kv_cache_bytes(const ModelConfig& c, int64_t n, KvType t) {
  const uint64_t row = static_cast<uint64_t>(c.kv_dim());  // one token of one layer, K or V
  const uint64_t row_bytes = t == KvType::F16 ? row * 2 : (row + 31) / 32 * 34;
  return static_cast<uint64_t>(c.n_layers) * static_cast<uint64_t>(n) * 2 * row_bytes;
}

uint64_t activation_bytes(const ModelConfig& c, int64_t n) {
  const uint64_t N = static_cast<uint64_t>(n);
  const uint64_t floats = N * c.dim * 2                                                  // x, xb
                          + N * c.q_dim() * 2                                            // q, att
                          + N * c.kv_dim() * 2                                           // k, v
                          + static_cast<uint64_t>(Engine::kFfnChunk) * c.hidden_dim * 2  // gate, up
                          + static_cast<uint64_t>(Engine::kHeadChunk) * c.vocab_size;    // logits
  return floats * sizeof(float);
}

EvalPeak eval_peak(const ModelConfig& c, int64_t n, int threads, uint64_t weight_bytes) {
  EvalPeak p;
  p.weights = weight_bytes;
  p.activations = activation_bytes(c, n);
  p.rope_table = static_cast<uint64_t>(n) * (c.head_dim / 2) * 2 * sizeof(float);
  p.attention_scratch = static_cast<uint64_t>(threads) * attention_scratch_bytes(c.head_dim);
  if (compute_precision() == Compute::Int8) {  // attention_i8.cpp's and gemm_i8.cpp's buffers
    const uint64_t N = static_cast<uint64_t>(n), hd = static_cast<uint64_t>(c.head_dim);
    const uint64_t kvh = static_cast<uint64_t>(c.n_kv_heads), tiles = (N + 127) / 128;
    p.attention_scratch = static_cast<uint64_t>(threads) * attention_i8_scratch_bytes(c.head_dim) +
                          kvh * N * ((hd + 3) / 4 * 4 + 4) + kvh * tiles * hd * (128 + 4) +
                          N * static_cast<uint64_t>(std::max(c.dim, c.q_dim())) * 9 / 8;
  }
  p.sequence = static_cast<uint64_t>(n) * (sizeof(int) + sizeof(double));
  return p;
}

uint64_t parse_byte_size(const std::string& s, const std::string& option) {
  auto bad = [&]() -> uint64_t {
    fail(ErrorKind::InvalidArgument, "bad " + option + " '" + s +
                                         "' (e.g. 16GiB, 1.5GiB, 512MB, 8G; units B, K/KiB, KB, "
                                         "M/MiB, MB, G/GiB, GB, T/TiB, TB)");
  };
  size_t i = 0;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
  if (i == 0) return bad();
  double v = 0;
  try {
    size_t used = 0;
    v = std::stod(s.substr(0, i), &used);
    if (used != i) return bad();
  } catch (const std::exception&) {
    return bad();
  }
  size_t j = i;
  while (j < s.size() && s[j] == ' ') ++j;
  const std::string unit = s.substr(j);
  double mult = 0;
  const char* units[] = {"", "K", "M", "G", "T"};
  if (unit.empty() || unit == "B") mult = 1;
  for (int k = 1; k <= 4; ++k) {
    const std::string u = units[k];
    if (unit == u || unit == u + "iB") mult = std::pow(1024.0, k);
    if (unit == u + "B") mult = std::pow(1000.0, k);
  }
  if (mult == 0 || !std::isfinite(v * mult) || v * mult < 1 || v * mult > 1e18) return bad();
  return static_cast<uint64_t>(std::llround(v * mult));
}

std::string gib(uint64_t bytes) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f GiB", bytes / 1073741824.0);
  return buf;
}

}  // namespace lr

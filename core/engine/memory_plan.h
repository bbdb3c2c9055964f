// Memory arithmetic for `longrope plan`: weights, serving KV cache, our evaluation's peak.
#pragma once
#include <cstdint>
#include <string>

#include "core/model/config.h"

namespace lr {

enum class KvType { F16, Q8_0 };
KvType parse_kv_type(const std::string& s);  // f16 | q8_0; InvalidArgument otherwise
const char* kv_type_name(KvType t);

// KV cache of a serving runtime holding n tokens: layers × kv_heads × head_dim × n × 2 (K, V)
// elements; F16 2 bytes each, Q8_0 34 bytes per block of 32 (each token row of
// kv_heads × head_dim rounded up to whole blocks).
uint64_t kv_cache_bytes(const ModelConfig& c, int64_t n, KvType t);

// Buffers of one `Engine::logprobs` call on n tokens, term by term.
struct EvalPeak {
  uint64_t weights = 0;      // as held: ModelHeader::engine_bytes (matrices as stored)
  uint64_t activations = 0;  // Activations::reserve(c, n): equals Engine::activation_bytes()
  uint64_t rope_table = 0;   // cos and sin, (n, head_dim/2) floats each
  // per-thread tiles of attention_tiled × threads; with --compute int8 also the int8 keys and
  // values of one layer and the int8 activations of the widest product
  uint64_t attention_scratch = 0;
  uint64_t sequence = 0;  // the token ids (int) and returned log-probs (double)
  uint64_t total() const {
    return weights + activations + rope_table + attention_scratch + sequence;
  }
};
uint64_t activation_bytes(const ModelConfig& c, int64_t n);  // mirrors Activations::reserve
EvalPeak eval_peak(const ModelConfig& c, int64_t n, int threads, uint64_t weight_bytes);

// "16GiB", "1.5 GiB", "512MB", "8G", "1000000": K/M/G/T and KiB/MiB/GiB/TiB are powers of
// 1024, KB/MB/GB/TB powers of 1000, no unit or B = bytes. InvalidArgument naming `option`.
uint64_t parse_byte_size(const std::string& s, const std::string& option);

// "13.48 GB (12.55 GiB)"-style figure: GiB with two decimals.
std::string gib(uint64_t bytes);

}  // namespace lr

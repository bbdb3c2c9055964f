// KV cache of one sequence, and attention of new query rows against it (generation).
#pragma once
#include <vector>

#include "core/model/config.h"

namespace lr {

struct KvCache {
  int n_layers = 0;
  int kv_dim = 0;        // n_kv_heads * head_dim
  int capacity = 0;      // positions allocated
  int len = 0;           // positions filled: [0, len)
  std::vector<float> k;  // (layer, position, n_kv_heads*head_dim), keys after RoPE
  std::vector<float> v;  // (layer, position, n_kv_heads*head_dim), values

  // Empties the cache and sizes it for `capacity` positions of model `c`.
  void reset(const ModelConfig& c, int capacity);
  float* k_at(int layer, int pos) { return k.data() + offset(layer, pos); }
  float* v_at(int layer, int pos) { return v.data() + offset(layer, pos); }
  const float* k_at(int layer, int pos) const { return k.data() + offset(layer, pos); }
  const float* v_at(int layer, int pos) const { return v.data() + offset(layer, pos); }
  size_t bytes() const { return 4 * (k.capacity() + v.capacity()); }

 private:
  size_t offset(int layer, int pos) const {
    return (static_cast<size_t>(layer) * capacity + pos) * kv_dim;
  }
};

// Causal attention of `rows` query rows at positions pos0 .. pos0+rows-1 against the keys and
// values of layer `layer` at positions [0, pos0 + rows) (already in the cache, RoPE applied).
// q/out: (rows, n_heads*head_dim). `window` > 0 masks keys `window` or more positions back.
// One query row at a time, O(positions) scratch per thread: meant for decoding.
void attention_cached(const float* q, float* out, int rows, int pos0, const KvCache& cache,
                      int layer, int n_heads, int n_kv_heads, int head_dim, int window);

}  // namespace lr

// Timed forward passes at a model's shape (its own or random weights), for `plan --search`.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/model/model.h"

namespace lr {

// Seconds of one Engine::logprobs call on `length` tokens (every position scored).
struct ForwardTiming {
  int length = 0;
  double seconds = 0.0;      // wall time
  double cpu_seconds = 0.0;  // the process's CPU time (all threads): what load does not change
};

// A model of shape `c` with only its first `layers` layers, F32 weights uniform with standard
// deviation 0.02 from `seed`, norms 1, no biases or q/k norms (they cost O(n·d), noise here).
std::unique_ptr<Model> random_weight_model(const ModelConfig& c, int layers, uint64_t seed);

// A view of `m` with its first `layers` layers (shares m's weights: `m` must outlive it).
std::unique_ptr<Model> first_layers(const Model& m, int layers);

struct SpeedProbe {
  std::vector<ForwardTiming> samples;  // the whole model's seconds per length
  std::string method;                  // how they were obtained, for the report
  double seconds_spent = 0.0;          // wall time of the probe itself
};

// Times the forward pass of a model of shape `c` (`weights`: the loaded model, or nullptr for
// random weights) at two or more lengths from 256 up, best of 2 passes each (doubling while the
// next fits `budget_s`, at most `max_length`), then up to two more rounds over those lengths
// while the budget lasts, keeping each length's best pass; with the current threads.
// A model whose whole pass would be slow is timed with 1 and 2 of its layers and extrapolated:
// t(n) = t₁(n) + (layers − 1)·(t₂(n) − t₁(n)) (every layer costs the same; embedding and head
// once).
SpeedProbe probe_forward_speed(const ModelConfig& c, const Model* weights, double budget_s,
                               int max_length);

}  // namespace lr

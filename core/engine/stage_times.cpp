// Stage names and sums of the forward pass's stage timers (core/engine/stage_times.h).
#include "core/engine/stage_times.h"

namespace lr {

const char* stage_name(Stage s) {
  static const char* const names[kStages] = {"embed",     "rmsnorm",    "qkv_proj", "rope",
                                             "attention", "out_proj",   "ffn_gemm", "swiglu",
                                             "head_gemm", "log_softmax"};
  return names[static_cast<int>(s)];
}

double StageTimes::total_seconds() const {
  double t = 0;
  for (double s : seconds) t += s;
  return t;
}

StageTimes& StageTimes::operator+=(const StageTimes& o) {
  for (int i = 0; i < kStages; ++i) {
    seconds[i] += o.seconds[i];
    flops[i] += o.flops[i];
  }
  return *this;
}

}  // namespace lr

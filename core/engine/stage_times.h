// Where a forward pass spends its time: wall seconds and FLOPs per stage, summed over calls.
#pragma once
#include <array>
#include <chrono>

namespace lr {

enum class Stage { Embed, Norm, QkvProj, Rope, Attention, OutProj, FfnGemm, Swiglu, Head, Softmax };
constexpr int kStages = 10;
const char* stage_name(Stage s);

struct StageTimes {
  std::array<double, kStages> seconds{}, flops{};
  void add(Stage s, double sec, double fl = 0) {
    seconds[static_cast<int>(s)] += sec;
    flops[static_cast<int>(s)] += fl;
  }
  double total_seconds() const;
  StageTimes& operator+=(const StageTimes& o);
};

// Times one scope into `t` (a steady_clock read on entry and exit: ~50 ns; a layer has ~12).
class StageTimer {
 public:
  StageTimer(StageTimes& t, Stage s, double flops = 0)
      : t_(t), s_(s), flops_(flops), t0_(std::chrono::steady_clock::now()) {}
  ~StageTimer() {
    t_.add(s_, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count(),
           flops_);
  }
  StageTimer(const StageTimer&) = delete;
  StageTimer& operator=(const StageTimer&) = delete;

 private:
  StageTimes& t_;
  Stage s_;
  double flops_;
  std::chrono::steady_clock::time_point t0_;
};

}  // namespace lr

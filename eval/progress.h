// Progress line on stderr (rate and ETA), only on a TTY and without --quiet.
#pragma once
#include <chrono>
#include <string>

namespace lr {

class Progress {
 public:
  Progress(std::string label, double total, std::string unit, bool quiet);
  ~Progress();
  void update(double done);  // redraws at most ~5 times a second
  void finish();

 private:
  std::string label_, unit_;
  double total_, done_ = 0;
  bool enabled_, finished_ = false;
  std::chrono::steady_clock::time_point start_, last_;
};

std::string format_duration(double seconds);

}  // namespace lr

// The one place that sets the thread count (OpenMP and Eigen share it).
#pragma once

namespace lr {

// n <= 0 means "all cores". Call once at startup (and by the search when it splits threads).
void set_threads(int n);
int max_threads();

}  // namespace lr

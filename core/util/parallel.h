// The one place that sets the thread count (of OpenMP regions, the matrix products included).
#pragma once

namespace lr {

// n <= 0 means "all cores". Call once at startup (and by the search when it splits threads).
void set_threads(int n);
int max_threads();
// Threads for OpenMP regions started by the calling thread only: the search gives
// each concurrent candidate evaluator its share.
void set_worker_threads(int n);

}  // namespace lr

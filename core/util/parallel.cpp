// Thread count for OpenMP regions.
#include "core/util/parallel.h"

#include <omp.h>

namespace lr {

void set_threads(int n) {
  if (n <= 0) n = omp_get_num_procs();
  omp_set_num_threads(n);
}

void set_worker_threads(int n) { omp_set_num_threads(n > 0 ? n : 1); }

int max_threads() { return omp_get_max_threads(); }

}  // namespace lr

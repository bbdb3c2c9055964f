// Thread count for OpenMP regions and Eigen's GEMM.
#include "core/util/parallel.h"

#include <omp.h>

#include <Eigen/Core>

namespace lr {

void set_threads(int n) {
  if (n <= 0) n = omp_get_num_procs();
  omp_set_num_threads(n);
  Eigen::setNbThreads(0);  // 0: Eigen follows omp_get_max_threads() of the calling thread
}

void set_worker_threads(int n) { omp_set_num_threads(n > 0 ? n : 1); }

int max_threads() { return omp_get_max_threads(); }

}  // namespace lr

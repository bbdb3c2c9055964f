// Thread count for OpenMP regions and Eigen's GEMM.
#include "parallel.h"

#include <omp.h>

#include <Eigen/Core>

namespace lr {

void set_threads(int n) {
  if (n <= 0) n = omp_get_num_procs();
  omp_set_num_threads(n);
  Eigen::setNbThreads(n);
}

int max_threads() { return omp_get_max_threads(); }

}  // namespace lr

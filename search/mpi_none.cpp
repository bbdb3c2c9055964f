// The MPI entry points of a build without MPI (-DLONGROPE_MPI=OFF): local search only.
#include <cstdlib>

#include "core/util/error.h"
#include "search/mpi_evaluator.h"

namespace lr {

MpiContext& mpi_init_if_launched(int*, char***) {
  static MpiContext ctx;
  // Under mpirun every rank would run its own full search into the same folder: refuse.
  if (std::getenv("OMPI_COMM_WORLD_SIZE") || std::getenv("PMI_SIZE") || std::getenv("PMIX_RANK"))
    fail(ErrorKind::Unsupported,
         "search: started by mpirun, but this longrope was built without MPI (-DLONGROPE_MPI=OFF)");
  return ctx;
}

void mpi_abort(int code) { std::exit(code); }

std::unique_ptr<Evaluator> make_mpi_evaluator(const MpiContext&) {
  fail(ErrorKind::Unsupported, "search: this longrope was built without MPI (-DLONGROPE_MPI=OFF)");
}

void mpi_check_numerics(const MpiContext&, const std::string&, const std::string&) {}

void mpi_worker_loop(Evaluator&, int) {
  fail(ErrorKind::Unsupported, "search: this longrope was built without MPI (-DLONGROPE_MPI=OFF)");
}

}  // namespace lr

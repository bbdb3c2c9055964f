// Evaluation across machines with MPI: rank 0 runs the evolution, ranks 1..R-1 evaluate.
#pragma once
#include <memory>
#include <string>

#include "search/evaluator.h"

namespace lr {

struct MpiContext {
  int rank = 0, size = 1;
  bool active = false;
};

// Initialises MPI only when the process was started by mpirun/mpiexec (OpenMPI or PMI
// environment), so a plain `longrope` never touches MPI. Finalised at exit.
MpiContext& mpi_init_if_launched(int* argc, char*** argv);
[[noreturn]] void mpi_abort(int code);

// Collective, every rank at start: rank 0 gathers each rank's numerics signature and kernel
// path (core/kernels/kernels.h) and fails, naming the rank, when a signature differs from its own
// (ranks on different CPUs or builds must score a candidate with the same bits).
void mpi_check_numerics(const MpiContext& ctx, const std::string& signature,
                        const std::string& kernel_path);

// Rank 0: sends candidates to whichever worker is free (dynamic scheduling) and collects
// results; the destructor tells the workers to stop.
std::unique_ptr<Evaluator> make_mpi_evaluator(const MpiContext& ctx);

// Ranks > 0: evaluates what rank 0 sends with `local` until told to stop.
void mpi_worker_loop(Evaluator& local, int half);

}  // namespace lr

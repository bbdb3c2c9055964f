// Search archive: one HDF5 file per run, rewritten atomically after every evaluation, plus
// the original repo's result_itNNN.csv / result_final.csv and result_final.json.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "search/space.h"

namespace lr {

struct IterationRecord {
  int iteration = 0;
  std::vector<int64_t> population;  // ids, best first
  int64_t best_id = -1;
  double best_ppl = 0, median_ppl = 0;
};

struct ArchiveData {
  nlohmann::json config;  // everything needed to resume (see results/README.md)
  int half = 0;
  std::vector<Individual> individuals;  // evaluated, by id
  std::vector<IterationRecord> iterations;
  int64_t final_best = -1;  // -1 while running
};

void write_archive(const std::string& path, const ArchiveData& a);

// Resuming: fails (Unsupported, naming `path`) when the run's config records a numerics
// signature (core/kernels/kernels.h) other than `numerics`: its scores would not be comparable.
// Returns false when the config predates the record (nothing to check).
bool check_archive_numerics(const nlohmann::json& config, const std::string& numerics,
                            const std::string& kernel_path, const std::string& path);
ArchiveData read_archive(const std::string& path);

// Factors one per line (np.savetxt with delimiter '\n', as the original repo writes them).
void write_factors_csv(const std::string& path, const std::vector<double>& lambda);

}  // namespace lr

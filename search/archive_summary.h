// What `longrope inspect --archive` reports about a search run: config, progress, best vs
// baselines.
#pragma once
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "search/archive.h"

namespace lr {

struct BaselinePpl {  // one row of summary.csv (written beside the archive at the end of a run)
  std::string method;
  double ppl = 0;
  int start_tokens = 0;
  double short_ppl = 0;  // at the short length (result_final.json "baselines"); 0 = unknown
};

struct ArchiveSummary {
  std::string path;
  nlohmann::json config;  // the archive's config attribute, as stored
  bool finished = false;  // final_best_id >= 0
  int half = 0;           // head_dim / 2
  int original_length = 0, target_length = 0;
  double scale = 1.0;
  std::vector<IterationRecord> iterations;
  std::vector<Individual> individuals;         // every evaluated one, by id
  std::vector<int> evaluations_per_iteration;  // individuals created in each iteration
  size_t evaluations = 0;
  Individual best;                     // the final best, or the best so far of an unfinished run
  std::vector<double> pi, ntk, yarn;   // factors of the same s; yarn empty without rope_theta
  std::string yarn_note;               // why YaRN is missing, or where its θ base came from
  std::vector<BaselinePpl> baselines;  // empty when summary.csv is absent
  // The long-vs-short front (search/pareto.h) when individuals have a short PPL (a run with
  // --short-length, or two objectives), by long PPL; empty otherwise.
  std::vector<Individual> front;
  int64_t knee_id = -1;
  int short_length = 0;
  // Points beside the front: result_final.json's "baselines" that hold a short PPL.
  std::vector<BaselinePpl> front_baselines;
};

// Summarises `a` (read from `path`) and reads summary.csv beside it. `rope_theta` (with
// `theta_source` for the report) enables the YaRN column; without it `yarn_note` says why
// it is missing. Throws Data when the archive holds no evaluation.
ArchiveSummary summarize_archive(const std::string& path, const ArchiveData& a,
                                 std::optional<double> rope_theta, const std::string& theta_source);

// result_final.json's "baselines" rows with a short PPL; empty when the file or key is absent.
std::vector<BaselinePpl> read_result_baselines(const std::string& path);

// summary.csv (`method,ppl,start_tokens`); empty when the file does not exist.
std::vector<BaselinePpl> read_summary_csv(const std::string& path);

nlohmann::json to_json(const ArchiveSummary& s);

}  // namespace lr

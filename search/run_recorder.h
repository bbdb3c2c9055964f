// Records a search run as it goes: archive.h5, result_itNNN.csv, result_final.{csv,json},
// search.log and the progress line.
#pragma once
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "search/algorithm.h"

namespace lr {

struct RecorderOptions {
  std::string dir;                      // the run folder ("" records nothing but the progress)
  nlohmann::json config;                // the run configuration the archive keeps
  nlohmann::json final_extra;           // copied into result_final.json
  std::string compute = "f32";          // the run's --compute (named beside an F32 re-judgement)
  std::string factors_key = "factors";  // "short_factor" for a short-factor search
  int half = 0;                         // factors per individual
  std::vector<Individual> archived;     // a resumed archive's individuals (kept until replayed)
  long planned = 0;                     // evaluations a full run plans
  int iterations = 0;                   // iterations a full run plans
  bool screen = false;                  // the progress line counts the screened out
  bool quiet = false;                   // no progress on stderr
};

// The archive is rewritten (atomically) after every evaluation computed now, so a kill never
// loses finished work; archived individuals not replayed yet stay in it.
class RunRecorder : public SearchObserver {
 public:
  explicit RunRecorder(RecorderOptions o);
  void on_seed(const std::string& label, int64_t id) override;
  void on_batch(const std::vector<Individual>& batch) override;
  void on_scored(const Individual& ind, bool fresh) override;
  void on_batch_end() override;
  void on_iteration(const IterationRecord& r, const std::vector<Individual>& ranked,
                    const EvolutionResult& so_far) override;
  void on_rejudged(const Individual& ind, bool fresh) override;
  void on_end(const EvolutionResult& result) override;

 private:
  void keep(const Individual& ind);  // into records_, an archived F32 re-judgement kept
  void save_archive(int64_t final_best = -1);
  void log_line(const std::string& s);

  RecorderOptions o_;
  const std::string dir_;  // o_.dir
  // What the archive holds, by id: the resumed archive's records, replaced by each record made
  // now (screened and kept, then scored in full).
  std::map<int64_t, Individual> records_;
  std::set<int64_t> archived_ids_;  // ids of the resumed archive
  std::vector<IterationRecord> iterations_;
  bool dirty_ = false;  // something computed now is not in the file yet
  double start_ = 0;
};

// Two-objective runs: adds the final table's rows (each with "short_ppl") to
// DIR/result_final.json as "baselines", the points `inspect --plot` draws beside the front.
void record_result_baselines(const std::string& dir, const nlohmann::json& rows);

}  // namespace lr

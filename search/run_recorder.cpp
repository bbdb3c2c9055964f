// The run recorder: archive, result files, log and progress of a search as it goes.
#include "search/run_recorder.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "core/util/mapped_file.h"
#include "eval/progress.h"
#include "search/pareto.h"

namespace lr {

RunRecorder::RunRecorder(RecorderOptions o)
    : o_(std::move(o)), dir_(o_.dir), start_(now_seconds()) {
  for (const auto& ind : o_.archived) {
    records_[ind.id] = ind;
    archived_ids_.insert(ind.id);
  }
}

void RunRecorder::log_line(const std::string& s) {
  if (!o_.quiet && isatty(STDERR_FILENO)) std::fprintf(stderr, "%s\n", s.c_str());
  if (dir_.empty()) return;
  std::ofstream log(dir_ + "/search.log", std::ios::app);
  log << s << "\n";
  log.close();
  if (!log) fail(ErrorKind::Io, "cannot append to '" + dir_ + "/search.log' (disk full?)");
}

void RunRecorder::save_archive(int64_t final_best) {
  dirty_ = false;
  if (dir_.empty()) return;
  ArchiveData a;
  a.config = o_.config;
  a.half = o_.half;
  // Scored now, else screened and kept (the screen's work is kept too), else archived before
  // (a resumed run replays from the start: a kill during the replay never loses finished work).
  a.individuals.reserve(records_.size());
  for (const auto& [id, ind] : records_) a.individuals.push_back(ind);
  a.iterations = iterations_;
  a.final_best = final_best;
  write_archive(dir_ + "/archive.h5", a);
}

void RunRecorder::on_seed(const std::string& label, int64_t id) {
  log_line("seed " + label + " -> id " + std::to_string(id));
}

void RunRecorder::on_batch(const std::vector<Individual>& batch) {
  for (const auto& ind : batch)
    if (!archived_ids_.count(ind.id)) return save_archive();  // work is about to run
}

void RunRecorder::keep(const Individual& ind) {
  Individual& r = records_[ind.id];
  const double f32 = r.ppl_f32, short_f32 = r.short_ppl_f32;
  r = ind;
  if (r.ppl_f32 == 0) {  // a replayed score: the archive's re-judgement stays
    r.ppl_f32 = f32;
    r.short_ppl_f32 = short_f32;
  }
}

void RunRecorder::on_scored(const Individual& ind, bool fresh) {
  if (ind.screen_pending()) {  // screened and kept; its full score is to come
    if (!fresh) return;        // replayed: the archive has it (perhaps scored in full)
    keep(ind);
    return save_archive();  // never lose a finished screen
  }
  keep(ind);
  if (!fresh) return;
  dirty_ = true;
  if (!ind.screened_out()) save_archive();  // never lose a finished evaluation
}

void RunRecorder::on_batch_end() {
  if (dirty_) save_archive();
}

void RunRecorder::on_iteration(const IterationRecord& r, const std::vector<Individual>& ranked,
                               const EvolutionResult& so_far) {
  iterations_.push_back(r);
  if (!dir_.empty()) {
    char name[64];
    std::snprintf(name, sizeof name, "/result_it%03d.csv", r.iteration);
    write_factors_csv(dir_ + name, ranked.front().lambda);
  }
  save_archive();
  const double el = now_seconds() - start_;
  const long done = static_cast<long>(so_far.individuals.size());
  const double rate = el > 0 ? so_far.evaluated / (el / 60.0) : 0;
  const double eta = rate > 0 ? (o_.planned - done) / rate * 60.0 : -1;
  char screened[48] = "";
  if (o_.screen)
    std::snprintf(screened, sizeof screened, ", %ld screened out", so_far.screened_out);
  char line[384];
  std::snprintf(line, sizeof line,
                "[iter %3d/%d] best %.4f (n̂=%d) median %.4f  evals %ld/%ld (%ld reused, %ld "
                "raced out%s)  %.3g tokens  %.1f evals/min  ETA %s",
                r.iteration, o_.iterations, r.best_ppl, ranked.front().start_tokens, r.median_ppl,
                done, o_.planned, so_far.reused, so_far.raced_out(), screened,
                static_cast<double>(so_far.tokens), rate, format_duration(eta).c_str());
  log_line(line);
}

void RunRecorder::on_rejudged(const Individual& ind, bool fresh) {
  keep(ind);
  char line[256];
  std::snprintf(line, sizeof line, "F32 re-judging: id %lld ppl %.6f (%s), %.6f (f32)%s",
                static_cast<long long>(ind.id), ind.ppl, o_.compute.c_str(), ind.ppl_f32,
                fresh ? "" : ", archived");
  log_line(line);
  if (fresh) save_archive();  // never lose a finished re-judgement
}

void RunRecorder::on_end(const EvolutionResult& res) {
  // Two objectives: the result is the knee of the long-vs-short front (search/pareto.h); the
  // archive's final best names it too, so inspect and export default to it.
  const Individual r = result_individual(o_.config, res.individuals, res.best);
  save_archive(r.id);
  if (dir_.empty()) return;
  write_factors_csv(dir_ + "/result_final.csv", r.lambda);
  nlohmann::json j = o_.final_extra;
  j[o_.factors_key] = r.lambda;
  j["start_tokens"] = r.start_tokens;
  if (r.mscale > 0) j["mscale"] = r.mscale;  // searched: the number replaces the rule's name
  j["ppl"] = r.ppl;
  if (r.short_ppl > 0) j["short_ppl"] = r.short_ppl;
  j["id"] = r.id;
  if (!res.rejudged.empty()) {  // the best by F32 of the finalists (search/rejudge.h)
    log_line("result: id " + std::to_string(r.id) + ", the best in F32 of the " +
             std::to_string(res.rejudged.size()) + " finalists ranked in " + o_.compute);
    j["result"] = "best_f32_of_rejudged";
    j["compute"] = o_.compute;
    j["ppl_f32"] = r.ppl_f32;
    if (r.short_ppl_f32 > 0) j["short_ppl_f32"] = r.short_ppl_f32;
    nlohmann::json list = nlohmann::json::array();
    for (const auto& f : res.rejudged) {
      list.push_back({{"id", f.id}, {"ppl", f.ppl}, {"ppl_f32", f.ppl_f32}});
      if (f.short_ppl_f32 > 0) {
        list.back()["short_ppl"] = f.short_ppl;
        list.back()["short_ppl_f32"] = f.short_ppl_f32;
      }
    }
    j["rejudged_f32"] = list;
  }
  if (two_objectives(o_.config)) {
    j["result"] = "knee";
    j["front"] = front_json(pareto_front(res.individuals));
  }
  j["tokens_processed"] = res.tokens;
  j["evaluations"] = static_cast<long>(res.individuals.size());
  j["raced_out"] = res.raced_out();
  if (o_.screen) j["screened_out"] = res.screened_out;
  const std::string text = j.dump(2) + "\n";
  write_file_atomically(dir_ + "/result_final.json", text);
}

void record_result_baselines(const std::string& dir, const nlohmann::json& rows) {
  const std::string path = dir + "/result_final.json";
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(read_text_file(path));
  } catch (const nlohmann::json::exception& e) {
    fail(ErrorKind::Format, path + ": " + e.what());
  }
  j["baselines"] = rows;
  write_file_atomically(path, j.dump(2) + "\n");
}

}  // namespace lr

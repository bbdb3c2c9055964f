// Scoring candidates for any search algorithm: the batch, the screen, selection, the observers.
#include "search/algorithm.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

#include "core/util/error.h"
#include "search/sampling.h"

namespace lr {

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

SearchAlgorithm::SearchAlgorithm(SearchSpace space, Evaluator& evaluator,
                                 std::function<double(const Fitness&)> objective)
    : space_(std::move(space)), evaluator_(evaluator), objective_(std::move(objective)) {}

void SearchAlgorithm::start_clock() { start_ = now_seconds(); }

void SearchAlgorithm::tell_seed(const std::string& label, int64_t id) {
  for (auto* o : observers_) o->on_seed(label, id);
}

double SearchAlgorithm::objective(const Individual& i) const {
  if (i.rejected) return std::numeric_limits<double>::infinity();
  Fitness f;
  f.ppl = i.ppl;
  f.short_ppl = i.short_ppl;
  return objective_(f);
}

std::vector<Individual> SearchAlgorithm::seed_candidates(const std::vector<Seed>& seeds) {
  std::vector<Individual> batch;
  for (const auto& s : seeds) {
    Individual ind;
    ind.lambda = space_.project(s.lambda);
    ind.start_tokens = space_.start_token_set.front();
    if (space_.search_mscale()) ind.mscale = space_.snap_mscale(space_.mscale_seed);
    if (seen_.count(space_.key(ind))) continue;
    tell_seed(s.label, next_id_);
    add_candidate(ind, 0, batch);
  }
  if (batch.empty()) fail(ErrorKind::InvalidArgument, "search: no seeds");
  return batch;
}

void SearchAlgorithm::add_candidate(Individual ind, int iteration, std::vector<Individual>& batch) {
  ind.id = next_id_++;
  ind.iteration = iteration;
  ind.ppl = std::nan("");
  ind.item_nll.clear();
  ind.rejected = false;
  ind.tokens = 0;
  ind.screen_ppl = 0;
  const std::string why = space_.violation(ind);
  if (!why.empty()) fail(ErrorKind::Data, "search: internal constraint violation: " + why);
  seen_.insert(space_.key(ind));
  batch.push_back(std::move(ind));
}

void SearchAlgorithm::add_scored(const Individual& ind, bool fresh) {
  result_.individuals.push_back(ind);
  result_.tokens += ind.tokens;
  result_.rejected += ind.rejected ? 1 : 0;
  result_.screened_out += ind.screened_out() ? 1 : 0;
  ++(fresh ? result_.evaluated : result_.reused);
  for (auto* o : observers_) o->on_scored(ind, fresh);
}

void SearchAlgorithm::screen(std::vector<Individual>& batch, Evaluator& screen, double keep) {
  for (auto* o : observers_) o->on_batch(batch);
  std::vector<bool> fresh(batch.size(), true);
  screen.evaluate(batch, Race{}, [&](size_t k, const Fitness& f) {
    Individual& ind = batch[k];
    // A screen PPL of exactly 0 cannot happen (PPL >= 1); NaN (a broken candidate) is kept
    // as the largest value, so the candidate is screened out.
    ind.screen_ppl = std::isnan(f.ppl) ? std::numeric_limits<double>::max() : f.ppl;
    ind.tokens = f.tokens;  // the screen's (a full score later adds its own)
    ind.wall_time = f.reused ? f.wall_time : now_seconds() - start_;
    fresh[k] = !f.reused;
    for (auto* o : observers_) o->on_scored(ind, fresh[k]);  // pending: kept or not, to come
  });
  std::vector<size_t> order(batch.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return fitness_before(batch[a].screen_ppl, batch[a].id, batch[b].screen_ppl, batch[b].id);
  });
  const size_t n_keep = std::max<size_t>(
      1, static_cast<size_t>(std::ceil(keep * static_cast<double>(batch.size()) - 1e-9)));
  for (size_t r = n_keep; r < order.size(); ++r) {
    Individual& ind = batch[order[r]];
    ind.rejected = true;
    ind.ppl = std::nan("");
    ind.item_nll.clear();
    add_scored(ind, fresh[order[r]]);
  }
  for (auto* o : observers_) o->on_batch_end();
}

void SearchAlgorithm::score(std::vector<Individual>& batch, const Race& race) {
  std::vector<size_t> todo;
  for (size_t i = 0; i < batch.size(); ++i)
    if (!batch[i].screened_out()) todo.push_back(i);  // scored by screen() already
  if (todo.empty()) return;
  std::vector<Individual> work;
  for (size_t i : todo) work.push_back(batch[i]);
  for (auto* o : observers_) o->on_batch(work);
  evaluator_.evaluate(work, race, [&](size_t k, const Fitness& f) {
    Individual& ind = batch[todo[k]];
    ind.ppl = f.ppl;
    ind.short_ppl = f.short_ppl;
    ind.item_nll = f.item_nll;
    ind.rejected = f.rejected;
    if (f.reused) {  // the archive's record: its tokens include the screen's
      ind.tokens = f.tokens;
      ind.wall_time = f.wall_time;
    } else {
      ind.tokens += f.tokens;  // after the screen's, if any
      ind.wall_time = now_seconds() - start_;
    }
    add_scored(ind, !f.reused);
  });
  for (auto* o : observers_) o->on_batch_end();
}

std::vector<Individual> SearchAlgorithm::select(std::vector<Individual> pop, size_t n) const {
  std::stable_sort(pop.begin(), pop.end(), [&](const Individual& a, const Individual& b) {
    return fitness_before(objective(a), a.id, objective(b), b.id);
  });
  if (pop.size() > n) pop.resize(n);
  return pop;
}

void SearchAlgorithm::record(int iteration, const std::vector<Individual>& pop) {
  const auto sorted = select(pop, pop.size());
  IterationRecord r;
  r.iteration = iteration;
  for (const auto& i : sorted) r.population.push_back(i.id);
  r.best_id = sorted.front().id;
  r.best_ppl = sorted.front().ppl;
  size_t complete = 0;  // raced-out candidates sort last
  while (complete < sorted.size() && !sorted[complete].rejected) ++complete;
  r.median_ppl = sorted[complete / 2 < sorted.size() ? complete / 2 : 0].ppl;
  result_.iterations.push_back(r);
  last_generation_ = sorted;
  for (auto* o : observers_) o->on_iteration(r, sorted, result_);
}

Individual SearchAlgorithm::rejudge(const Individual& best) {
  // The finalists: `best` and the last generation's best, fully scored, by (objective, id).
  std::vector<Individual> pool = last_generation_;
  bool has_best = false;
  for (const auto& i : pool) has_best = has_best || i.id == best.id;
  if (!has_best) pool.push_back(best);
  std::vector<Individual> finalists;
  for (const auto& i : select(pool, pool.size()))
    if (!i.rejected && std::isfinite(objective(i)) &&
        finalists.size() < static_cast<size_t>(rejudge_.count))
      finalists.push_back(i);
  if (finalists.empty()) return best;
  rejudge_in_f32(finalists, rejudge_, [&](const Individual& ind, bool fresh) {
    for (auto& r : result_.individuals) {
      if (r.id != ind.id) continue;
      r.ppl_f32 = ind.ppl_f32;
      r.short_ppl_f32 = ind.short_ppl_f32;
    }
    for (auto* o : observers_) o->on_rejudged(ind, fresh);
  });
  result_.rejudged = finalists;
  const auto f32 = [&](const Individual& i) {
    Fitness f;
    f.ppl = i.ppl_f32;
    f.short_ppl = i.short_ppl_f32;
    return objective_(f);  // NaN sorts last
  };
  const Individual* pick = &finalists.front();
  for (const auto& i : finalists)
    if (fitness_before(f32(i), i.id, f32(*pick), pick->id)) pick = &i;
  return *pick;
}

EvolutionResult SearchAlgorithm::finish(const Individual& best) {
  result_.best = rejudge_.active() ? rejudge(best) : best;
  for (auto* o : observers_) o->on_end(result_);
  std::sort(result_.individuals.begin(), result_.individuals.end(),
            [](const Individual& x, const Individual& y) { return x.id < y.id; });
  return result_;
}

}  // namespace lr

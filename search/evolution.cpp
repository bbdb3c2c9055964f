// Evolution loop, archive bookkeeping and the per-iteration progress line.
#include "search/evolution.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <numeric>
#include <unordered_set>

#include "core/util/atomic_file.h"
#include "core/util/error.h"
#include "eval/progress.h"
#include "search/sampling.h"

namespace lr {

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

Evolution::Evolution(SearchSpace space, HyperParams hp, uint64_t seed, Evaluator& evaluator,
                     std::function<double(const Fitness&)> objective)
    : space_(std::move(space)),
      hp_(std::move(hp)),
      rng_(seed),
      evaluator_(evaluator),
      objective_(std::move(objective)) {
  hp_.validate();
}

void Evolution::set_output(const std::string& dir, nlohmann::json config, nlohmann::json extra,
                           std::string factors_key) {
  factors_key_ = std::move(factors_key);
  dir_ = dir;
  config_ = std::move(config);
  final_extra_ = std::move(extra);
}

void Evolution::set_resume_cache(const std::vector<Individual>& done) {
  for (const auto& ind : done) cache_[space_.key(ind)] = ind;
}

void Evolution::log_line(const std::string& s) {
  if (!quiet_ && isatty(STDERR_FILENO)) std::fprintf(stderr, "%s\n", s.c_str());
  if (dir_.empty()) return;
  std::ofstream log(dir_ + "/search.log", std::ios::app);
  log << s << "\n";
  log.close();
  if (!log) fail(ErrorKind::Io, "cannot append to '" + dir_ + "/search.log' (disk full?)");
}

double Evolution::objective(const Individual& i) const {
  if (i.rejected) return std::numeric_limits<double>::infinity();
  Fitness f;
  f.ppl = i.ppl;
  f.short_ppl = i.short_ppl;
  return objective_(f);
}

void Evolution::add_candidate(Individual ind, std::vector<Individual>& batch) {
  ind.id = next_id_++;
  ind.iteration = iteration_;
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

void Evolution::save_archive(int64_t final_best) {
  if (dir_.empty()) return;
  ArchiveData a;
  a.config = config_;
  a.half = space_.half;
  a.individuals = result_.individuals;
  // A resumed run replays from the start: archived evaluations not replayed yet stay in the
  // archive, so a kill during the replay never loses finished work.
  std::unordered_set<int64_t> have;
  for (const auto& ind : a.individuals) have.insert(ind.id);
  for (const auto& [id, ind] : pending_)  // screened and kept: the screen's work is kept too
    if (have.insert(id).second) a.individuals.push_back(ind);
  for (const auto& [key, ind] : cache_)
    if (!have.count(ind.id)) a.individuals.push_back(ind);
  std::sort(a.individuals.begin(), a.individuals.end(),
            [](const Individual& x, const Individual& y) { return x.id < y.id; });
  a.iterations = result_.iterations;
  a.final_best = final_best;
  write_archive(dir_ + "/archive.h5", a);
}

void Evolution::add_scored(const Individual& ind) {
  pending_.erase(ind.id);
  result_.individuals.push_back(ind);
  result_.tokens += ind.tokens;
  result_.rejected += ind.rejected ? 1 : 0;
  result_.screened_out += ind.screened_out() ? 1 : 0;
}

const Individual* Evolution::cached(const Individual& ind) const {
  auto it = cache_.find(space_.key(ind));
  return it != cache_.end() && it->second.id == ind.id ? &it->second : nullptr;
}

void Evolution::screen(std::vector<Individual>& batch) {
  std::vector<size_t> todo;
  for (size_t i = 0; i < batch.size(); ++i) {
    const Individual* c = cached(batch[i]);
    if (c && c->screen_ppl > 0) {
      batch[i].screen_ppl = c->screen_ppl;
      batch[i].tokens = c->tokens;  // the screen's (a full score reused later brings its own)
      batch[i].wall_time = c->wall_time;
    } else {
      todo.push_back(i);
    }
  }
  if (!todo.empty()) {
    save_archive();
    std::vector<Individual> work;
    for (size_t i : todo) work.push_back(batch[i]);
    screen_->evaluate(work, Race{}, [&](size_t k, const Fitness& f) {
      Individual& ind = batch[todo[k]];
      // A screen PPL of exactly 0 cannot happen (PPL >= 1); NaN (a broken candidate) is kept
      // as the largest value, so the candidate is screened out.
      ind.screen_ppl = std::isnan(f.ppl) ? std::numeric_limits<double>::max() : f.ppl;
      ind.tokens = f.tokens;
      ind.wall_time = now_seconds() - start_;
      pending_[ind.id] = ind;
      save_archive();  // never lose a finished screen
    });
  }
  std::vector<size_t> order(batch.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return fitness_before(batch[a].screen_ppl, batch[a].id, batch[b].screen_ppl, batch[b].id);
  });
  const size_t keep = std::max<size_t>(
      1, static_cast<size_t>(std::ceil(screen_keep_ * static_cast<double>(batch.size()) - 1e-9)));
  for (size_t r = keep; r < order.size(); ++r) {
    Individual& ind = batch[order[r]];
    ind.rejected = true;
    ind.ppl = std::nan("");
    ind.item_nll.clear();
    add_scored(ind);
    if (cached(ind))
      ++result_.reused;
    else
      ++result_.evaluated;
  }
  if (!todo.empty()) save_archive();
}

void Evolution::evaluate(std::vector<Individual>& batch, const Race& race) {
  std::vector<size_t> todo;
  for (size_t i = 0; i < batch.size(); ++i) {
    if (batch[i].screened_out()) continue;  // scored by screen() already
    const Individual* c = cached(batch[i]);
    if (c && !c->screen_pending()) {
      batch[i].ppl = c->ppl;
      batch[i].short_ppl = c->short_ppl;
      batch[i].wall_time = c->wall_time;
      batch[i].item_nll = c->item_nll;
      batch[i].rejected = c->rejected;
      batch[i].tokens = c->tokens;
      add_scored(batch[i]);
      ++result_.reused;
    } else {
      todo.push_back(i);
    }
  }
  if (todo.empty()) return;
  save_archive();
  std::vector<Individual> work;
  for (size_t i : todo) work.push_back(batch[i]);
  evaluator_.evaluate(work, race, [&](size_t k, const Fitness& f) {
    Individual& ind = batch[todo[k]];
    ind.ppl = f.ppl;
    ind.short_ppl = f.short_ppl;
    ind.item_nll = f.item_nll;
    ind.rejected = f.rejected;
    ind.tokens += f.tokens;  // after the screen's, if any
    ind.wall_time = now_seconds() - start_;
    add_scored(ind);
    ++result_.evaluated;
    save_archive();  // never lose a finished evaluation
  });
}

std::vector<Individual> Evolution::select(std::vector<Individual> pop, size_t n) const {
  std::stable_sort(pop.begin(), pop.end(), [&](const Individual& a, const Individual& b) {
    return fitness_before(objective(a), a.id, objective(b), b.id);
  });
  if (pop.size() > n) pop.resize(n);
  return pop;
}

void Evolution::record(int iteration, const std::vector<Individual>& pop) {
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
  if (!dir_.empty()) {
    char name[64];
    std::snprintf(name, sizeof name, "/result_it%03d.csv", iteration);
    write_factors_csv(dir_ + name, sorted.front().lambda);
  }
  save_archive();
  const double el = now_seconds() - start_;
  const long done = static_cast<long>(result_.individuals.size());
  const double rate = el > 0 ? result_.evaluated / (el / 60.0) : 0;
  const double eta = rate > 0 ? (planned_ - done) / rate * 60.0 : -1;
  char screened[48] = "";
  if (screen_) std::snprintf(screened, sizeof screened, ", %ld screened out", result_.screened_out);
  char line[384];
  std::snprintf(line, sizeof line,
                "[iter %3d/%d] best %.4f (n̂=%d) median %.4f  evals %ld/%ld (%ld reused, %ld "
                "raced out%s)  %.3g tokens  %.1f evals/min  ETA %s",
                iteration, hp_.iterations(), r.best_ppl, sorted.front().start_tokens, r.median_ppl,
                done, planned_, result_.reused, result_.raced_out(), screened,
                static_cast<double>(result_.tokens), rate, format_duration(eta).c_str());
  log_line(line);
}

EvolutionResult Evolution::run(const std::vector<Seed>& seeds) {
  start_ = now_seconds();
  const int P = hp_.population(), K = hp_.parents();
  planned_ = P + static_cast<long>(hp_.iterations()) * (hp_.mutations() + hp_.crossovers());
  // Initial population: the seeds (projected onto the grid and constraints), then mutations.
  std::vector<Individual> batch;
  std::vector<size_t> seed_idx;
  for (const auto& s : seeds) {
    Individual ind;
    ind.lambda = space_.project(s.lambda);
    ind.start_tokens = space_.start_token_set.front();
    if (seen_.count(space_.key(ind))) continue;
    log_line("seed " + s.label + " -> id " + std::to_string(next_id_));
    seed_idx.push_back(batch.size());
    add_candidate(ind, batch);
  }
  if (batch.empty()) fail(ErrorKind::InvalidArgument, "search: no seeds");
  const std::vector<Individual> seed_inds = batch;
  int failures = 0;
  while (static_cast<int>(batch.size()) < P && failures < 100) {
    const auto& parent = seed_inds[sample_int(rng_, 0, static_cast<int64_t>(seed_inds.size()) - 1)];
    auto child = mutate(parent, space_, seen_, rng_);
    if (child)
      add_candidate(*child, batch);
    else
      ++failures;
  }
  evaluate(batch);
  std::vector<Individual> population = batch;
  record(0, population);

  for (iteration_ = 1; iteration_ <= hp_.iterations(); ++iteration_) {
    const auto parents = select(population, static_cast<size_t>(K));
    const int np = static_cast<int>(parents.size());
    std::vector<Individual> children;
    auto pick = [&]() { return static_cast<int>(sample_int(rng_, 0, np - 1)); };
    for (int j = 0; j < hp_.mutations(); ++j) {
      auto c = mutate(parents[pick()], space_, seen_, rng_);
      if (c) add_candidate(*c, children);
    }
    for (int j = 0; j < hp_.crossovers() && np >= 2; ++j) {
      int a = pick(), b = pick();
      while (b == a) b = pick();
      if (a > b) std::swap(a, b);
      auto c = crossover(parents[a], parents[b], space_, seen_, rng_, hp_.crossover_tries());
      if (!c) c = mutate(parents[a], space_, seen_, rng_);
      if (c) add_candidate(*c, children);
    }
    const Race race = racing_ ? make_race(parents, static_cast<size_t>(K), racing_z_) : Race{};
    if (screen_ && !children.empty()) screen(children);
    evaluate(children, race);
    population = parents;
    population.insert(population.end(), children.begin(), children.end());
    record(iteration_, population);
  }
  const auto final_pop = select(population, static_cast<size_t>(K));
  result_.best = final_pop.front();
  save_archive(result_.best.id);
  if (!dir_.empty()) {
    write_factors_csv(dir_ + "/result_final.csv", result_.best.lambda);
    nlohmann::json j = final_extra_;
    j[factors_key_] = result_.best.lambda;
    j["start_tokens"] = result_.best.start_tokens;
    j["ppl"] = result_.best.ppl;
    if (result_.best.short_ppl > 0) j["short_ppl"] = result_.best.short_ppl;
    j["id"] = result_.best.id;
    j["tokens_processed"] = result_.tokens;
    j["evaluations"] = static_cast<long>(result_.individuals.size());
    j["raced_out"] = result_.raced_out();
    if (screen_) j["screened_out"] = result_.screened_out;
    const std::string text = j.dump(2) + "\n";
    write_file_atomically(dir_ + "/result_final.json", text);
  }
  std::sort(result_.individuals.begin(), result_.individuals.end(),
            [](const Individual& x, const Individual& y) { return x.id < y.id; });
  return result_;
}

}  // namespace lr

// pagmo2 optimizers on the box genotype: the problem, the batch evaluator and the generations.
#include "search/pagmo_search.h"

#include <algorithm>
#include <cmath>
#include <pagmo/algorithm.hpp>
#include <pagmo/algorithms/cmaes.hpp>
#include <pagmo/algorithms/gaco.hpp>
#include <pagmo/algorithms/nsga2.hpp>
#include <pagmo/algorithms/pso_gen.hpp>
#include <pagmo/algorithms/xnes.hpp>
#include <pagmo/bfe.hpp>
#include <pagmo/population.hpp>
#include <pagmo/problem.hpp>
#include <unordered_map>
#include <unordered_set>

#include "core/util/error.h"
#include "search/genotype.h"
#include "search/sampling.h"

namespace lr {

namespace {

constexpr double kWorst = 1e300;  // the fitness of a broken or screened-out candidate

class PagmoSearch : public SearchAlgorithm {
 public:
  PagmoSearch(SearchSpace space, PagmoOptions o, Evaluator& evaluator,
              std::function<double(const Fitness&)> objective)
      : SearchAlgorithm(space, evaluator, std::move(objective)),
        o_(std::move(o)),
        genotype_(std::move(space)),
        rng_(o_.seed) {
    validate_optimizer_settings(o_.optimizer, o_.settings);
  }

  EvolutionResult run(const std::vector<Seed>& seeds) override;

  // The fitness vectors of the genomes `zs` (flattened, genotype-sized each), scored as one
  // batch: new genomes are scored (screened first when set), repeats take their cached score.
  std::vector<double> fitness_of(const std::vector<double>& flat);

 private:
  long setting(const char* k) const { return o_.settings.at(k).get<long>(); }
  double real(const char* k) const { return o_.settings.at(k).get<double>(); }
  std::vector<double> fitness_vector(const Individual& ind) const;
  pagmo::algorithm make_algorithm(unsigned seed32);
  std::vector<Individual> members(const pagmo::population& pop);
  // Scores `batch` (screened first from generation 1 on, when set) and indexes it by key.
  void score_and_index(std::vector<Individual>& batch);

  PagmoOptions o_;
  Genotype genotype_;
  Rng rng_;
  int generation_ = 0;
  // SearchSpace::key -> index into result_.individuals (every candidate scored, in order).
  std::unordered_map<std::string, size_t> by_key_;
  const Individual& scored(const std::string& key) const {
    return result_.individuals.at(by_key_.at(key));
  }
};

// pagmo's user-defined problem: the box, one or two objectives, fitness through the search.
struct GenomeProblem {
  PagmoSearch* search = nullptr;
  size_t dim = 1;
  size_t objectives = 1;
  pagmo::vector_double fitness(const pagmo::vector_double& x) const {
    return search->fitness_of(x);
  }
  std::pair<pagmo::vector_double, pagmo::vector_double> get_bounds() const {
    return {pagmo::vector_double(dim, 0.0), pagmo::vector_double(dim, 1.0)};
  }
  pagmo::vector_double::size_type get_nobj() const { return objectives; }
  std::string get_name() const { return "longrope factors"; }
};

// pagmo's user-defined batch evaluator: a generation's genomes as one batch of the search.
struct GenomeBatch {
  PagmoSearch* search = nullptr;
  pagmo::vector_double operator()(const pagmo::problem&, const pagmo::vector_double& dvs) const {
    return search->fitness_of(dvs);
  }
  std::string get_name() const { return "longrope batch"; }
};

std::vector<double> PagmoSearch::fitness_vector(const Individual& ind) const {
  const auto clean = [](double v) { return std::isfinite(v) ? v : kWorst; };
  if (optimizer_objectives(o_.optimizer) == 2) {
    if (ind.rejected) return {kWorst, kWorst};
    return {clean(ind.ppl), clean(ind.short_ppl > 0 ? ind.short_ppl : kWorst)};
  }
  return {clean(objective(ind))};
}

std::vector<double> PagmoSearch::fitness_of(const std::vector<double>& flat) {
  const size_t dim = genotype_.size();
  const size_t n = flat.size() / dim;
  std::vector<std::string> keys(n);
  std::vector<Individual> batch;
  for (size_t k = 0; k < n; ++k) {
    Individual ind;
    static_cast<Genome&>(ind) = genotype_.decode(
        std::vector<double>(flat.begin() + static_cast<std::ptrdiff_t>(k * dim),
                            flat.begin() + static_cast<std::ptrdiff_t>((k + 1) * dim)));
    keys[k] = space_.key(ind);
    if (seen_.count(keys[k])) continue;  // scored before, or earlier in this batch
    ind.origin = Origin::Optimizer;
    add_candidate(std::move(ind), generation_, batch);
  }
  if (!batch.empty()) score_and_index(batch);
  std::vector<double> out;
  for (size_t k = 0; k < n; ++k)
    for (double v : fitness_vector(scored(keys[k]))) out.push_back(v);
  return out;
}

void PagmoSearch::score_and_index(std::vector<Individual>& batch) {
  const size_t from = result_.individuals.size();
  if (o_.screen && generation_ > 0) screen(batch, *o_.screen, o_.screen_keep);
  score(batch);
  for (size_t i = from; i < result_.individuals.size(); ++i)
    by_key_[space_.key(result_.individuals[i])] = i;
}

pagmo::algorithm PagmoSearch::make_algorithm(unsigned seed32) {
  const auto gen1 = 1u;  // one generation per evolve(): the loop below records and budgets
  GenomeBatch batch{this};
  switch (o_.optimizer) {
    case Optimizer::Cmaes:
      return pagmo::algorithm(pagmo::cmaes(gen1, real("cc"), real("cs"), real("c1"), real("cmu"),
                                           real("sigma0"), real("ftol"), real("xtol"), true, false,
                                           seed32));
    case Optimizer::Xnes:
      return pagmo::algorithm(pagmo::xnes(gen1, real("eta_mu"), real("eta_sigma"), real("eta_b"),
                                          real("sigma0"), real("ftol"), real("xtol"), true, false,
                                          seed32));
    case Optimizer::PsoGen: {
      pagmo::pso_gen a(gen1, real("omega"), real("eta1"), real("eta2"), real("max_vel"),
                       static_cast<unsigned>(setting("variant")),
                       static_cast<unsigned>(setting("neighb_type")),
                       static_cast<unsigned>(setting("neighb_param")), true, seed32);
      a.set_bfe(pagmo::bfe(batch));
      return pagmo::algorithm(std::move(a));
    }
    case Optimizer::Gaco: {
      pagmo::gaco a(gen1, static_cast<unsigned>(setting("ker")), real("q"), real("oracle"),
                    real("acc"), static_cast<unsigned>(setting("threshold")),
                    static_cast<unsigned>(setting("n_gen_mark")),
                    static_cast<unsigned>(setting("impstop")),
                    static_cast<unsigned>(setting("evalstop")), real("focus"), true, seed32);
      a.set_bfe(pagmo::bfe(batch));
      return pagmo::algorithm(std::move(a));
    }
    case Optimizer::Nsga2: {
      pagmo::nsga2 a(gen1, real("cr"), real("eta_c"), real("m"), real("eta_m"), seed32);
      a.set_bfe(pagmo::bfe(batch));
      return pagmo::algorithm(std::move(a));
    }
    case Optimizer::Ga:
      break;
  }
  fail(ErrorKind::InvalidArgument, "pagmo search: the GA is search/evolution.h");
}

std::vector<Individual> PagmoSearch::members(const pagmo::population& pop) {
  std::vector<Individual> out;
  std::unordered_set<std::string> have;
  for (const auto& x : pop.get_x()) {
    const std::string k = space_.key(genotype_.decode(x));
    if (have.insert(k).second) out.push_back(scored(k));
  }
  return out;
}

EvolutionResult PagmoSearch::run(const std::vector<Seed>& seeds) {
  start_clock();
  const auto pop_size = static_cast<size_t>(setting("population_size"));
  // Generation 0: the seeds, projected onto the grid and constraints.
  std::vector<Individual> init = seed_candidates(seeds);
  std::vector<std::vector<double>> zs;
  for (const auto& ind : init) zs.push_back(genotype_.encode(ind));
  // Batch optimizers keep a population: samples around the seeds (a step of up to 0.1 per
  // gene) fill it. CMA-ES and xNES start from the best seed and sample their own.
  if (optimizer_takes_batches(o_.optimizer)) {
    const size_t n_seeds = zs.size();
    for (int tries = 0; zs.size() < pop_size && tries < 100 * static_cast<int>(pop_size); ++tries) {
      auto z = zs[static_cast<size_t>(sample_int(rng_, 0, static_cast<int64_t>(n_seeds) - 1))];
      for (double& v : z) v = std::clamp(v + 0.2 * (sample_unit(rng_) - 0.5), 0.0, 1.0);
      const Genome g = genotype_.decode(z);
      if (seen_.count(space_.key(g))) continue;
      Individual ind;
      static_cast<Genome&>(ind) = g;
      ind.origin = Origin::Optimizer;
      add_candidate(std::move(ind), 0, init);
      zs.push_back(genotype_.encode(g));
    }
  }
  score_and_index(init);  // generation 0: never screened
  record(0, init);

  const unsigned seed32 = pagmo_seed(o_.seed);
  GenomeProblem udp{this, genotype_.size(),
                    static_cast<size_t>(optimizer_objectives(o_.optimizer))};
  pagmo::population pop(pagmo::problem(udp), 0u, seed32);
  // Known individuals enter without an evaluation; CMA-ES/xNES get copies of the seeds, best
  // first, so that their population has its size (only its best point, the mean, is used).
  std::vector<size_t> order(init.size());
  for (size_t k = 0; k < order.size(); ++k) order[k] = k;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return fitness_before(objective(init[a]), init[a].id, objective(init[b]), init[b].id);
  });
  for (size_t k = 0; k < pop_size; ++k) {
    const size_t i = order[k % order.size()];
    pop.push_back(zs[i], fitness_vector(init[i]));
  }
  pagmo::algorithm algo = make_algorithm(seed32);
  const long generations = setting("generations");
  for (long g = 1; g <= generations; ++g) {
    if (o_.budget.reached(static_cast<long>(result_.individuals.size()), result_.tokens)) break;
    generation_ = static_cast<int>(g);
    pop = algo.evolve(pop);
    // The generation's members and the best so far: the record's best is the run's best yet,
    // as in the GA's elitist population.
    std::vector<Individual> shown = members(pop);
    const Individual best = select(result_.individuals, 1).front();
    if (std::none_of(shown.begin(), shown.end(),
                     [&](const Individual& m) { return m.id == best.id; }))
      shown.push_back(best);
    record(generation_, shown);
  }
  return finish(select(result_.individuals, 1).front());
}

}  // namespace

std::unique_ptr<SearchAlgorithm> make_pagmo_search(
    SearchSpace space, PagmoOptions o, Evaluator& evaluator,
    std::function<double(const Fitness&)> objective) {
  return std::make_unique<PagmoSearch>(std::move(space), std::move(o), evaluator,
                                       std::move(objective));
}

}  // namespace lr

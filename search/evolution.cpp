// The genetic algorithm's loop: the initial population from the seeds, then generations.
#include "search/evolution.h"

#include "core/util/error.h"

namespace lr {

Evolution::Evolution(SearchSpace space, HyperParams hp, uint64_t seed, Evaluator& evaluator,
                     std::function<double(const Fitness&)> objective, EvolutionOptions o)
    : SearchAlgorithm(std::move(space), evaluator, std::move(objective)),
      hp_(std::move(hp)),
      rng_(seed),
      opt_(o) {
  hp_.validate();
}

long Evolution::planned() const {
  return hp_.population() +
         static_cast<long>(hp_.iterations()) * (hp_.mutations() + hp_.crossovers());
}

EvolutionResult Evolution::run(const std::vector<Seed>& seeds) {
  start_clock();
  const int P = hp_.population(), K = hp_.parents();
  // Initial population: the seeds (projected onto the grid and constraints), then mutations.
  std::vector<Individual> batch = seed_candidates(seeds);
  const std::vector<Individual> seed_inds = batch;
  int failures = 0;
  while (static_cast<int>(batch.size()) < P && failures < 100) {
    const auto& parent = seed_inds[sample_int(rng_, 0, static_cast<int64_t>(seed_inds.size()) - 1)];
    auto child = mutate(parent, space_, seen_, rng_);
    if (child)
      add_candidate(*child, 0, batch);
    else
      ++failures;
  }
  score(batch);
  std::vector<Individual> population = batch;
  record(0, population);

  for (int it = 1; it <= hp_.iterations(); ++it) {
    if (opt_.budget.reached(static_cast<long>(result_.individuals.size()), result_.tokens)) break;
    const auto parents = select(population, static_cast<size_t>(K));
    const int np = static_cast<int>(parents.size());
    std::vector<Individual> children;
    auto pick = [&]() { return static_cast<int>(sample_int(rng_, 0, np - 1)); };
    for (int j = 0; j < hp_.mutations(); ++j) {
      auto c = mutate(parents[pick()], space_, seen_, rng_);
      if (c) add_candidate(*c, it, children);
    }
    for (int j = 0; j < hp_.crossovers() && np >= 2; ++j) {
      int a = pick(), b = pick();
      while (b == a) b = pick();
      if (a > b) std::swap(a, b);
      auto c = crossover(parents[a], parents[b], space_, seen_, rng_, hp_.crossover_tries());
      if (!c) c = mutate(parents[a], space_, seen_, rng_);
      if (c) add_candidate(*c, it, children);
    }
    const Race race =
        opt_.racing ? make_race(parents, static_cast<size_t>(K), opt_.racing_z) : Race{};
    if (opt_.screen && !children.empty()) screen(children, *opt_.screen, opt_.screen_keep);
    score(children, race);
    population = parents;
    population.insert(population.end(), children.begin(), children.end());
    record(it, population);
  }
  return finish(select(population, static_cast<size_t>(K)).front());
}

}  // namespace lr

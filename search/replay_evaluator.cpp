// Resuming: archived results for known candidates, the inner evaluator for the rest.
#include "search/replay_evaluator.h"

namespace lr {

ReplayEvaluator::ReplayEvaluator(Evaluator& inner, const SearchSpace& space,
                                 const std::vector<Individual>& archived, ReplayStage stage)
    : inner_(inner), space_(space), stage_(stage) {
  for (const auto& ind : archived) by_key_[space_.key(ind)] = {ind.id, ind};
}

const Scores* ReplayEvaluator::archived(const Individual& ind) const {
  auto it = by_key_.find(space_.key(ind));
  if (it == by_key_.end() || it->second.id != ind.id) return nullptr;
  const Scores& c = it->second.scores;
  if (stage_ == ReplayStage::Screen) return c.screen_ppl > 0 ? &c : nullptr;
  return c.screen_pending() ? nullptr : &c;  // screened and kept: its full score is to come
}

void ReplayEvaluator::evaluate(const std::vector<Individual>& batch, const Race& race,
                               const OnResult& done) {
  std::vector<size_t> todo;
  for (size_t i = 0; i < batch.size(); ++i) {
    const Scores* c = archived(batch[i]);
    if (!c) {
      todo.push_back(i);
      continue;
    }
    Fitness f;
    f.reused = true;
    f.wall_time = c->wall_time;
    f.tokens = c->tokens;
    if (stage_ == ReplayStage::Screen) {
      f.ppl = c->screen_ppl;
    } else {
      f.ppl = c->ppl;
      f.short_ppl = c->short_ppl;
      f.item_nll = c->item_nll;
      f.rejected = c->rejected;
    }
    done(i, f);
  }
  if (todo.empty()) return;
  std::vector<Individual> work;
  for (size_t i : todo) work.push_back(batch[i]);
  inner_.evaluate(work, race, [&](size_t k, const Fitness& f) { done(todo[k], f); });
}

}  // namespace lr

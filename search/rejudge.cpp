// F32 re-judging of a search's finalists: archived figures reused, the rest scored in F32.
#include "search/rejudge.h"

#include <map>

namespace lr {

ScopedCompute::ScopedCompute(Compute c) : saved_(compute_precision()) { set_compute_precision(c); }

ScopedCompute::~ScopedCompute() { set_compute_precision(saved_); }

bool RejudgeOptions::active() const {
  return count > 0 && evaluator != nullptr && compute_precision() != Compute::F32;
}

void rejudge_in_f32(std::vector<Individual>& finalists, const RejudgeOptions& o,
                    const std::function<void(const Individual&, bool)>& told) {
  std::map<int64_t, const Individual*> before;
  for (const auto& a : o.archived)
    if (a.ppl_f32 > 0) before[a.id] = &a;
  std::vector<size_t> todo;
  for (size_t i = 0; i < finalists.size(); ++i) {
    Individual& ind = finalists[i];
    const auto it = before.find(ind.id);
    if (it == before.end() || it->second->lambda != ind.lambda ||
        it->second->start_tokens != ind.start_tokens || it->second->mscale != ind.mscale) {
      todo.push_back(i);
      continue;
    }
    ind.ppl_f32 = it->second->ppl_f32;
    ind.short_ppl_f32 = it->second->short_ppl_f32;
    told(ind, false);
  }
  if (todo.empty()) return;
  std::vector<Individual> work;
  for (size_t i : todo) work.push_back(finalists[i]);
  const ScopedCompute f32(Compute::F32);
  o.evaluator->evaluate(work, Race{}, [&](size_t k, const Fitness& f) {
    Individual& ind = finalists[todo[k]];
    ind.ppl_f32 = f.ppl;
    ind.short_ppl_f32 = f.short_ppl;
    told(ind, true);
  });
}

}  // namespace lr

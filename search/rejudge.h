// F32 re-judging: a search that ranks in a faster --compute precision scores its finalists in F32.
#pragma once
#include <functional>
#include <vector>

#include "core/kernels/compute.h"
#include "search/evaluator.h"
#include "search/space.h"

namespace lr {

// Finalists re-judged by default (`--rejudge-f32`; 0 = off).
constexpr int kDefaultRejudgeF32 = 4;

// Sets the process-wide precision of the matrix products for its lifetime, then restores the
// one before (also when an exception leaves the scope).
class ScopedCompute {
 public:
  explicit ScopedCompute(Compute c);
  ~ScopedCompute();
  ScopedCompute(const ScopedCompute&) = delete;
  ScopedCompute& operator=(const ScopedCompute&) = delete;

 private:
  Compute saved_;
};

struct RejudgeOptions {
  int count = 0;                     // finalists re-judged (0: off)
  Evaluator* evaluator = nullptr;    // the search's full fitness on this machine (not a replay)
  std::vector<Individual> archived;  // a resumed archive's: finished re-judgements are reused
  // On only when the run computes in a precision other than F32.
  bool active() const;
};

// Gives each of `finalists` its ppl_f32 and short_ppl_f32: the archived figures for an id
// re-judged before (same genome), else `o.evaluator`'s fitness computed with F32 matrix
// products (every item, no racing). `told(ind, fresh)` after each, in finishing order.
void rejudge_in_f32(std::vector<Individual>& finalists, const RejudgeOptions& o,
                    const std::function<void(const Individual&, bool)>& told);

}  // namespace lr

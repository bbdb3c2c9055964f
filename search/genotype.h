// The box genotype of the continuous optimizers: [0,1]^n onto feasible genomes, and back.
#pragma once
#include <vector>

#include "search/space.h"

namespace lr {

// Every point of the unit box maps onto a genome that satisfies the space's constraints, so an
// optimizer needs no constraint handling; points outside the box are clipped onto it.
//
// The searched pairs i_1 < ... < i_m (SearchSpace::searched) take the genes z_1..z_m: sorted,
// u = sort(z), they place each factor on a log scale between its bounds,
//   λ_{i_k} = lo_k · (hi_k / lo_k)^{u_k},
// so the factors are non-decreasing by construction. The other pairs (fixed pieces, pairs
// derived from others) and the 0.01 grid come from SearchSpace::project. λ = lo (λ_0 = 1 in
// dim_mono) is the box bound u = 0; equal neighbours are equal genes, or neighbours closer than
// half a grid step. With a searched n̂ one more gene picks the member of start_token_set by
// rounding z · (members - 1), and with --search-mscale the last gene places the attention factor
// linearly between its bounds (SearchSpace::snap_mscale).
//
// encode() is the inverse on the grid: decode(encode(g)) == g for every feasible genome g.
// (A softmax of log-steps, the other natural map, needs genes of about -16 for the zero steps of
// a 64-pair seed to come back after the snap; those seeds would then sit where no optimizer
// moves. Sorting has no such bound: zero steps are equal genes.)
class Genotype {
 public:
  explicit Genotype(SearchSpace space);
  size_t size() const {
    return pairs_.size() + (space_.search_start_tokens ? 1 : 0) + (space_.search_mscale() ? 1 : 0);
  }
  const std::vector<int>& searched_pairs() const { return pairs_; }
  Genome decode(const std::vector<double>& z) const;
  std::vector<double> encode(const Genome& g) const;

 private:
  SearchSpace space_;
  std::vector<int> pairs_;
};

}  // namespace lr

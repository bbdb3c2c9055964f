// The long-vs-short Pareto front of a search's individuals, its knee, and picking a member.
#pragma once
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "search/space.h"

namespace lr {

// The run optimises two objectives at once (long PPL at the target, short PPL at L): its
// configuration's "optimizer" has two objectives (nsga2). Absent = "ga" (older archives).
bool two_objectives(const nlohmann::json& config);

// The length the short PPL is scored at: "short_length", else for a two-objective run L
// ("original_length"; nsga2's default); 0 when neither is known.
int short_length_of(const nlohmann::json& config);

// A member candidate: evaluated in full (not raced or screened out), ppl finite and > 0,
// short_ppl finite and > 0 (scored at the short length).
bool has_both_objectives(const Individual& ind);

// True when some individual of `all` has both objectives (a --short-length run or nsga2).
bool any_short_ppl(const std::vector<Individual>& all);

// The non-dominated set of the candidates of `all`, minimising (ppl, short_ppl): a member is
// kept unless another is no worse in both and better in one; of exact duplicates in both
// objectives the lowest id is kept. Sorted by long PPL ascending (so short PPL descending).
std::vector<Individual> pareto_front(const std::vector<Individual>& all);

// The knee of a front sorted as pareto_front returns it (index into it; -1 when empty).
// Rule: normalise both objectives over the front to [0, 1] (x = long, y = short; 0 = the
// front's lowest), draw the line between the two extremes (0, 1) and (1, 0), and take the
// member farthest from it on the side of the ideal point (0, 0), i.e. the largest 1 − x − y;
// ties (including fronts with no member below the line) go to the lowest id. A front of 1 or
// 2 members: the member with the lowest long PPL (its first).
int knee_index(const std::vector<Individual>& front);

// What a run reports as its result: the knee of the front of `all` for a two-objective run
// whose front is not empty, else `best`.
Individual result_individual(const nlohmann::json& config, const std::vector<Individual>& all,
                             const Individual& best);

// Picks an individual of `all` by `rule`:
//   knee        the knee of the front;
//   short<=X    of the front members with short PPL <= X, the one with the lowest long PPL;
//   id=N        individual N, any one evaluated in full (not raced or screened out).
// Errors (InvalidArgument, prefixed by `where`, e.g. "--pick"): malformed rule, no member
// satisfies it, no such id, no individual with a short PPL.
Individual pick_individual(const std::vector<Individual>& all, const std::string& rule,
                           const std::string& where);

// result_final.json's "front": [{id, ppl, short_ppl}], in front order.
nlohmann::json front_json(const std::vector<Individual>& front);

}  // namespace lr

// A build without pagmo2: the GA alone; the other optimizers are refused by name.
#include "core/util/error.h"
#include "search/pagmo_search.h"

namespace lr {

std::unique_ptr<SearchAlgorithm> make_pagmo_search(SearchSpace, PagmoOptions o, Evaluator&,
                                                   std::function<double(const Fitness&)>) {
  fail(ErrorKind::Unsupported, std::string("--optimizer ") + optimizer_name(o.optimizer) +
                                   ": this build has no pagmo2 (Debian libpagmo-dev)");
}

}  // namespace lr

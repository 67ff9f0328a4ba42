// raftsim linearizability: sound rewrites of a partition before its search, for histories whose
// writes have unknown outcomes (timeouts, crashed clients). Such an operation returns at infinity,
// so it is a candidate in every configuration and doubles the states the search can visit.
// 1. An info write whose value no operation observes is dropped. 2. An info write that alone can
// produce a value some completed read observed must take effect before that read returns: it
// becomes required, returning then. Both keep the verdict (README.md, "Capacity").
#pragma once

#include <cstdint>
#include <vector>

#include "sim/linearizability/model.h"
#include "sim/linearizability/search.h"

namespace raftsim::linearizability {

struct ReductionCounts {
  std::size_t dropped = 0;  // info writes no operation observes
  std::size_t bounded = 0;  // info writes given the return of the first read that saw them
};

// Rewrites `operations` (and `history_indices` in step). `bounded_by[i]` is, for an operation
// rewritten by rule 2, the history index of the read whose return it was given (else SIZE_MAX).
// Does nothing when the model's operations are not all plain reads, writes and cas (an append
// builds on the state; Model::value_effect), or when the initial value is unknown.
ReductionCounts reduce_pending_writes(Model& model, std::vector<SearchOperation>& operations,
                                      std::vector<std::size_t>& history_indices,
                                      std::vector<std::size_t>& bounded_by);

}  // namespace raftsim::linearizability

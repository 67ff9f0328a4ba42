// raftsim linearizability: a fast decision for the commonest hard partition, a register whose
// writes all store distinct values. Each value's write and the reads that saw it form a cluster
// that must hold the register over a stretch of time; the history is linearizable iff no two
// clusters must hold it at once (Gibbons & Korach, "Testing shared memories", 1997: zones).
// O(n log n), no search; the checker uses it when it applies and searches otherwise.
#pragma once

#include <optional>
#include <span>

#include "sim/linearizability/model.h"
#include "sim/linearizability/search.h"

namespace raftsim::linearizability {

// True when the partition is linearizable, false when it is not; nullopt when it is not of the
// shape the zones decide: only blind writes and reads (Model::value_effect), every operation
// completed (no info left after reduce_pending_writes), each value written at most once and
// never the initial value.
std::optional<bool> zones_linearizable(Model& model, std::span<const SearchOperation> operations,
                                       ModelState initial_state);

}  // namespace raftsim::linearizability

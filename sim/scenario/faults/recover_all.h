// raftsim: the recover_all fault kind: heal, resume paused nodes, restart crashed ones (and
// those stopped by a storage error), restore the scenario's link, disk and drift settings, and
// resume or restart paused or crashed client processes. The final recovery of every run is one;
// it undoes every other kind (a worker stall, which ends by itself, runs its course).
#pragma once

#include "sim/scenario/faults/fault_kind.h"

namespace raftsim::sim {

struct RecoverAllFault {
  static constexpr std::string_view kName = "recover_all";
  static constexpr bool kRepair = true;
  static constexpr bool kUndoesEverything = true;
  Applied<RecoverAllFault> apply(FaultContext& context) const;
};

}  // namespace raftsim::sim

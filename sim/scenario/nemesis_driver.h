// raftsim: the nemesis stage of a run: random faults one at a time -- wait, inject a fault of a
// kind drawn from the scenario's list (within its budgets), hold it, undo it, wait again -- until
// the nemesis's stop time or its fault budget. Each kind draws its own fault (its draw_nemesis()
// hook, faults/); the steps go through the fault applier like any scheduled step.
// Determinism: every draw (waits, holds, kinds, victims) comes from the run's scenario/nemesis
// stream, in a fixed order: the first wait at construction, then per fault the kind, the node
// shuffle, the kind's own draws, and the hold; the wait after each undo.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "sim/cluster/service_cluster.h"
#include "sim/scenario/fault_applier.h"
#include "sim/scenario/scenario.h"
#include "sim/scenario/selectors.h"

namespace raftsim::sim {

class NemesisDriver {
 public:
  NemesisDriver(const Nemesis& nemesis, Random& random, ServiceCluster& cluster,
                SelectorResolver& selectors, const ServiceClusterOptions& base);

  // When the nemesis next acts (kTimeNever once it is done).
  Time next() const { return next_; }
  // Acts if it is time: undoes the fault it holds, or injects the next one.
  void fire(Time now, FaultApplier& applier);

 private:
  Time draw(Time low, Time high);
  // One random fault of `kind` and the steps that undo it.
  NemesisDraw draw_fault(NemesisKind kind, const std::vector<DiskConfig>& disk_configs);

  Nemesis nemesis_;
  Random& random_;
  ServiceCluster& cluster_;
  SelectorResolver& selectors_;
  const ServiceClusterOptions& base_;
  std::vector<std::uint32_t> budgets_;  // per kind (NemesisKind::index)
  std::uint32_t used_ = 0;
  Time next_ = kTimeNever;
  std::vector<FaultStep> undo_;
};

}  // namespace raftsim::sim

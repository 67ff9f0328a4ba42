// raftsim: the scheduling stage of a run: fires the scenario's fault steps in order when their
// time comes. A step that names a role nobody holds ("leader" during an election, a
// "new-leader" not yet elected or not yet leading for leading_ms) waits -- polled every 10 ms,
// every millisecond for "new-leader" -- for at most kRoleWaitMax, then is skipped; later steps
// wait behind it, so the schedule keeps its order. Selector resolution and application are the
// next stages (selectors.h, fault_applier.h).
#pragma once

#include <cstddef>
#include <vector>

#include "sim/scenario/fault_applier.h"
#include "sim/scenario/faults/fault.h"
#include "sim/scenario/selectors.h"

namespace raftsim::sim {

class StepSchedule {
 public:
  // A step that names a role nobody holds waits this long at most.
  static constexpr Time kRoleWaitMax = seconds(3);
  static constexpr Time kRoleRetryPeriod = milliseconds(10);
  static constexpr Time kNewLeaderRetryPeriod = milliseconds(1);

  explicit StepSchedule(const std::vector<FaultStep>& steps) : steps_(steps) {}

  // When the next step is due (its time, or its retry time while it waits); kTimeNever if none.
  Time next() const;
  // Fires every step due at `now`, in order, up to the first that must wait.
  void fire_due(Time now, SelectorResolver& selectors, FaultApplier& applier);
  // How many steps have fired or been skipped: steps [0, passed()) are behind.
  std::size_t passed() const { return next_step_; }

 private:
  const std::vector<FaultStep>& steps_;
  std::size_t next_step_ = 0;
  Time retry_at_ = 0;
};

}  // namespace raftsim::sim

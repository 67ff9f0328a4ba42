// raftsim: the scheduling stage (see step_schedule.h).
#include "sim/scenario/step_schedule.h"

#include <algorithm>
#include <string>

namespace raftsim::sim {

Time StepSchedule::next() const {
  if (next_step_ >= steps_.size()) return kTimeNever;
  return std::max(steps_[next_step_].at, retry_at_);
}

void StepSchedule::fire_due(Time now, SelectorResolver& selectors, FaultApplier& applier) {
  while (next_step_ < steps_.size() && steps_[next_step_].at <= now && retry_at_ <= now) {
    const FaultStep& step = steps_[next_step_];
    const std::string origin = "faults/" + std::to_string(next_step_);
    if (selectors.needs_missing_leader(step)) {
      if (now - step.at < kRoleWaitMax) {
        // A new leader is caught within a millisecond of its election, before its first
        // appends are on their way (they leave after its fsync).
        retry_at_ =
            now + (step_names(step, "new-leader") ? kNewLeaderRetryPeriod : kRoleRetryPeriod);
        return;  // later steps wait behind this one: the schedule keeps its order
      }
      applier.skip(step, origin,
                   "no leader for " + std::to_string(kRoleWaitMax / kMillisecond) + " ms");
    } else {
      selectors.set_leading_min(step.leading_min);
      applier.apply(step, origin);
    }
    retry_at_ = 0;
    selectors.end_step();
    ++next_step_;
  }
}

}  // namespace raftsim::sim

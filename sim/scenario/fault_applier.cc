// raftsim: the fault-application stage (see fault_applier.h).
#include "sim/scenario/fault_applier.h"

#include <utility>

#include "sim/scenario/faults/fault_context.h"

namespace raftsim::sim {

FaultApplier::FaultApplier(ServiceCluster& cluster, SelectorResolver& selectors, Random& random,
                           const ServiceClusterOptions& base, RecoveryTracker& tracker,
                           BeforeFault before_fault)
    : cluster_(cluster),
      selectors_(selectors),
      random_(random),
      base_(base),
      tracker_(tracker),
      before_fault_(std::move(before_fault)),
      disk_configs_(base.server_slots(), base.disk) {}

void FaultApplier::apply(const FaultStep& step, const std::string& origin) {
  if (before_fault_) before_fault_(step, origin, cluster_);
  selectors_.begin_step();
  World& world = cluster_.world();
  FaultContext context{cluster_, selectors_, random_, base_, disk_configs_};
  FaultOutcome outcome = apply_fault(step.fault, context);
  FaultStep concrete = step;
  concrete.at = world.now();
  concrete.bind_as.clear();
  concrete.leading_min = 0;  // the wait is over: `at` is when it fired
  concrete.fault = std::move(outcome.concrete);
  const std::string description = std::string(fault_name(step.fault)) + outcome.description;
  if (!step.bind_as.empty() && outcome.targets.size() == 1) {
    selectors_.bind(step.bind_as, outcome.targets[0]);
  }
  if (!outcome.per_node.empty()) {
    // Several nodes: one concrete step each keeps the exported schedule exact.
    for (Fault& single : outcome.per_node) {
      FaultStep one = concrete;
      one.fault = std::move(single);
      record(one, origin, description);
    }
    tracker_.on_event(world.now(), description);
    return;
  }
  if (!outcome.skipped_because.empty()) {
    skip(concrete, origin, outcome.skipped_because);
    return;
  }
  world.note(origin + ": " + description);
  record(concrete, origin, description);
  tracker_.on_event(world.now(), description);
}

void FaultApplier::skip(const FaultStep& step, const std::string& origin, const std::string& why) {
  AppliedFault applied;
  applied.step = step;
  applied.step.at = cluster_.world().now();
  applied.origin = origin;
  applied.skipped = true;
  applied.note = why;
  cluster_.world().note("skipped " + std::string(fault_name(step.fault)) + ": " + why);
  timeline_.push_back(std::move(applied));
}

void FaultApplier::record(const FaultStep& concrete, const std::string& origin,
                          const std::string& note) {
  AppliedFault applied;
  applied.step = concrete;
  applied.origin = origin;
  applied.note = note;
  timeline_.push_back(std::move(applied));
}

}  // namespace raftsim::sim

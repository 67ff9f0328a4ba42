// raftsim: the fault-application stage of a run. apply() fires one step now: it resolves the
// step's selectors (selectors.h), lets the step's kind change the world (faults/), binds an
// "as" name, and records what happened: a concrete step (node names only) in the timeline, a
// trace note, and a recovery measurement opened in the tracker. A step that hit nothing is kept
// as skipped, with the reason. Every fault of a run passes through here, from the schedule, the
// nemesis or the final recovery, so the timeline replays the run.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "sim/checkers/recovery.h"
#include "sim/cluster/service_cluster.h"
#include "sim/scenario/faults/fault.h"
#include "sim/scenario/selectors.h"

namespace raftsim::sim {

// A fault step as it was applied: the time it fired, and what it did with selectors resolved.
struct AppliedFault {
  FaultStep step;      // concrete: node names only
  std::string origin;  // "faults/3", "nemesis" or "final recovery"
  bool skipped = false;
  std::string note;  // why skipped, or what the selectors resolved to
};

// Called just before each step (selectors not yet resolved) is applied.
using BeforeFault =
    std::function<void(const FaultStep& step, const std::string& origin, ServiceCluster& cluster)>;

class FaultApplier {
 public:
  FaultApplier(ServiceCluster& cluster, SelectorResolver& selectors, Random& random,
               const ServiceClusterOptions& base, RecoveryTracker& tracker,
               BeforeFault before_fault);

  void apply(const FaultStep& step, const std::string& origin);
  // Records a step that does not fire (e.g. no leader to hit), with the reason.
  void skip(const FaultStep& step, const std::string& origin, const std::string& why);

  const std::vector<AppliedFault>& timeline() const { return timeline_; }
  // Each node's disk settings now (disk faults change them; recover_all restores them).
  const std::vector<DiskConfig>& disk_configs() const { return disk_configs_; }

 private:
  void record(const FaultStep& concrete, const std::string& origin, const std::string& note);

  ServiceCluster& cluster_;
  SelectorResolver& selectors_;
  Random& random_;
  const ServiceClusterOptions& base_;
  RecoveryTracker& tracker_;
  BeforeFault before_fault_;
  std::vector<DiskConfig> disk_configs_;
  std::vector<AppliedFault> timeline_;
};

}  // namespace raftsim::sim

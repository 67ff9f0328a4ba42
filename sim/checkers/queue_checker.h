// raftsim: the job-queue checker. Judges a QueueHistory and the final QueueFinalState against the
// queue's guarantee (at-least-once execution, exactly-once completion recording, fencing tokens,
// idempotent enqueue, bounded attempts): Jepsen's total-queue categories adapted to jobs plus
// job-level rules, defined in sim/checkers/README.md. Deterministic (ordered maps, sorted
// findings), O(n log n) in operations and jobs, listing bounded by QueueCheckOptions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/checkers/queue_check_report.h"
#include "sim/kernel/time.h"
#include "sim/workload/queue_history.h"

namespace raftsim::sim {

struct QueueCheckOptions {
  // The lease duration (state-machine time) for leases whose lease_ns was not recorded; grant
  // time = lease_expires - duration. 0: such redeliveries are not judged (listed in skipped).
  Time lease_duration = 0;
  // Two ok enqueues with one key are held to one job only if the later was invoked within this
  // window (virtual time) after the earlier returned. kTimeNever: keys never expire.
  Time idempotency_window = kTimeNever;
  // The queue's retry backoff after the n-th failed attempt, min(base << (n - 1), max)
  // (state-machine time). 0: retry timing is not judged.
  Time backoff_base = 0;
  Time backoff_max = 0;
  // Findings listed per rule; counts always cover every finding.
  std::size_t findings_listed_per_rule_max = 100;
  // Operations named per finding (the first ones by index).
  std::size_t operations_per_finding_max = 8;
};

QueueCheckReport check_queue(const QueueHistory& history, const QueueFinalState& final_state,
                             const QueueCheckOptions& options = {});

}  // namespace raftsim::sim

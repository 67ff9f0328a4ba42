// raftsim: the queue checker's timing and refusal rules -- leases before not_before or before a
// failed attempt's backoff, failed jobs held back longer than their backoff, refusal reasons the
// final state contradicts, the queue's own counters below what the history acknowledged
// (sim/checkers/README.md). Called by check_queue; separate so each file
// stays small. Every time here is state-machine time (the leader's stamped clock).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "sim/checkers/queue_check_report.h"
#include "sim/checkers/queue_checker.h"

namespace raftsim::sim {

// One violation before the checker turns it into a QueueFinding (operation indexes unsorted).
struct QueueRuleHit {
  QueueRule rule = QueueRule::lost;
  JobId job_id = 0;
  std::vector<std::size_t> operations;
  std::string detail;
};

// The retry delay after the n-th failed attempt (n >= 1): min(base << (n - 1), max).
Time queue_backoff(const QueueCheckOptions& options, std::uint64_t attempt);

std::vector<QueueRuleHit> check_queue_timing(const QueueHistory& history,
                                             const QueueFinalState& final_state,
                                             const QueueCheckOptions& options);

}  // namespace raftsim::sim

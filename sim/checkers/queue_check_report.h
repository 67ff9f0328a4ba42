// raftsim: what the job-queue checker reports -- the rules it applies (QueueRule, each with a
// name and a Jepsen total-queue category), its findings, the totals, and the report's JSON and
// text forms. The checking itself is in queue_checker.h; this half needs no history. Rules are
// listed in report order, and every count array is indexed by QueueRule.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "sim/kernel/time.h"
#include "sim/workload/queue_history.h"

namespace raftsim::sim {

// Every rule the checker applies. Order is the report's order.
enum class QueueRule : std::uint8_t {
  lost,                          // acknowledged enqueue, job never reached and no longer known
  unexpected,                    // a job no enqueue can have created
  duplicated_same_token,         // two ok leases of one job with the same attempt
  duplicated_overlapping_lease,  // redelivered while the previous lease was unexpired, not failed
  duplicated_after_final,        // leased after an ok complete or cancel had returned
  recovered,                     // delivered although its enqueue's outcome was unknown (info)
  completed_twice,               // two ok completes, or a final completion count above one
  stale_token_accepted,          // an ok complete with a token that was not the current attempt
  idempotency_key_reused,        // one idempotency key returned two different job ids
  attempts_exceeded,             // an attempt beyond max_attempts
  completion_not_recorded,       // an ok complete but the final state is not completed
  lease_never_expires,           // the final state holds a lease longer than any lease granted
  // Timing and refusal rules (queue_timing_rules.h).
  leased_before_not_before,         // granted before the creating enqueue's not_before
  leased_before_backoff,            // re-leased sooner than the failed attempt's backoff
  retry_delay_exceeds_backoff,      // a failed job waits longer than its attempt's backoff
  refusal_contradicts_final_state,  // already_completed / already_final, final state disagrees
  counter_below_history,            // the queue counted fewer leases or fails than were acked
  enqueued_time_out_of_order,       // a job's creation time against the real-time order
};
constexpr std::size_t kQueueRuleCount = 18;
const char* queue_rule_name(QueueRule rule);
// The Jepsen total-queue category ("lost", "unexpected", "duplicated", "recovered") or "job".
const char* queue_rule_category(QueueRule rule);
// recovered is informational; every other rule is a violation.
bool queue_rule_is_violation(QueueRule rule);

struct QueueOperationRef {
  std::size_t index = 0;  // into QueueHistory::operations()
  QueueOp op = QueueOp::enqueue;
  std::uint64_t client = 0;
  QueueOperationStatus status = QueueOperationStatus::pending;
  Time invoke_time = 0;
  Time return_time = 0;
  friend bool operator==(const QueueOperationRef&, const QueueOperationRef&) = default;
};

struct QueueFinding {
  QueueRule rule = QueueRule::lost;
  JobId job_id = 0;
  std::vector<QueueOperationRef> operations;  // sorted by index
  std::string detail;                         // one sentence for humans
};

struct QueueCheckReport {
  bool valid = true;                                  // no violation (recovered does not count)
  std::array<std::size_t, kQueueRuleCount> counts{};  // indexed by QueueRule
  std::vector<QueueFinding> findings;                 // sorted by (rule, job id, first operation)
  std::vector<std::string> skipped;                   // checks that could not run, with the reason
  // Jepsen-style totals.
  std::size_t enqueues_attempted = 0;     // every enqueue invoked
  std::size_t enqueues_acknowledged = 0;  // ok enqueues
  std::size_t jobs_acknowledged = 0;      // distinct job ids returned by ok enqueues
  std::size_t jobs_delivered = 0;         // distinct job ids of ok leases
  std::size_t jobs_completed = 0;         // distinct job ids of ok completes

  std::size_t count(QueueRule rule) const { return counts[static_cast<std::size_t>(rule)]; }
  // Sum over the rules of a category ("lost", "unexpected", "duplicated", "recovered", "job").
  std::size_t category_count(const std::string& category) const;
  bool has(QueueRule rule, JobId job_id) const;
  std::string to_json() const;
  std::string summary() const;  // one line per rule with findings, then the verdict
};

}  // namespace raftsim::sim

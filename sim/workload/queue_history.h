// raftsim: the job-queue history a run records (enqueue, lease, heartbeat, complete, fail, cancel;
// each ends once: ok, fail -- a queue rejection is a fail whose note names the reason -- or info)
// and the QueueFinalState the final leader reports per job. Both write and parse the JSON format
// "raftsim queue history v1" (sim/checkers/README.md). Limits: kOperationsMax operations (begin()
// refuses more), kJobsMax final jobs, kTextBytesMax per string; append() and parse enforce them.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "raft/base/status.h"
#include "sim/kernel/time.h"

namespace raftsim::sim {

using JobId = std::uint64_t;

enum class QueueOp : std::uint8_t { enqueue, lease, heartbeat, complete, fail, cancel };
const char* queue_op_name(QueueOp op);

// pending: still running when the history was written; checkers treat it like info.
enum class QueueOperationStatus : std::uint8_t { pending, ok, fail, info };
const char* queue_operation_status_name(QueueOperationStatus status);

// What the client sent. Which fields matter depends on the op (the rest stay default).
struct QueueArguments {
  // enqueue
  std::string payload{};
  std::int64_t priority = 0;
  std::optional<std::string> idempotency_key{};
  std::uint64_t max_attempts = 0;    // 0: unlimited
  std::optional<Time> not_before{};  // state-machine time
  // heartbeat, complete, fail, cancel
  JobId job_id = 0;
  std::uint64_t token = 0;  // heartbeat, complete, fail: the fencing token (the lease's attempt)
  // lease, heartbeat: the lease length requested (the queue's lease_ns, state-machine time);
  // 0 = not recorded (the checker then falls back to QueueCheckOptions::lease_duration).
  Time lease_duration = 0;

  friend bool operator==(const QueueArguments&, const QueueArguments&) = default;
};

// What the queue answered. Only an ok operation has reply fields; note may be set on any.
struct QueueReply {
  JobId job_id = 0;           // enqueue ok; lease ok unless empty
  bool created = false;       // enqueue ok: false = the idempotency key matched an existing job
  bool empty = false;         // lease ok: no job was available
  std::uint64_t attempt = 0;  // lease ok: the attempt number, which is the fencing token
  Time lease_expires = 0;     // lease or heartbeat ok: when the lease ends (state-machine time)
  // lease ok, unless empty: when the queue created the job (state-machine time); nullopt = not
  // recorded.
  std::optional<Time> enqueued{};
  std::string note{};  // rejection reason ("stale_token", "not_leased", ...) or free text

  friend bool operator==(const QueueReply&, const QueueReply&) = default;
};

struct QueueOperation {
  std::uint64_t client = 0;  // producer or worker id (lease{worker}: the worker is the client)
  QueueOp op = QueueOp::enqueue;
  QueueArguments arguments;
  QueueReply reply;
  Time invoke_time = 0;  // virtual time
  Time return_time = 0;  // virtual time; meaningful for ok and fail only
  QueueOperationStatus status = QueueOperationStatus::pending;

  // The job the operation concerns: the argument for heartbeat/complete/fail/cancel, the reply
  // for an ok enqueue or an ok non-empty lease; nullopt otherwise.
  std::optional<JobId> job() const;
  bool unknown_outcome() const {
    return status == QueueOperationStatus::info || status == QueueOperationStatus::pending;
  }
  friend bool operator==(const QueueOperation&, const QueueOperation&) = default;
};

enum class JobFinalStatus : std::uint8_t { pending, leased, completed, dead, cancelled };
const char* job_final_status_name(JobFinalStatus status);

struct FinalJob {
  JobFinalStatus status = JobFinalStatus::pending;
  // The highest attempt granted = leases granted (the first lease is attempt 1; a lease that
  // expired or failed still counts).
  std::uint64_t attempts = 0;
  std::uint64_t max_attempts = 0;      // 0: unlimited
  std::uint64_t completion_count = 0;  // completions the state machine recorded
  // The state machine saw a completion accepted with a token other than the then-current
  // attempt; nullopt when it cannot tell.
  std::optional<bool> stale_completion{};
  // Leased jobs: the lease's expiry minus the queue's time at the end; nullopt when unknown.
  std::optional<std::uint64_t> lease_remaining_ns{};
  // Pending jobs: how long until the job may be leased (its available time minus the queue's
  // time at the end, 0 if available now); nullopt when unknown.
  std::optional<std::uint64_t> available_remaining_ns{};

  friend bool operator==(const FinalJob&, const FinalJob&) = default;
};

// The final leader's own tallies (jobqueue Counters), when known: every acknowledged lease that
// delivered a job and every acknowledged fail was applied, so each is at least the history's count.
struct FinalCounters {
  std::uint64_t leases = 0;    // lease commands that handed out a job
  std::uint64_t failures = 0;  // fail commands accepted
  friend bool operator==(const FinalCounters&, const FinalCounters&) = default;
};

// What the final leader's state machine reports at the end of a run (the runner fills it). It must
// list every job the queue ever created, final ones (completed, dead, cancelled) included: a job
// acknowledged to a producer and missing here counts as lost.
struct QueueFinalState {
  static constexpr std::size_t kJobsMax = 1'000'000;
  // False when no leader answered at the end: checks that need the final state are skipped.
  bool available = false;
  std::map<JobId, FinalJob> jobs;
  std::optional<FinalCounters> counters;

  friend bool operator==(const QueueFinalState&, const QueueFinalState&) = default;
};

// A parsed history file: the operations and, if the file had one, the final state.
struct QueueHistoryDocument;

class QueueHistory {
 public:
  static constexpr std::size_t kOperationsMax = 1'000'000;
  // Payloads, keys and notes longer than this are refused by parse (writers should truncate).
  static constexpr std::size_t kTextBytesMax = 64 * 1024;

  // Records the invocation (status forced to pending, reply cleared). Returns the operation's
  // index, or nullopt when the history is full.
  std::optional<std::size_t> begin(QueueOperation operation);
  // Ends a pending operation. Reply fields are kept only for ok (the note always).
  void end(std::size_t index, QueueOperationStatus status, Time at, QueueReply reply = {});
  // Appends a whole operation (importers, crafted tests). Refuses, as a value: a full history,
  // an ok/fail return before the invocation, strings over kTextBytesMax.
  Status append(QueueOperation operation);

  const std::vector<QueueOperation>& operations() const { return operations_; }
  std::size_t size() const { return operations_.size(); }
  std::size_t count(QueueOperationStatus status) const;

  // The "raftsim queue history v1" document; with the final state when one is given.
  std::string to_json(const QueueFinalState* final_state = nullptr) const;
  // Parses that document. Errors name the JSON path and what was expected.
  static Result<QueueHistoryDocument> parse(std::string_view text);

  // When each ok operation returned, sorted (recovery metrics: "the next operation succeeded").
  const std::vector<Time>& ok_return_times() const { return ok_return_times_; }
  // What the operations hold, for memory budgets: a fixed size per operation plus its text,
  // counted as they are recorded (the same run gives the same figure on any machine).
  std::uint64_t held_bytes() const { return held_bytes_; }
  friend bool operator==(const QueueHistory& a, const QueueHistory& b) {
    return a.operations_ == b.operations_;  // ok_return_times_ is derived from them
  }

 private:
  void note_ok(Time at);
  static std::uint64_t text_bytes(const QueueOperation& operation);

  std::vector<QueueOperation> operations_;
  std::vector<Time> ok_return_times_;
  std::uint64_t held_bytes_ = 0;
};

struct QueueHistoryDocument {
  QueueHistory history;
  std::optional<QueueFinalState> final_state;
};

}  // namespace raftsim::sim

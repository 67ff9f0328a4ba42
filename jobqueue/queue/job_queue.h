// raftsim: the Raft-replicated job queue -- a deterministic StateMachine for enqueue, lease,
// heartbeat, complete, fail, cancel and get (semantics: jobqueue/README.md; encoding: codec.h).
// The machine never reads a clock: its time is max(previous time, command.now_ns), the leader's
// stamp (capped at kTimeNsMax), so it never goes back even when a new leader's clock is behind.
// Every decoded command first advances that time, which expires leases, releases delayed jobs and
// forgets idempotency keys whose window has passed; a command that does not decode changes nothing,
// not even time. Invariants (check_invariants() verifies them all; the cheap ones are asserted on
// every step):
//   1. Job ids are dense: every id in [1, next_job_id) is live (pending/leased) or archived
//      (completed/dead/cancelled), never both.
//   2. attempt <= max_attempts; a pending job has attempt < max_attempts; a leased job has
//      attempt >= 1 and lease_expires_ns > now.
//   3. The ready, delayed and lease indexes hold exactly the live jobs, each once: pending jobs
//      with available_ns <= now in ready, later ones in delayed, leased ones in leases.
//   4. A completed job has exactly one completion record: completed records == completions.
//   5. Every remembered idempotency key names an existing job and expires after now.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "jobqueue/queue/codec.h"
#include "jobqueue/queue/queue_bugs.h"
#include "raft/base/byte_codec.h"
#include "raft/base/status.h"
#include "raft/node/state_machine.h"

namespace raftsim::queue {

// The machine's time never passes this (2^63 - 1 ns after the epoch: the year 2262): a command
// stamped later counts as stamped at the ceiling. Below it, now + a lease can never overflow.
constexpr std::uint64_t kTimeNsMax = (std::uint64_t{1} << 63) - 1;

// Every replica must use the same Config (it is part of the state hash, and restore refuses a
// snapshot taken with another one). Tests shrink the numbers; the defaults are for production.
struct Config {
  // Jobs the table holds, final ones included (nothing is pruned yet): enqueue beyond it -> full.
  std::uint64_t jobs_max = 10'000'000;
  // How long (command time since the first enqueue) an idempotency key maps to its job; after
  // that the key is forgotten and the same key creates a new job. SQS FIFO uses 5 minutes,
  // NATS 2 minutes; 24 hours covers producers that retry across long outages.
  std::uint64_t idempotency_window_ns = std::uint64_t{24} * 3600 * 1'000'000'000;
  // Retry delay after the n-th failed attempt: min(backoff_base_ns << (n - 1), backoff_max_ns),
  // no jitter (jitter would need randomness; the clock stamp differs per job anyway).
  std::uint64_t backoff_base_ns = 100'000'000;    // 100 ms
  std::uint64_t backoff_max_ns = 60'000'000'000;  // 60 s, reached at the 11th failure
  friend bool operator==(const Config&, const Config&) = default;
};

// The delay before a job may be leased again after its `attempt`-th lease failed (attempt >= 1).
std::uint64_t backoff_ns(const Config& config, std::uint32_t attempt);

struct Counters {
  std::uint64_t leases = 0;          // successful lease commands
  std::uint64_t lease_expiries = 0;  // leases that ran out before complete/fail
  std::uint64_t failures = 0;        // accepted fail commands
  std::uint64_t completions = 0;     // jobs completed (each exactly once)
  std::uint64_t dead = 0;            // jobs dead-lettered
  std::uint64_t cancelled = 0;
  friend bool operator==(const Counters&, const Counters&) = default;
};

class JobQueue final : public StateMachine {
 public:
  // bugs: catalogued bugs to inject (the simulator); not replicated, not part of the state.
  explicit JobQueue(Config config = {}, QueueBugs bugs = {});

  std::vector<std::uint8_t> apply(Index index, std::span<const std::uint8_t> command) override;
  // Only `get` is a query (its now_ns is ignored: it reads the state as of the last applied
  // command); anything else is answered `malformed`.
  std::vector<std::uint8_t> query(std::span<const std::uint8_t> request) const override;
  // Covers the config, time, counters, every live job and key, and (through an order-free digest
  // kept up to date on every archive) every archived job, plus whether cold state is loaded. Not
  // the last applied index: that guards the caller's apply order, and leaving it out lets a test
  // see that a refused command changed nothing.
  std::uint64_t state_hash() const override;
  // Writes the leader's wall clock (clamped at 0) into a command that decodes; others are left
  // alone and will be answered `malformed`.
  bool stamps_commands() const override { return true; }
  void stamp(std::vector<std::uint8_t>& command, std::int64_t leader_wall_ns) const override;
  // The node host's snapshots are full ones (hot then cold); restore_snapshot is restore(full).
  bool supports_snapshots() const override { return true; }
  void snapshot_into(std::vector<std::uint8_t>& out) const override;
  Status restore_snapshot(std::span<const std::uint8_t> data) override { return restore(data); }

  // Snapshots (snapshot.cc). Each section is self-delimiting and ends with a 64-bit digest of its
  // bytes, so truncation and bit flips are refused; the storage layer still owns media checksums.
  //   hot:  config, time, counters, live jobs with payloads, idempotency keys in their window,
  //         and the count and digest the matching cold section must have.
  //   cold: archived jobs in compacted form (id, final state, priority, attempts, max_attempts,
  //         enqueued_ns, finished_ns). Payloads, results and reasons of final jobs are not kept
  //         even in memory: a job is compacted the moment it becomes final.
  //   full: hot followed by cold.
  // Preconditions: cold_loaded() (a machine still waiting for its cold part cannot produce it).
  std::vector<std::uint8_t> snapshot_full() const;
  std::vector<std::uint8_t> snapshot_hot() const;
  std::vector<std::uint8_t> snapshot_cold() const;
  // Each restore replaces the whole state and leaves the machine unchanged when it fails
  // (corruption: bad digest or structure; invalid_argument: another Config, or parts that do
  // not belong together).
  Status restore(std::span<const std::uint8_t> full);
  Status restore(std::span<const std::uint8_t> hot, std::span<const std::uint8_t> cold);
  // Lazy restore: after restore_hot the machine serves every command; one that needs an archived
  // job (get, complete, fail, heartbeat, cancel of it) is answered `unavailable` and changes
  // nothing but the clock -- archived jobs never change, so replicas that have and have not
  // loaded cold state still hold the same live state. restore_cold then merges the archive; it
  // must come from the same snapshot as the hot part (checked by count, digest and index).
  Status restore_hot(std::span<const std::uint8_t> hot);
  Status restore_cold(std::span<const std::uint8_t> cold);
  bool cold_loaded() const { return !cold_pending_.waiting; }

  // O(jobs): every invariant in the header comment. Tests call it after every step.
  void check_invariants() const;

  const Config& config() const { return config_; }
  std::uint64_t now_ns() const { return now_ns_; }
  JobId next_job_id() const { return next_job_id_; }
  const Counters& counters() const { return counters_; }
  std::size_t live_jobs() const { return live_.size(); }
  std::size_t archived_jobs() const { return archived_.size(); }

 private:
  struct LiveJob {
    JobState state = JobState::pending;  // pending or leased
    std::uint8_t priority = 0;
    std::uint32_t attempt = 0;
    std::uint32_t max_attempts = 1;
    std::uint64_t enqueued_ns = 0;
    std::uint64_t available_ns = 0;      // pending: leasable from then on
    std::uint64_t lease_expires_ns = 0;  // leased only
    std::uint64_t worker_id = 0;         // leased only
    std::string payload;
  };
  struct ArchivedJob {
    JobState state = JobState::completed;  // completed, dead or cancelled
    std::uint8_t priority = 0;
    std::uint32_t attempt = 0;  // completed: the completion token
    std::uint32_t max_attempts = 1;
    std::uint64_t enqueued_ns = 0;
    std::uint64_t finished_ns = 0;
  };
  struct KeyEntry {
    JobId job_id = 0;
    std::uint64_t expires_ns = 0;
  };
  // What restore_hot promised about the cold section still to come.
  struct ColdPending {
    bool waiting = false;
    std::uint64_t count = 0;
    std::uint64_t digest = 0;
    JobId id_limit = 0;  // every cold id is below the hot snapshot's next_job_id
    Index last_applied = 0;
    Counters counters;  // the cold records' states must add up to these final-job counters
  };
  using ReadyKey = std::pair<std::uint8_t, JobId>;  // (255 - priority, id): best first
  using TimeKey = std::pair<std::uint64_t, JobId>;

  Reply execute(const Command& command);
  void advance_time(std::uint64_t command_now_ns);
  Reply enqueue(const Command& command);
  Reply lease(const Command& command);
  Reply heartbeat(const Command& command);
  Reply complete(const Command& command);
  Reply fail(const Command& command);
  // complete and fail by the lease holder: the refusal (job missing, final, stale token, not
  // leased) with the job's view, or nothing when `job` is the leased job the token names.
  std::optional<Reply> refuse_holder_command(const Command& command, LiveJob*& job);
  Reply cancel(const Command& command);
  Reply get(JobId job_id) const;

  // Outcome for an id that is neither live nor archived: not_found or unavailable.
  Outcome missing_outcome(JobId job_id) const;
  void index_pending(JobId job_id, const LiveJob& job);
  void unindex(JobId job_id, const LiveJob& job);
  void expire_lease(JobId job_id);
  void archive(JobId job_id, JobState state, std::uint64_t finished_ns);
  static JobView view_of(JobId job_id, const LiveJob& job);
  static JobView view_of(JobId job_id, const ArchivedJob& job);
  static std::uint64_t archived_digest(JobId job_id, const ArchivedJob& job);
  std::uint64_t archived_total() const;

  // snapshot.cc
  void write_hot_body(std::vector<std::uint8_t>& out) const;
  void write_cold_body(std::vector<std::uint8_t>& out) const;
  Status load_hot(std::span<const std::uint8_t> body);
  Status load_live_jobs(ByteReader& reader, std::uint64_t live_count);
  Status load_keys(ByteReader& reader);
  Status load_cold(std::span<const std::uint8_t> body);

  Config config_;
  QueueBugs bugs_;
  std::uint64_t now_ns_ = 0;
  Index last_applied_ = 0;
  JobId next_job_id_ = 1;
  Counters counters_;
  std::map<JobId, LiveJob> live_;
  std::map<JobId, ArchivedJob> archived_;
  std::uint64_t archived_digest_sum_ = 0;  // sum of archived_digest over every archived job
  ColdPending cold_pending_;
  std::set<ReadyKey> ready_;
  std::set<TimeKey> delayed_;  // (available_ns, id) of pending jobs not yet available
  std::set<TimeKey> leases_;   // (lease_expires_ns, id) of leased jobs
  std::map<std::string, KeyEntry> keys_;
  std::set<std::pair<std::uint64_t, std::string>> key_expiry_;  // (expires_ns, key)
};

}  // namespace raftsim::queue

// raftsim: the bug catalogue's runtime switch. Exactly one classic bug (or none, the default) can
// be injected into the real code for a run, to prove the testbed finds it. Code tests a bug with
// one branch, `if (bug_active(Bug::x))`, which is false unless a test or the CLI turned it on.
// The switch is process-wide: the simulator is single-threaded and a run sets it before it starts.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace raftsim {

enum class Bug : unsigned char {
  none = 0,
  commit_prev_term,             // leader commits entries of an earlier term by counting (Fig. 8)
  vote_not_persisted,           // a vote is granted before it is durable
  no_truncate_on_conflict,      // a follower keeps a conflicting suffix
  stale_term_append,            // AppendEntries from a stale term is accepted
  vote_ignores_log,             // votes granted without the log up-to-date check
  ack_before_fsync,             // client write acknowledged before the WAL fsync
  read_without_readindex,       // leader serves reads locally without confirming leadership
  lease_read_no_drift_bound,    // lease reads ignore clock drift
  snapshot_overwrites_newer,    // an older snapshot replaces newer state
  stale_fence_complete,         // a job completion is accepted with a stale fencing token
  partial_snapshot_drops_keys,  // idempotency keys are lost from a partial snapshot
  lease_expiry_ignored,         // an expired job lease never makes the job available again
};

struct BugInfo {
  Bug bug;
  std::string_view name;         // the CLI spelling, e.g. "commit-prev-term"
  std::string_view description;  // one line
};

// Every catalogued bug (Bug::none excluded), in enum order.
std::span<const BugInfo> bug_catalogue();
std::optional<Bug> bug_from_name(std::string_view name);
std::string_view bug_name(Bug bug);  // "none" for Bug::none

namespace detail {
extern Bug g_active_bug;
}
inline bool bug_active(Bug bug) {
  return detail::g_active_bug == bug;
}
inline Bug active_bug() {
  return detail::g_active_bug;
}

// Turns one bug on for its lifetime and restores the previous setting after.
class ScopedBug {
 public:
  explicit ScopedBug(Bug bug) : previous_(detail::g_active_bug) { detail::g_active_bug = bug; }
  ~ScopedBug() { detail::g_active_bug = previous_; }
  ScopedBug(const ScopedBug&) = delete;
  ScopedBug& operator=(const ScopedBug&) = delete;

 private:
  Bug previous_;
};

}  // namespace raftsim

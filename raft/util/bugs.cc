// raftsim: the bug catalogue's names and descriptions.
#include "raft/util/bugs.h"

#include <array>

namespace raftsim {
namespace detail {
Bug g_active_bug = Bug::none;
}

namespace {
constexpr std::array<BugInfo, 12> kCatalogue{{
    {Bug::commit_prev_term, "commit-prev-term",
     "leader commits entries of an earlier term by counting replicas (paper Figure 8)"},
    {Bug::vote_not_persisted, "vote-not-persisted",
     "a vote is granted before it is durable, so a restarted node can vote twice in a term"},
    {Bug::no_truncate_on_conflict, "no-truncate-on-conflict",
     "a follower overwrites conflicting entries but keeps the stale suffix after them"},
    {Bug::stale_term_append, "stale-term-append",
     "AppendEntries from a leader of an older term is accepted"},
    {Bug::vote_ignores_log, "vote-ignores-log",
     "votes are granted without checking the candidate's log is up to date"},
    {Bug::ack_before_fsync, "ack-before-fsync",
     "a client write is acknowledged before the WAL fsync completes"},
    {Bug::read_without_readindex, "read-without-readindex",
     "the leader serves reads locally without confirming it is still leader"},
    {Bug::lease_read_no_drift_bound, "lease-read-no-drift-bound",
     "lease reads use the whole election timeout, ignoring clock drift"},
    {Bug::snapshot_overwrites_newer, "snapshot-overwrites-newer",
     "an installed snapshot older than the applied state replaces it"},
    {Bug::stale_fence_complete, "stale-fence-complete",
     "a job completion carrying a stale fencing token is accepted"},
    {Bug::partial_snapshot_drops_keys, "partial-snapshot-drops-keys",
     "idempotency keys are left out of the hot part of a partial snapshot"},
    {Bug::lease_expiry_ignored, "lease-expiry-ignored",
     "an expired job lease never makes the job available again"},
}};
}  // namespace

std::span<const BugInfo> bug_catalogue() {
  return kCatalogue;
}

std::optional<Bug> bug_from_name(std::string_view name) {
  for (const BugInfo& info : kCatalogue) {
    if (info.name == name) return info.bug;
  }
  return std::nullopt;
}

std::string_view bug_name(Bug bug) {
  for (const BugInfo& info : kCatalogue) {
    if (info.bug == bug) return info.name;
  }
  return "none";
}

}  // namespace raftsim

// raftsim: the bug catalogue's table -- names, descriptions, and the layer set that injects each.
#include "sim/bugs/catalogue.h"

#include <array>

#include "raft/base/check.h"

namespace raftsim {

namespace {

constexpr LayerBugs in_core(RaftBug bug) {
  return LayerBugs{RaftBugs(bug), {}, {}};
}
constexpr LayerBugs in_host(HostBug bug) {
  return LayerBugs{{}, HostBugs(bug), {}};
}
constexpr LayerBugs in_queue(queue::QueueBug bug) {
  return LayerBugs{{}, {}, queue::QueueBugs(bug)};
}

const std::array<BugInfo, 20> kCatalogue{{
    {Bug::commit_prev_term, "commit-prev-term",
     "leader commits entries of an earlier term by counting replicas (paper Figure 8)",
     in_core(RaftBug::commit_prev_term)},
    {Bug::vote_not_persisted, "vote-not-persisted",
     "a vote is granted before it is durable, so a restarted node can vote twice in a term",
     in_host(HostBug::vote_not_persisted)},
    {Bug::no_truncate_on_conflict, "no-truncate-on-conflict",
     "a follower overwrites conflicting entries but keeps the stale suffix after them",
     in_core(RaftBug::no_truncate_on_conflict)},
    {Bug::stale_term_append, "stale-term-append",
     "AppendEntries from a leader of an older term is accepted",
     in_core(RaftBug::stale_term_append)},
    {Bug::vote_ignores_log, "vote-ignores-log",
     "votes are granted without checking the candidate's log is up to date",
     in_core(RaftBug::vote_ignores_log)},
    {Bug::ack_before_fsync, "ack-before-fsync",
     "a client write is acknowledged before the WAL fsync completes",
     in_host(HostBug::ack_before_fsync)},
    {Bug::read_without_readindex, "read-without-readindex",
     "the leader serves reads locally without confirming it is still leader",
     in_core(RaftBug::read_without_readindex)},
    {Bug::lease_read_no_drift_bound, "lease-read-no-drift-bound",
     "lease reads use the whole election timeout, ignoring clock drift",
     in_core(RaftBug::lease_read_no_drift_bound)},
    {Bug::snapshot_overwrites_newer, "snapshot-overwrites-newer",
     "an installed snapshot older than the applied state replaces it",
     in_core(RaftBug::snapshot_overwrites_newer)},
    {Bug::stale_fence_complete, "stale-fence-complete",
     "a job completion carrying a stale fencing token is accepted",
     in_queue(queue::QueueBug::stale_fence_complete)},
    {Bug::partial_snapshot_drops_keys, "partial-snapshot-drops-keys",
     "idempotency keys are left out of the hot part of a partial snapshot",
     in_queue(queue::QueueBug::partial_snapshot_drops_keys)},
    {Bug::lease_expiry_ignored, "lease-expiry-ignored",
     "an expired job lease never makes the job available again",
     in_queue(queue::QueueBug::lease_expiry_ignored)},
    {Bug::config_change_before_own_term_commit, "config-change-before-own-term-commit",
     "a new leader changes membership before an entry of its term commits (the 2015 "
     "single-server bug)",
     in_core(RaftBug::config_change_before_own_term_commit)},
    {Bug::config_on_commit, "config-on-commit",
     "a server uses a configuration only once it is committed, not once it is appended",
     in_core(RaftBug::config_on_commit)},
    {Bug::joint_quorum_new_only, "joint-quorum-new-only",
     "joint consensus decides with a majority of the new configuration alone",
     in_core(RaftBug::joint_quorum_new_only)},
    {Bug::removed_leader_keeps_leading, "removed-leader-keeps-leading",
     "a leader removed from the configuration keeps leading after the removal commits",
     in_core(RaftBug::removed_leader_keeps_leading)},
    {Bug::learner_counted_in_quorum, "learner-counted-in-quorum",
     "learners' acknowledgements count towards commit",
     in_core(RaftBug::learner_counted_in_quorum)},
    {Bug::rejoin_after_wipe, "rejoin-after-wipe",
     "a server whose disk was wiped rejoins under its old id and votes with an empty log",
     in_host(HostBug::rejoin_after_wipe)},
    {Bug::election_timer_not_randomized, "election-timer-not-randomized",
     "every election timeout is the shortest, never randomised, so nodes that time out together "
     "split the vote again and again (a liveness bug)",
     in_core(RaftBug::election_timer_not_randomized)},
    {Bug::stale_vote_counted, "stale-vote-counted",
     "a candidate counts a vote granted for an earlier term of its own as a vote in its current "
     "election",
     in_core(RaftBug::stale_vote_counted)},
}};

const BugInfo* find(Bug bug) {
  for (const BugInfo& info : kCatalogue) {
    if (info.bug == bug) return &info;
  }
  return nullptr;
}

}  // namespace

BugLayer BugInfo::layer() const {
  if (!layers.host.empty()) return BugLayer::node_host;
  if (!layers.queue.empty()) return BugLayer::job_queue;
  RAFTSIM_CHECK_MSG(!layers.raft.empty(), "a catalogued bug belongs to a layer");
  return BugLayer::raft_core;
}

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
  const BugInfo* info = find(bug);
  return info != nullptr ? info->name : "none";
}

std::string_view layer_name(BugLayer layer) {
  constexpr std::array<std::string_view, 3> kNames{"raft core", "node host", "job queue"};
  return kNames[static_cast<std::size_t>(layer)];
}

LayerBugs layer_bugs(Bug bug) {
  const BugInfo* info = find(bug);
  return info != nullptr ? info->layers : LayerBugs{};
}

}  // namespace raftsim

// raftsim: the Raft core's membership changes (paper §6, dissertation ch. 3.10 and 4) --
// configurations as log entries in force from the moment they are appended (and reverted when
// truncated), joint consensus with automatic leave, single-server changes behind the 2015
// own-term rule, learners and their catch-up rule, witnesses, a removed leader stepping down,
// and leadership transfer with TimeoutNow.
#include <algorithm>

#include "raft/base/check.h"
#include "raft/base/probe.h"
#include "raft/core/raft.h"

namespace raftsim {

Membership RaftConfig::bootstrap_membership() const {
  Membership membership;
  membership.voters = voters;
  membership.learners = learners;
  membership.witnesses = witnesses;
  membership.auto_leave = joint_auto_leave;
  std::sort(membership.voters.begin(), membership.voters.end());
  std::sort(membership.learners.begin(), membership.learners.end());
  std::sort(membership.witnesses.begin(), membership.witnesses.end());
  return membership;
}

namespace {
Membership membership_of(const Entry& entry) {
  std::optional<ConfigEntryView> view = decode_config_entry(entry.data);
  // Config entries are written by leaders of this code and travel behind checksums: a malformed
  // one is a programming error, not an input to tolerate.
  RAFTSIM_CHECK_MSG(view.has_value(), "malformed configuration entry");
  return std::move(view->membership);
}
}  // namespace

const Membership& Raft::membership() const {
  if (config_.bugs.has(RaftBug::config_on_commit)) {  // injected bug: only committed ones count
    return membership_at(log_.committed());
  }
  return configs_.empty() ? base_membership_ : configs_.back().membership;
}

Index Raft::membership_index() const {
  if (config_.bugs.has(RaftBug::config_on_commit)) {
    for (auto it = configs_.rbegin(); it != configs_.rend(); ++it) {
      if (it->index <= log_.committed()) return it->index;
    }
    return 0;
  }
  return configs_.empty() ? 0 : configs_.back().index;
}

const Membership& Raft::membership_at(Index index) const {
  for (auto it = configs_.rbegin(); it != configs_.rend(); ++it) {
    if (it->index <= index) return it->membership;
  }
  return base_membership_;
}

bool Raft::snapshot_possible_at(Index index) const {
  return !membership_at(index).voters.empty();  // every real membership has a voter
}

SharedBytes Raft::snapshot_membership(Index index) const {
  // Else the snapshot would claim this server's empty bootstrap, which a peer cannot decode.
  RAFTSIM_CHECK_MSG(snapshot_possible_at(index), "no snapshot where the membership is unknown");
  const Membership& at = membership_at(index);
  if (at == bootstrap_) return {};
  std::vector<std::uint8_t> bytes;
  encode_membership(at, bytes);
  return SharedBytes(bytes);
}

void Raft::sync_configs(std::span<const Entry> appended) {
  // Drop records whose entries were truncated away or replaced (§ "a truncated configuration
  // entry reverts to the previous one"), then record the new config entries the log now holds.
  while (!configs_.empty() && !log_.matches(configs_.back().index, configs_.back().term)) {
    RAFTSIM_PROBE(core_config_truncated_fallback);
    configs_.pop_back();
  }
  for (const Entry& entry : appended) {
    if (entry.type != EntryType::config) continue;
    if (!configs_.empty() && entry.index <= configs_.back().index) continue;
    if (entry.index <= log_.snapshot_index() || !log_.matches(entry.index, entry.term)) continue;
    configs_.push_back(ConfigRecord{entry.index, entry.term, membership_of(entry)});
  }
  refresh_membership();
}

void Raft::refresh_membership() {
  const Index index = membership_index();
  if (index == tracker_config_index_ && base_generation_ == tracker_base_generation_) return;
  tracker_config_index_ = index;
  tracker_base_generation_ = base_generation_;
  const Membership& current = membership();
  if (current.joint()) RAFTSIM_PROBE(core_joint_entered);
  std::vector<NodeId> incoming = current.voters;
  std::vector<NodeId> outgoing = current.outgoing;
  if (config_.bugs.has(RaftBug::joint_quorum_new_only)) outgoing.clear();  // injected bug
  if (config_.bugs.has(RaftBug::learner_counted_in_quorum)) {              // injected bug
    incoming.insert(incoming.end(), current.learners.begin(), current.learners.end());
  }
  std::vector<NodeId> replicas = current.members();
  std::erase(replicas, config_.id);
  // A new replica probes from our last entry (the configuration that added it, on a leader), so
  // the next broadcast carries it: starting past the end would send nothing until the next
  // proposal, and a change whose quorum needs the new server (a lone voter adding a witness)
  // would never commit.
  tracker_.configure(quorum::JointConfig(quorum::MajorityConfig(std::move(incoming)),
                                         quorum::MajorityConfig(std::move(outgoing))),
                     std::move(replicas), std::max<Index>(log_.last_index(), 1));
  if (role_ == Role::leader) {
    if (transfer_target_ != kNoNode && !current.may_lead(transfer_target_)) {
      transfer_target_ = kNoNode;  // the target left (or became a learner): nothing to wait for
    }
    broadcast_entries_pending_ = true;  // new replicas start receiving the log at once
  } else if (role_ != Role::follower && !may_campaign()) {
    become_follower(term_, kNoNode);  // a campaign of a server no longer a voter ends
  }
}

bool Raft::may_campaign() const {
  if (membership().may_lead(config_.id)) return true;
  // A server that an uncommitted configuration removes still campaigns while it may lead in the
  // one before (which is committed: a leader appends a configuration only once the previous one
  // committed). Otherwise a leader that removed itself and restarted before replicating the
  // change holds the most up-to-date log, refuses its vote to the others, who need it under the
  // previous configuration, and never campaigns itself: no leader, ever. Elected, it finishes
  // the change and steps down like any removed leader. Votes count under its latest
  // configuration, as always.
  const Index latest = membership_index();
  return latest > log_.committed() && membership_at(latest - 1).may_lead(config_.id);
}

Result<Membership> Raft::check_conf_change(const ConfChange& change) const {
  if (role_ != Role::leader) return Status(StatusCode::unavailable, "not the leader");
  if (transfer_target_ != kNoNode) {
    return Status(StatusCode::unavailable, "a leadership transfer is in progress");
  }
  if (membership_index() > log_.committed()) {
    return Status(StatusCode::failed_precondition, "a configuration change is in flight");
  }
  if (!committed_in_current_term() &&
      !config_.bugs.has(RaftBug::config_change_before_own_term_commit)) {
    // The 2015 correction (dissertation §4.1): until an entry of this term commits, the log may
    // still end in an uncommitted configuration of an earlier leader that another majority could
    // commit; a change on top of it could give two disjoint majorities.
    return Status(StatusCode::unavailable,
                  "this leader has not yet committed an entry of its term");
  }
  Result<Membership> next = apply_conf_change(membership(), change);
  if (!next.ok()) return next;
  if (change.type == ConfChangeType::promote && !learner_caught_up(change.node)) {
    return Status(StatusCode::unavailable, "the learner has not caught up yet");
  }
  return next;
}

Result<Index> Raft::propose_conf_change(const ConfChange& change,
                                        std::span<const std::uint8_t> context) {
  Result<Membership> next = check_conf_change(change);
  if (!next.ok()) return next.status();
  if (context.size() > kConfigContextBytesMax) {
    return Status(StatusCode::invalid_argument, "config entry context too large");
  }
  std::vector<std::uint8_t> bytes;
  encode_config_entry(next.value(), context, bytes);
  const Index index = log_.append_new(term_, EntryType::config, SharedBytes(bytes));
  configs_.push_back(ConfigRecord{index, term_, std::move(next.value())});
  refresh_membership();
  broadcast_entries_pending_ = true;
  return index;
}

bool Raft::learner_caught_up(NodeId learner) const {
  // Dissertation §4.2.1 replicates in rounds and promotes once a round ends within an election
  // timeout; a bound on the lag in entries is the same test with the round measured in entries
  // rather than ticks (a learner that keeps up with the leader's log keeps up with its rate).
  for (const auto& [peer, progress] : tracker_.peers()) {
    if (peer != learner) continue;
    return progress.match + config_.promote_lag_entries_max >= log_.last_index() &&
           progress.recent_active;
  }
  return false;
}

bool Raft::strips_payloads_for(NodeId peer, Index index) const {
  // Only entries (or a snapshot) at `index` after the configuration that made `peer` a witness:
  // the witness then holds that configuration before any entry without payload (so it knows
  // what it is when it applies them, even when the log reaches it in several appends), and if
  // that configuration is truncated, every entry stripped for it goes with it. A payload-less log
  // matches ours by term and index, so appends never repair it: a witness that leaves becomes a
  // former witness that may not rejoin under its id (apply_conf_change).
  return membership().is_witness(peer) && membership_at(index).is_witness(peer);
}

void Raft::after_commit_as_leader() {
  RAFTSIM_CHECK(role_ == Role::leader);
  const Index index = membership_index();
  if (index == 0 || index > log_.committed()) return;
  const Membership& current = membership();
  if (current.joint()) {
    if (!current.auto_leave) return;
    // C_old,new is committed: C_new alone can now decide (paper §6).
    RAFTSIM_PROBE(core_joint_left);
    ConfChange leave;
    leave.type = ConfChangeType::leave_joint;
    Result<Membership> next = apply_conf_change(current, leave);
    RAFTSIM_CHECK(next.ok());
    std::vector<std::uint8_t> bytes;
    encode_config_entry(next.value(), {}, bytes);
    const Index index_of_leave = log_.append_new(term_, EntryType::config, SharedBytes(bytes));
    configs_.push_back(ConfigRecord{index_of_leave, term_, std::move(next.value())});
    refresh_membership();
    broadcast_entries_pending_ = true;
    return;
  }
  if (!current.is_voter(config_.id) && !config_.bugs.has(RaftBug::removed_leader_keeps_leading)) {
    // A leader that is not in C_new managed the change; now that C_new is committed it steps
    // down (§6, dissertation §4.2.2). It hands over to the most up-to-date voter like a
    // leadership transfer (no proposals meanwhile; TimeoutNow once the successor holds the whole
    // log, then it steps down) rather than leaving the cluster to wait for an election timeout.
    // The handover is bounded like a transfer: at its timeout it steps down anyway.
    if (transfer_target_ != kNoNode) return;  // already handing over
    RAFTSIM_PROBE(core_removed_leader_handover);
    NodeId successor = kNoNode;
    Index best = 0;
    for (const auto& [peer, progress] : tracker_.peers()) {
      if (current.may_lead(peer) && progress.match >= best) {
        successor = peer;
        best = progress.match;
      }
    }
    if (successor == kNoNode) {
      become_follower(term_, kNoNode);
      return;
    }
    transfer_target_ = successor;
    transfer_elapsed_ = 0;
    if (maybe_send_timeout_now(successor)) {
      become_follower(term_, kNoNode);
      return;
    }
    send_append(successor, /*allow_empty=*/false);
  }
}

bool Raft::step_down_if_removed() {
  RAFTSIM_CHECK(role_ == Role::leader);
  if (membership().is_voter(config_.id) || membership_index() > log_.committed() ||
      config_.bugs.has(RaftBug::removed_leader_keeps_leading)) {
    return false;
  }
  become_follower(term_, kNoNode);
  return true;
}

Status Raft::transfer_leadership(NodeId target) {
  if (role_ != Role::leader) return Status(StatusCode::unavailable, "not the leader");
  if (target == config_.id) return Status(StatusCode::failed_precondition, "already the leader");
  if (!membership().may_lead(target)) {
    return Status(StatusCode::failed_precondition,
                  "server " + std::to_string(target) + " is not a voter that may lead");
  }
  if (transfer_target_ != kNoNode) {
    return Status(StatusCode::failed_precondition, "a leadership transfer is in progress");
  }
  transfer_target_ = target;
  transfer_elapsed_ = 0;
  maybe_send_timeout_now(target);
  if (transfer_target_ != kNoNode) send_append(target, /*allow_empty=*/false);
  return Status();
}

bool Raft::maybe_send_timeout_now(NodeId peer) {
  if (peer != transfer_target_) return false;
  const Progress* progress = tracker_.find_progress(peer);
  if (progress == nullptr || progress->match != log_.last_index()) return false;
  Message timeout_now;
  timeout_now.type = MessageType::timeout_now;
  timeout_now.to = peer;
  RAFTSIM_PROBE(core_transfer_timeout_now);
  send(std::move(timeout_now));
  return true;
}

void Raft::handle_timeout_now(const Message& message) {
  follow_leader_of_this_term(message.from);
  if (!may_campaign()) return;
  // Dissertation §3.10: campaign now, skipping PreVote; the vote requests say so, and voters
  // then set aside the "heard from a leader recently" rule for this election.
  RAFTSIM_PROBE(core_forced_campaign);
  forced_campaign_ = true;
  campaign(/*pre_vote=*/false);
  forced_campaign_ = false;
}

SharedBytes Raft::membership_for_peer(const Snapshot& snapshot, NodeId peer) const {
  if (!snapshot.membership.empty()) return snapshot.membership;
  if (std::binary_search(bootstrap_.voters.begin(), bootstrap_.voters.end(), peer)) return {};
  // A server that joined later does not know our bootstrap membership: spell it out.
  std::vector<std::uint8_t> bytes;
  encode_membership(bootstrap_, bytes);
  return SharedBytes(bytes);
}

}  // namespace raftsim

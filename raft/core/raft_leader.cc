// raftsim: the Raft core's leader duties -- replication to each follower (probe, pipelined
// replicate, fast backtracking), heartbeats and CheckQuorum, the commit rule, proposals, and
// linearizable reads (ReadIndex rounds and optional leases). Quorum questions go to the tracker.
#include <algorithm>

#include "raft/base/check.h"
#include "raft/base/probe.h"
#include "raft/core/raft.h"

namespace raftsim {

namespace {
// Heartbeat sequence numbers remembered for lease reads; older acknowledgements are ignored.
constexpr std::size_t kHeartbeatTicksRemembered = 64;
// Heartbeat answers, with appends in flight and none acknowledged, after which the appends are
// taken as lost. Each round is heartbeat_ticks apart, so this is well beyond a network delay.
constexpr std::uint32_t kStalledHeartbeats = 3;
}  // namespace

void Raft::tick_leader() {
  ++heartbeat_elapsed_;
  if (transfer_target_ != kNoNode && ++transfer_elapsed_ >= config_.election_timeout_ticks_min) {
    RAFTSIM_PROBE(core_transfer_aborted);
    transfer_target_ = kNoNode;  // dissertation §3.10: abort after an election timeout; resume
    if (step_down_if_removed()) return;  // a removed leader's handover: step down anyway
  }
  if (++election_elapsed_ >= config_.election_timeout_ticks_min) {
    election_elapsed_ = 0;
    // CheckQuorum: a leader that has not heard from a majority for an election timeout steps
    // down, so a partitioned leader stops serving (lease) reads and clients go elsewhere.
    if (config_.check_quorum && !tracker_.quorum_active()) {
      RAFTSIM_PROBE(core_check_quorum_step_down);
      become_follower(term_, kNoNode);
      return;
    }
    tracker_.reset_recent_active();
  }
  // Perturbation: an early heartbeat round only refreshes followers (and a lease) sooner.
  if (heartbeat_elapsed_ >= config_.heartbeat_ticks ||
      RAFTSIM_PERTURB(perturbation_, core_heartbeat_early)) {
    heartbeat_elapsed_ = 0;
    heartbeat_pending_ = true;
  }
}

void Raft::handle_append_response(const Message& message) {
  Progress* found = tracker_.find_progress(message.from);
  if (found == nullptr) return;  // not a replica (any more)
  Progress& peer = *found;
  peer.recent_active = true;
  if (peer.state == Progress::State::snapshot) {
    // A late answer to an append sent before the snapshot transfer began: only an
    // acknowledgement reaching the kept log ends the transfer early.
    if (message.reject || message.log_index + 1 < log_.first_index()) {
      RAFTSIM_PROBE(core_snapshot_late_reply_ignored);
      return;
    }
    peer.become_probe();
  }
  if (message.reject) {
    const bool stale = message.log_index <= peer.match ||
                       (peer.state == Progress::State::probe && message.log_index + 1 != peer.next);
    if (stale) {
      RAFTSIM_PROBE(core_stale_rejection_ignored);
      return;
    }
    Index next = message.hint_index;
    if (message.hint_term != 0) {
      const Index candidate = log_.last_index_with_term_at_most(message.hint_term);
      if (candidate > 0 && log_.term_at(candidate) == message.hint_term) {
        RAFTSIM_PROBE(core_backtrack_hint_term_used);
        next = candidate + 1;
      }
    }
    peer.become_probe();
    peer.next = std::clamp<Index>(next, peer.match + 1, message.log_index);
    send_append(message.from, /*allow_empty=*/true);
    return;
  }
  if (message.log_index > peer.match) {
    peer.match = message.log_index;
    peer.heartbeats_while_stalled = 0;
  }
  peer.next = std::max(peer.next, peer.match + 1);
  if (peer.state == Progress::State::probe) peer.become_replicate();
  peer.inflights.free_up_to(message.log_index);
  // A removed leader handing over steps down once its successor has been told to campaign.
  if (maybe_send_timeout_now(message.from) && step_down_if_removed()) return;
  // Committing may change the membership (leaving a joint configuration, stepping down): the
  // progress is looked up again.
  if (maybe_commit()) broadcast_commit_pending_ = true;
  if (role_ != Role::leader) return;
  const Progress* after = tracker_.find_progress(message.from);
  if (after != nullptr && after->match < log_.last_index()) {
    send_append(message.from, /*allow_empty=*/false);
  }
}

void Raft::handle_heartbeat_response(const Message& message) {
  Progress* found = tracker_.find_progress(message.from);
  if (found == nullptr) return;  // not a replica (any more)
  Progress& peer = *found;
  peer.recent_active = true;
  peer.probe_sent = false;  // a probe may have been lost; the heartbeat round restarts it
  if (peer.state == Progress::State::replicate &&
      RAFTSIM_PERTURB(perturbation_, core_follower_to_probe)) {
    peer.become_probe();  // perturbation: re-probe from the match index (costs a round trip)
  } else if (peer.state == Progress::State::replicate && peer.inflights.count() > 0) {
    // A live follower that answers heartbeats but acknowledges none of the appends in flight
    // lost them (network loss, or it restarted): fall back to probing from what is known to
    // match instead of waiting for new work to expose the gap. A full window cannot wait; a
    // partly used one waits a few rounds, since appends and heartbeats may arrive out of order.
    if (peer.inflights.full() || ++peer.heartbeats_while_stalled >= kStalledHeartbeats) {
      RAFTSIM_PROBE(core_stalled_follower_to_probe);
      peer.become_probe();
    }
  }
  for (const auto& [sequence, tick] : heartbeat_ticks_) {
    if (sequence == message.context) {
      peer.acked_heartbeat_tick = std::max(peer.acked_heartbeat_tick, tick);
    }
  }
  peer.acked_read_round = std::max(peer.acked_read_round, message.context);
  release_confirmed_reads();
  if (peer.match < log_.last_index()) send_append(message.from, /*allow_empty=*/false);
}

void Raft::send_append(NodeId peer_id, bool allow_empty) {
  Progress& peer = tracker_.progress(peer_id);
  if (peer.state != Progress::State::snapshot && peer.next < log_.first_index()) {
    // The entries this follower needs are compacted: only the snapshot can bring it up.
    RAFTSIM_CHECK_MSG(snapshot_.meta.index >= log_.snapshot_index(),
                      "a compacted log always has a snapshot to send");
    Snapshot snapshot = snapshot_;
    // A witness keeps no state machine: it gets the snapshot's position and membership only.
    if (strips_payloads_for(peer_id, snapshot.meta.index)) snapshot.data = SharedBytes();
    snapshot.membership = membership_for_peer(snapshot, peer_id);
    peer.become_snapshot(std::move(snapshot));
    RAFTSIM_PROBE(core_snapshot_sent);
  }
  if (peer.state == Progress::State::snapshot) {
    send_snapshot_chunk(peer_id, peer);
    return;
  }
  if (peer.paused()) {
    if (peer.state == Progress::State::replicate) RAFTSIM_PROBE(core_inflight_window_full);
    return;
  }
  Message append;
  append.type = MessageType::append;
  append.to = peer_id;
  append.log_index = peer.next - 1;
  append.log_term = *log_.term_at(append.log_index);
  append.commit = log_.committed();
  if (!spare_entry_vectors_.empty()) {
    append.entries = std::move(spare_entry_vectors_.back());
    spare_entry_vectors_.pop_back();
  }
  // Perturbation: one entry instead of a full batch (the follower's match moves in small steps).
  const std::size_t entries_max =
      RAFTSIM_PERTURB(perturbation_, core_append_batch_small) ? 1 : config_.entries_per_message_max;
  log_.slice_into(peer.next, entries_max, config_.message_bytes_max, append.entries);
  if (append.entries.empty() && !allow_empty) {
    if (append.entries.capacity() > 0) spare_entry_vectors_.push_back(std::move(append.entries));
    return;
  }
  if (membership().is_witness(peer_id)) {
    // A witness stores terms, indexes and configurations, not commands' payloads: that is all
    // voting (the §5.4.1 up-to-date check) and acknowledging (log matching) look at.
    for (Entry& entry : append.entries) {
      if (entry.type == EntryType::normal && strips_payloads_for(peer_id, entry.index)) {
        entry.data = SharedBytes();
      }
    }
  }
  if (peer.state == Progress::State::replicate) {
    if (!append.entries.empty()) {
      peer.next = append.entries.back().index + 1;  // pipelining: assume it arrives
      peer.inflights.add(append.entries.back().index);
    }
  } else {
    peer.probe_sent = true;
  }
  send(std::move(append));
}

void Raft::broadcast_append(bool allow_empty) {
  for (auto& [peer, progress] : tracker_.peers()) send_append(peer, allow_empty);
}

void Raft::broadcast_heartbeat() {
  ++heartbeat_sequence_;
  heartbeat_ticks_.emplace_back(heartbeat_sequence_, ticks_);
  if (heartbeat_ticks_.size() > kHeartbeatTicksRemembered) heartbeat_ticks_.pop_front();
  for (auto& [peer_id, peer] : tracker_.peers()) {
    Message heartbeat;
    heartbeat.type = MessageType::heartbeat;
    heartbeat.to = peer_id;
    heartbeat.commit = std::min(peer.match, log_.committed());
    heartbeat.context = heartbeat_sequence_;
    send(std::move(heartbeat));
  }
}

bool Raft::maybe_commit() {
  // The leader counts its own entries once they are on disk.
  const Index candidate = tracker_.committed_index(log_.stable());
  // §5.4.2: only an entry of the leader's own term is committed by counting replicas.
  if (candidate <= log_.committed()) return false;
  if (log_.term_at(candidate) != term_ && !config_.bugs.has(RaftBug::commit_prev_term)) {
    RAFTSIM_PROBE(core_commit_refused_prev_term);
    return false;
  }
  // Entries of earlier terms committed indirectly, by counting one of our own term (§5.4.2).
  if (log_.term_at(log_.committed() + 1) != term_) RAFTSIM_PROBE(core_commit_prev_term_via_current);
  log_.commit_to(candidate);
  if (committed_in_current_term()) {
    while (!reads_waiting_for_commit_.empty()) {
      start_read_round(reads_waiting_for_commit_.front());
      reads_waiting_for_commit_.pop_front();
    }
  }
  if (config_.bugs.has(RaftBug::config_on_commit)) refresh_membership();
  after_commit_as_leader();
  return true;
}

bool Raft::lease_valid() const {
  // The lease runs from the send tick of heartbeats a quorum answered, for less than the
  // shortest election timeout: no other leader can be elected before it ends (CheckQuorum makes
  // followers ignore campaigns while they hear from us) -- as long as clocks tick at one rate.
  const std::uint64_t quorum_tick = tracker_.quorum_heartbeat_tick(ticks_);
  // Our ticks may run slow by up to clock_drift_max_ppm while a follower's run fast by as much:
  // shrink the lease by (1 - drift) / (1 + drift) so it still ends before their timeout.
  const std::uint64_t timeout = config_.election_timeout_ticks_min - 1;
  const std::uint64_t drift = config_.clock_drift_max_ppm;
  const std::uint64_t lease_ticks = config_.bugs.has(RaftBug::lease_read_no_drift_bound)
                                        ? timeout  // injected bug: the whole timeout
                                        : timeout * (1'000'000 - drift) / (1'000'000 + drift);
  return quorum_tick > 0 && ticks_ - quorum_tick < lease_ticks;
}

bool Raft::committed_in_current_term() const {
  return log_.committed() > 0 && log_.term_at(log_.committed()) == term_;
}

Result<Index> Raft::propose(SharedBytes data) {
  if (role_ != Role::leader) {
    return Status(StatusCode::unavailable, "not the leader");
  }
  if (transfer_target_ != kNoNode) {
    return Status(StatusCode::unavailable, "a leadership transfer is in progress");
  }
  const Index index = log_.append_new(term_, EntryType::normal, std::move(data));
  broadcast_entries_pending_ = true;  // batched: one broadcast per Ready, not per proposal
  return index;
}

Status Raft::read_index(std::uint64_t request_id) {
  if (role_ != Role::leader) return Status(StatusCode::unavailable, "not the leader");
  if (pending_reads_.size() + reads_waiting_for_commit_.size() >= config_.pending_reads_max) {
    return Status(StatusCode::no_space, "too many pending reads");
  }
  if (config_.bugs.has(RaftBug::read_without_readindex) && committed_in_current_term()) {
    read_states_.push_back(ReadState{request_id, log_.committed()});  // injected bug: no round
    return Status();
  }
  if (config_.lease_read && committed_in_current_term() && lease_valid()) {
    RAFTSIM_PROBE(core_lease_read_served);
    read_states_.push_back(ReadState{request_id, log_.committed()});
    return Status();
  }
  if (!committed_in_current_term()) {
    // Thesis §6.4: until its no-op commits, a new leader does not know the commit index.
    RAFTSIM_PROBE(core_read_waits_for_term_commit);
    reads_waiting_for_commit_.push_back(request_id);
    return Status();
  }
  start_read_round(request_id);
  return Status();
}

void Raft::start_read_round(std::uint64_t request_id) {
  pending_reads_.push_back(PendingRead{request_id, log_.committed(), heartbeat_sequence_ + 1});
  heartbeat_pending_ = true;  // the next heartbeat carries this round
  release_confirmed_reads();  // a one-node cluster confirms at once
}

void Raft::release_confirmed_reads() {
  while (!pending_reads_.empty() && tracker_.read_round_confirmed(pending_reads_.front().round)) {
    read_states_.push_back(
        ReadState{pending_reads_.front().request_id, pending_reads_.front().index});
    pending_reads_.pop_front();
  }
}

}  // namespace raftsim

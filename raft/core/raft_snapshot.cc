// raftsim: the Raft core's snapshot paths (paper §7) -- a follower receiving a snapshot in
// bounded, resumable chunks; a leader sending one chunk at a time to a follower that needs
// compacted entries; and the host handing the core a snapshot it took, behind which the log is
// compacted.
#include <algorithm>

#include "raft/base/check.h"
#include "raft/base/probe.h"
#include "raft/core/raft.h"

namespace raftsim {

void Raft::handle_install_snapshot(const Message& message) {
  follow_leader_of_this_term(message.from);
  Message response;
  response.type = MessageType::install_snapshot_response;
  response.to = message.from;
  response.log_index = message.log_index;
  const SnapshotMeta meta{message.log_index, message.log_term};
  if (meta.index > log_.committed() && log_.matches(meta.index, meta.term)) {
    // We hold the snapshot's last entry, hence (log matching) everything it covers. The entries
    // after it must stay: we may have acknowledged them, and a leader may count them as
    // committed (paper §7). Take the commit index only; the log applies as usual.
    log_.commit_to(meta.index);
  }
  if (meta.index <= log_.committed() && !config_.bugs.has(RaftBug::snapshot_overwrites_newer)) {
    // Already covered here (a duplicate or late chunk): say how far our log is known to match.
    RAFTSIM_PROBE(core_snapshot_chunk_stale);
    incoming_.reset();
    response.context = message.hint_index;
    response.hint_index = log_.committed();
    send(std::move(response));
    return;
  }
  if (message.entries.empty() || message.entries.size() > 2 ||
      message.hint_index > config_.snapshot_bytes_max) {
    return;
  }
  SharedBytes membership_bytes;
  if (message.entries.size() == 2) {
    membership_bytes = message.entries[1].data;
    if (message.entries[1].type != EntryType::config || !decode_membership(membership_bytes)) {
      return;  // not a snapshot this code sent
    }
  }
  const SharedBytes& chunk = message.entries.front().data;
  if (!incoming_ || incoming_->meta != meta || incoming_->total != message.hint_index) {
    if (message.context != 0) {  // the middle of a transfer we do not have: ask for its start
      response.context = 0;
      send(std::move(response));
      return;
    }
    incoming_ = IncomingSnapshot{};
    incoming_->meta = meta;
    incoming_->total = message.hint_index;
    incoming_->buffer =
        SharedBytes::uninitialized(static_cast<std::size_t>(message.hint_index), incoming_->bytes);
  }
  IncomingSnapshot& incoming = *incoming_;
  if (message.context != incoming.received || chunk.size() > incoming.total - incoming.received) {
    RAFTSIM_PROBE(core_snapshot_chunk_resume);
    response.context = incoming.received;  // out of order or inconsistent: resume from here
    send(std::move(response));
    return;
  }
  if (!chunk.empty()) std::copy(chunk.begin(), chunk.end(), incoming.bytes + incoming.received);
  incoming.received += chunk.size();
  response.context = incoming.received;
  if (incoming.received == incoming.total) {
    // An empty membership means the receiver's bootstrap one; stored as the sender's encoding
    // would compare unequal to ours, so it is normalised the same way snapshot_taken does.
    Membership membership = bootstrap_;
    if (!membership_bytes.empty()) membership = *decode_membership(membership_bytes);
    if (membership == bootstrap_) membership_bytes = SharedBytes();
    snapshot_ = Snapshot{meta, std::move(incoming.buffer), std::move(membership_bytes)};
    incoming_.reset();
    log_.restore(meta);
    configs_.clear();  // the whole log was replaced
    base_membership_ = std::move(membership);
    ++base_generation_;
    refresh_membership();
    pending_install_ = true;
    RAFTSIM_PROBE(core_snapshot_installed);
    response.hint_index = meta.index;  // sent after the Ready persisted the snapshot
  }
  send(std::move(response));
}

void Raft::handle_install_snapshot_response(const Message& message) {
  Progress* found = tracker_.find_progress(message.from);
  if (found == nullptr) return;  // not a replica (any more)
  Progress& peer = *found;
  peer.recent_active = true;
  if (message.hint_index != 0) {
    peer.match = std::max(peer.match, std::min(message.hint_index, log_.last_index()));
    if (peer.state == Progress::State::snapshot) {
      peer.become_probe();
    } else {
      peer.next = std::max(peer.next, peer.match + 1);
    }
    if (maybe_send_timeout_now(message.from) && step_down_if_removed()) return;
    if (maybe_commit()) broadcast_commit_pending_ = true;
    if (role_ != Role::leader || tracker_.find_progress(message.from) == nullptr) return;
    send_append(message.from, /*allow_empty=*/true);
    return;
  }
  if (peer.state != Progress::State::snapshot || message.log_index != peer.sending.meta.index) {
    return;  // about a transfer that is over
  }
  // One chunk is outstanding at a time. An answer that asks for the chunk already on its way is a
  // duplicate (of the answer, or the answer to a chunk sent twice): sending again would add one
  // more chunk in flight for the rest of the transfer, and on a duplicating link their number
  // grows exponentially. A lost chunk is resent by the next heartbeat round.
  if (peer.probe_sent && message.context == peer.sending_offset) return;
  peer.sending_offset = message.context;
  peer.probe_sent = false;
  send_append(message.from, /*allow_empty=*/true);
}

void Raft::send_snapshot_chunk(NodeId peer_id, Progress& peer) {
  if (peer.paused()) return;  // one chunk outstanding; its answer (or a heartbeat) moves on
  const Snapshot& snapshot = peer.sending;
  const std::uint64_t total = snapshot.data.size();
  const std::uint64_t offset = std::min<std::uint64_t>(peer.sending_offset, total);
  const std::uint64_t length =
      std::min<std::uint64_t>(config_.snapshot_chunk_bytes_max, total - offset);
  Message chunk;
  chunk.type = MessageType::install_snapshot;
  chunk.to = peer_id;
  chunk.log_index = snapshot.meta.index;
  chunk.log_term = snapshot.meta.term;
  chunk.commit = log_.committed();
  chunk.context = offset;
  chunk.hint_index = total;
  chunk.entries.push_back(Entry{
      snapshot.meta.term, snapshot.meta.index, EntryType::normal,
      snapshot.data.slice(static_cast<std::size_t>(offset), static_cast<std::size_t>(length))});
  if (!snapshot.membership.empty()) {
    chunk.entries.push_back(
        Entry{snapshot.meta.term, snapshot.meta.index, EntryType::config, snapshot.membership});
  }
  peer.probe_sent = true;
  send(std::move(chunk));
}

void Raft::snapshot_taken(Snapshot snapshot) {
  const Index index = snapshot.meta.index;
  RAFTSIM_CHECK_MSG(index <= log_.applied(), "a snapshot covers only applied entries");
  RAFTSIM_CHECK_MSG(log_.term_at(index) == snapshot.meta.term, "snapshot term differs from log");
  if (index <= snapshot_.meta.index) return;
  snapshot_ = std::move(snapshot);
  snapshot_.membership = snapshot_membership(index);
  const Index keep = static_cast<Index>(config_.entries_kept_after_snapshot);
  const Index compact_to = std::min(index > keep ? index - keep : 0, log_.stable());
  log_.compact_to(compact_to);
  // Config entries now compacted fold into the base membership (the newest of them wins).
  std::size_t folded = 0;
  while (folded < configs_.size() && configs_[folded].index <= log_.snapshot_index()) ++folded;
  if (folded > 0) {
    const bool tracker_on_folded = tracker_config_index_ == configs_[folded - 1].index;
    base_membership_ = std::move(configs_[folded - 1].membership);
    configs_.erase(configs_.begin(), configs_.begin() + static_cast<std::ptrdiff_t>(folded));
    ++base_generation_;
    if (tracker_on_folded) {
      tracker_config_index_ = 0;  // the same membership, now the base: no reconfiguration
      tracker_base_generation_ = base_generation_;
    }
  }
}

}  // namespace raftsim

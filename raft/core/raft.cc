#include "raft/core/raft.h"

#include <algorithm>

#include "raft/base/check.h"
#include "raft/base/hash.h"

namespace raftsim {

namespace {
// Heartbeat sequence numbers remembered for lease reads; older acknowledgements are ignored.
constexpr std::size_t kHeartbeatTicksRemembered = 64;
// Enough for every append of a Ready of a large cluster; beyond it vectors are freed.
constexpr std::size_t kSpareEntryVectorsMax = 64;
// Heartbeat answers, with appends in flight and none acknowledged, after which the appends are
// taken as lost. Each round is heartbeat_ticks apart, so this is well beyond a network delay.
constexpr std::uint32_t kStalledHeartbeats = 3;
}  // namespace

const char* role_name(Role role) {
  switch (role) {
    case Role::follower:
      return "follower";
    case Role::pre_candidate:
      return "pre_candidate";
    case Role::candidate:
      return "candidate";
    case Role::leader:
      return "leader";
  }
  RAFTSIM_UNREACHABLE("unknown Role");
}

Status RaftConfig::validate() const {
  auto invalid = [](const char* what) { return Status(StatusCode::invalid_argument, what); };
  if (voters.empty() || std::find(voters.begin(), voters.end(), id) == voters.end()) {
    return invalid("voters must include this node's id");
  }
  std::vector<NodeId> sorted = voters;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    return invalid("voters must not repeat");
  }
  if (heartbeat_ticks == 0) return invalid("heartbeat_ticks must be positive");
  if (election_timeout_ticks_min <= heartbeat_ticks) {
    return invalid("election_timeout_ticks_min must exceed heartbeat_ticks");
  }
  if (election_timeout_ticks_max <= election_timeout_ticks_min) {
    return invalid("election_timeout_ticks_max must exceed election_timeout_ticks_min");
  }
  if (lease_read && !check_quorum) return invalid("lease_read requires check_quorum");
  if (clock_drift_max_ppm >= 1'000'000) return invalid("clock_drift_max_ppm must be below 1e6");
  if (entries_per_message_max == 0 || inflight_messages_max == 0 ||
      apply_entries_per_ready_max == 0) {
    return invalid("per-message, in-flight and apply limits must be positive");
  }
  if (snapshot_chunk_bytes_max == 0 || snapshot_chunk_bytes_max > (std::size_t{16} << 20)) {
    return invalid("snapshot_chunk_bytes_max must be in 1..16 MiB");
  }
  return Status();
}

Raft::Raft(const RaftConfig& config, const HardState& recovered_state,
           std::vector<Entry> recovered_entries)
    : Raft(config, recovered_state, Snapshot{}, std::move(recovered_entries)) {}

Raft::Raft(const RaftConfig& config, const HardState& recovered_state, Snapshot recovered_snapshot,
           std::vector<Entry> recovered_entries)
    : config_(config),
      term_(recovered_state.term),
      vote_(recovered_state.vote),
      log_(recovered_snapshot.meta, std::move(recovered_entries), config.bugs),
      persisted_(recovered_state),
      random_state_(mix64(config.random_seed ^ 0x5eed5eed5eed5eedULL)),
      snapshot_(std::move(recovered_snapshot)) {
  RAFTSIM_CHECK_MSG(config_.validate().ok(), "invalid RaftConfig");
  RAFTSIM_CHECK_MSG(log_.last_term() <= term_, "recovered log has entries from a future term");
  std::sort(config_.voters.begin(), config_.voters.end());
  reset_election_timer();
}

// ---------------------------------------------------------------------------------------------
// Small helpers

std::uint64_t Raft::next_random(std::uint64_t bound) {
  // SplitMix64 over a private state: the core draws only election timeouts, and a fixed
  // algorithm keeps runs reproducible (no global generator, no <random>).
  random_state_ += 0x9e3779b97f4a7c15ULL;
  return mix64(random_state_) % bound;
}

void Raft::reset_election_timer() {
  election_elapsed_ = 0;
  const std::uint32_t spread =
      config_.election_timeout_ticks_max - config_.election_timeout_ticks_min;
  randomized_election_timeout_ =
      config_.election_timeout_ticks_min + static_cast<std::uint32_t>(next_random(spread));
}

bool Raft::is_voter(NodeId node) const {
  return std::binary_search(config_.voters.begin(), config_.voters.end(), node);
}

Progress& Raft::progress(NodeId peer) {
  for (auto& [node, progress] : progress_) {
    if (node == peer) return progress;
  }
  RAFTSIM_UNREACHABLE("no progress for peer");
}

void Raft::send(Message message) {
  message.from = config_.id;
  if (message.term == 0) message.term = term_;
  outbox_.push_back(std::move(message));
}

// ---------------------------------------------------------------------------------------------
// Role changes

void Raft::become_follower(Term term, NodeId leader) {
  RAFTSIM_CHECK_MSG(term >= term_, "terms never go back");
  if (term > term_) {
    term_ = term;
    vote_ = kNoNode;
  }
  role_ = Role::follower;
  leader_ = leader;
  progress_.clear();
  votes_.clear();
  pending_reads_.clear();
  reads_waiting_for_commit_.clear();
  heartbeat_ticks_.clear();
  broadcast_entries_pending_ = broadcast_commit_pending_ = heartbeat_pending_ = false;
  reset_election_timer();
}

void Raft::become_pre_candidate() {
  RAFTSIM_CHECK(role_ != Role::leader);
  // PreVote (thesis §9.6): ask first whether we could win, without disturbing anyone's term.
  role_ = Role::pre_candidate;
  leader_ = kNoNode;
  votes_.clear();
  reset_election_timer();
}

void Raft::become_candidate() {
  RAFTSIM_CHECK(role_ != Role::leader);
  ++term_;
  vote_ = config_.id;
  role_ = Role::candidate;
  leader_ = kNoNode;
  votes_.clear();
  reset_election_timer();
}

void Raft::become_leader() {
  RAFTSIM_CHECK_MSG(role_ == Role::candidate, "only a candidate can win an election");
  role_ = Role::leader;
  leader_ = config_.id;
  heartbeat_elapsed_ = 0;
  election_elapsed_ = 0;
  progress_.clear();
  for (NodeId peer : config_.voters) {
    if (peer == config_.id) continue;
    Progress progress;
    progress.next = log_.last_index() + 1;
    progress.inflights = Inflights(config_.inflight_messages_max);
    progress.recent_active = true;  // give every follower one CheckQuorum round to answer
    progress_.emplace_back(peer, std::move(progress));
  }
  // Paper §8: a no-op of the new term lets the leader learn what is committed and commit it.
  log_.append_new(term_, EntryType::noop, {});
  broadcast_entries_pending_ = true;
}

void Raft::campaign(bool pre_vote) {
  if (pre_vote) {
    become_pre_candidate();
  } else {
    become_candidate();
  }
  const Term campaign_term = pre_vote ? term_ + 1 : term_;
  votes_.emplace_back(config_.id, true);
  if (votes_.size() >= quorum()) {  // a one-node cluster wins at once
    if (pre_vote) {
      campaign(false);
    } else {
      become_leader();
    }
    return;
  }
  for (NodeId peer : config_.voters) {
    if (peer == config_.id) continue;
    Message request;
    request.type = pre_vote ? MessageType::pre_vote_request : MessageType::vote_request;
    request.to = peer;
    request.term = campaign_term;
    request.log_index = log_.last_index();
    request.log_term = log_.last_term();
    send(std::move(request));
  }
}

// ---------------------------------------------------------------------------------------------
// Inputs

void Raft::tick() {
  ++ticks_;
  if (role_ == Role::leader) {
    tick_leader();
    return;
  }
  if (++election_elapsed_ >= randomized_election_timeout_) campaign(config_.pre_vote);
}

void Raft::tick_leader() {
  ++heartbeat_elapsed_;
  if (++election_elapsed_ >= config_.election_timeout_ticks_min) {
    election_elapsed_ = 0;
    // CheckQuorum: a leader that has not heard from a majority for an election timeout steps
    // down, so a partitioned leader stops serving (lease) reads and clients go elsewhere.
    if (config_.check_quorum && !quorum_active()) {
      become_follower(term_, kNoNode);
      return;
    }
    for (auto& [peer, progress] : progress_) progress.recent_active = false;
  }
  if (heartbeat_elapsed_ >= config_.heartbeat_ticks) {
    heartbeat_elapsed_ = 0;
    heartbeat_pending_ = true;
  }
}

void Raft::step(const Message& message) {
  RAFTSIM_CHECK_MSG(message.to == config_.id, "message delivered to the wrong node");
  if (!is_voter(message.from) || message.from == config_.id) return;
  if (!check_term(message)) return;
  switch (message.type) {
    case MessageType::pre_vote_request:
    case MessageType::vote_request:
      handle_vote_request(message);
      return;
    case MessageType::pre_vote_response:
    case MessageType::vote_response:
      handle_vote_response(message);
      return;
    case MessageType::append:
      handle_append(message);
      return;
    case MessageType::heartbeat:
      handle_heartbeat(message);
      return;
    case MessageType::append_response:
      if (role_ == Role::leader) handle_append_response(message);
      return;
    case MessageType::heartbeat_response:
      if (role_ == Role::leader) handle_heartbeat_response(message);
      return;
    case MessageType::install_snapshot:
      handle_install_snapshot(message);
      return;
    case MessageType::install_snapshot_response:
      if (role_ == Role::leader) handle_install_snapshot_response(message);
      return;
  }
  RAFTSIM_UNREACHABLE("unknown MessageType");
}

// Applies the term rules shared by every message; false if the message is to be ignored.
bool Raft::check_term(const Message& message) {
  const bool is_vote_request =
      message.type == MessageType::vote_request || message.type == MessageType::pre_vote_request;
  if (message.term > term_) {
    if (is_vote_request && config_.check_quorum && leader_ != kNoNode &&
        election_elapsed_ < config_.election_timeout_ticks_min) {
      // Thesis §4.2.3: we heard from a live leader recently; a rejoining node must not depose it.
      return false;
    }
    const bool keeps_term = message.type == MessageType::pre_vote_request ||
                            (message.type == MessageType::pre_vote_response && !message.reject);
    if (!keeps_term) {
      const bool from_leader = message.type == MessageType::append ||
                               message.type == MessageType::heartbeat ||
                               message.type == MessageType::install_snapshot;
      become_follower(message.term, from_leader ? message.from : kNoNode);
    }
    return true;
  }
  if (message.term < term_) {
    const bool from_stale_leader = message.type == MessageType::append ||
                                   message.type == MessageType::heartbeat ||
                                   message.type == MessageType::install_snapshot;
    if (config_.bugs.has(RaftBug::stale_term_append) && from_stale_leader &&
        role_ != Role::leader) {
      return true;  // injected bug: a deposed leader's appends are taken as current
    }
    if (from_stale_leader) {
      // Tell a stale leader about the newer term so it steps down (it may be cut off from
      // everyone else and never hear of it otherwise).
      Message response;
      response.type = MessageType::append_response;
      response.to = message.from;
      send(std::move(response));
    } else if (message.type == MessageType::pre_vote_request) {
      Message response;
      response.type = MessageType::pre_vote_response;
      response.to = message.from;
      response.reject = true;
      send(std::move(response));
    }
    return false;
  }
  return true;
}

void Raft::handle_vote_request(const Message& message) {
  const bool pre_vote = message.type == MessageType::pre_vote_request;
  const bool can_vote = vote_ == message.from || (vote_ == kNoNode && leader_ == kNoNode) ||
                        (pre_vote && message.term > term_);
  Message response;
  response.type = pre_vote ? MessageType::pre_vote_response : MessageType::vote_response;
  response.to = message.from;
  const bool up_to_date =
      config_.bugs.has(RaftBug::vote_ignores_log) ||  // injected bug: no log check
      log_.is_up_to_date(message.log_index, message.log_term);
  if (can_vote && up_to_date) {
    response.term = message.term;
    if (!pre_vote) {
      RAFTSIM_CHECK(message.term == term_);
      vote_ = message.from;  // persisted (Ready.hard_state) before the grant is sent
      reset_election_timer();
    }
  } else {
    response.reject = true;
  }
  send(std::move(response));
}

void Raft::handle_vote_response(const Message& message) {
  const bool pre_vote = message.type == MessageType::pre_vote_response;
  if (role_ != (pre_vote ? Role::pre_candidate : Role::candidate)) return;
  if (!message.reject && message.term != (pre_vote ? term_ + 1 : term_)) return;  // stale
  for (const auto& [voter, granted] : votes_) {
    if (voter == message.from) return;  // a duplicate answer counts once
  }
  votes_.emplace_back(message.from, !message.reject);
  const auto granted = static_cast<std::size_t>(
      std::count_if(votes_.begin(), votes_.end(), [](const auto& vote) { return vote.second; }));
  if (granted >= quorum()) {
    if (pre_vote) {
      campaign(false);
    } else {
      become_leader();
    }
  } else if (votes_.size() - granted >= quorum()) {
    become_follower(term_, kNoNode);
  }
}

// A message only the leader of our term sends: whoever we thought led (or if we were a
// candidate), `from` leads now, and it is alive.
void Raft::follow_leader_of_this_term(NodeId from) {
  if (role_ != Role::follower || leader_ != from) {
    RAFTSIM_CHECK_MSG(role_ != Role::leader, "two leaders in one term");
    become_follower(term_, from);
  }
  election_elapsed_ = 0;
}

void Raft::handle_append(const Message& message) {
  follow_leader_of_this_term(message.from);
  Message response;
  response.type = MessageType::append_response;
  response.to = message.from;
  if (message.log_index < log_.committed()) {
    response.log_index = log_.committed();  // everything up to commit matches; say so
  } else if (log_.matches(message.log_index, message.log_term)) {
    const Index last_new = log_.append_after(message.log_index, message.entries);
    log_.commit_to(std::min(message.commit, last_new));
    response.log_index = last_new;
  } else {
    // Fast backtracking (paper §5.3, last paragraphs): name the conflicting term and where it
    // starts, or our log's end if we are simply behind, so the leader skips a term per round.
    response.reject = true;
    response.log_index = message.log_index;
    if (message.log_index > log_.last_index()) {
      response.hint_index = log_.last_index() + 1;
    } else {
      response.hint_term = *log_.term_at(message.log_index);
      response.hint_index = message.log_index <= log_.snapshot_index()
                                ? message.log_index
                                : log_.first_index_of_term_at(message.log_index);
    }
  }
  send(std::move(response));
}

void Raft::handle_heartbeat(const Message& message) {
  follow_leader_of_this_term(message.from);
  // The leader sends min(its commit, our match), which our log is known to hold.
  log_.commit_to(std::min(message.commit, log_.last_index()));
  Message response;
  response.type = MessageType::heartbeat_response;
  response.to = message.from;
  response.context = message.context;
  send(std::move(response));
}

void Raft::handle_append_response(const Message& message) {
  Progress& peer = progress(message.from);
  peer.recent_active = true;
  if (peer.state == Progress::State::snapshot) {
    // A late answer to an append sent before the snapshot transfer began: only an
    // acknowledgement reaching the kept log ends the transfer early.
    if (message.reject || message.log_index + 1 < log_.first_index()) return;
    peer.become_probe();
  }
  if (message.reject) {
    const bool stale = message.log_index <= peer.match ||
                       (peer.state == Progress::State::probe && message.log_index + 1 != peer.next);
    if (stale) return;
    Index next = message.hint_index;
    if (message.hint_term != 0) {
      const Index candidate = log_.last_index_with_term_at_most(message.hint_term);
      if (candidate > 0 && log_.term_at(candidate) == message.hint_term) next = candidate + 1;
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
  if (maybe_commit()) broadcast_commit_pending_ = true;
  if (peer.match < log_.last_index()) send_append(message.from, /*allow_empty=*/false);
}

void Raft::handle_heartbeat_response(const Message& message) {
  Progress& peer = progress(message.from);
  peer.recent_active = true;
  peer.probe_sent = false;  // a probe may have been lost; the heartbeat round restarts it
  if (peer.state == Progress::State::replicate && peer.inflights.count() > 0) {
    // A live follower that answers heartbeats but acknowledges none of the appends in flight
    // lost them (network loss, or it restarted): fall back to probing from what is known to
    // match instead of waiting for new work to expose the gap. A full window cannot wait; a
    // partly used one waits a few rounds, since appends and heartbeats may arrive out of order.
    if (peer.inflights.full() || ++peer.heartbeats_while_stalled >= kStalledHeartbeats) {
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
    incoming_.reset();
    response.context = message.hint_index;
    response.hint_index = log_.committed();
    send(std::move(response));
    return;
  }
  if (message.entries.size() != 1 || message.hint_index > config_.snapshot_bytes_max) return;
  const SharedBytes& chunk = message.entries.front().data;
  if (!incoming_ || incoming_->meta != meta || incoming_->total != message.hint_index) {
    if (message.context != 0) {  // the middle of a transfer we do not have: ask for its start
      response.context = 0;
      send(std::move(response));
      return;
    }
    incoming_.emplace();
    incoming_->meta = meta;
    incoming_->total = message.hint_index;
    incoming_->buffer =
        SharedBytes::uninitialized(static_cast<std::size_t>(message.hint_index), incoming_->bytes);
  }
  IncomingSnapshot& incoming = *incoming_;
  if (message.context != incoming.received || chunk.size() > incoming.total - incoming.received) {
    response.context = incoming.received;  // out of order or inconsistent: resume from here
    send(std::move(response));
    return;
  }
  if (!chunk.empty()) std::copy(chunk.begin(), chunk.end(), incoming.bytes + incoming.received);
  incoming.received += chunk.size();
  response.context = incoming.received;
  if (incoming.received == incoming.total) {
    snapshot_ = Snapshot{meta, std::move(incoming.buffer)};
    incoming_.reset();
    log_.restore(meta);
    pending_install_ = true;
    response.hint_index = meta.index;  // sent after the Ready persisted the snapshot
  }
  send(std::move(response));
}

void Raft::handle_install_snapshot_response(const Message& message) {
  Progress& peer = progress(message.from);
  peer.recent_active = true;
  if (message.hint_index != 0) {
    peer.match = std::max(peer.match, std::min(message.hint_index, log_.last_index()));
    if (peer.state == Progress::State::snapshot) {
      peer.become_probe();
    } else {
      peer.next = std::max(peer.next, peer.match + 1);
    }
    if (maybe_commit()) broadcast_commit_pending_ = true;
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

// ---------------------------------------------------------------------------------------------
// Leader duties

void Raft::send_append(NodeId peer_id, bool allow_empty) {
  Progress& peer = progress(peer_id);
  if (peer.state != Progress::State::snapshot && peer.next < log_.first_index()) {
    // The entries this follower needs are compacted: only the snapshot can bring it up.
    RAFTSIM_CHECK_MSG(snapshot_.meta.index >= log_.snapshot_index(),
                      "a compacted log always has a snapshot to send");
    peer.become_snapshot(snapshot_);
  }
  if (peer.state == Progress::State::snapshot) {
    send_snapshot_chunk(peer_id, peer);
    return;
  }
  if (peer.paused()) return;
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
  log_.slice_into(peer.next, config_.entries_per_message_max, config_.message_bytes_max,
                  append.entries);
  if (append.entries.empty() && !allow_empty) {
    if (append.entries.capacity() > 0) spare_entry_vectors_.push_back(std::move(append.entries));
    return;
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
  peer.probe_sent = true;
  send(std::move(chunk));
}

void Raft::broadcast_append(bool allow_empty) {
  for (auto& [peer, progress] : progress_) send_append(peer, allow_empty);
}

void Raft::broadcast_heartbeat() {
  ++heartbeat_sequence_;
  heartbeat_ticks_.emplace_back(heartbeat_sequence_, ticks_);
  if (heartbeat_ticks_.size() > kHeartbeatTicksRemembered) heartbeat_ticks_.pop_front();
  for (auto& [peer_id, peer] : progress_) {
    Message heartbeat;
    heartbeat.type = MessageType::heartbeat;
    heartbeat.to = peer_id;
    heartbeat.commit = std::min(peer.match, log_.committed());
    heartbeat.context = heartbeat_sequence_;
    send(std::move(heartbeat));
  }
}

bool Raft::maybe_commit() {
  std::vector<Index>& matches = match_scratch_;
  matches.clear();
  matches.push_back(log_.stable());  // the leader counts its own entries once they are on disk
  for (const auto& [peer, progress] : progress_) matches.push_back(progress.match);
  std::sort(matches.begin(), matches.end(), std::greater<>());
  const Index candidate = matches[quorum() - 1];
  // §5.4.2: only an entry of the leader's own term is committed by counting replicas.
  if (candidate <= log_.committed()) return false;
  if (log_.term_at(candidate) != term_ && !config_.bugs.has(RaftBug::commit_prev_term))
    return false;
  log_.commit_to(candidate);
  if (committed_in_current_term()) {
    while (!reads_waiting_for_commit_.empty()) {
      start_read_round(reads_waiting_for_commit_.front());
      reads_waiting_for_commit_.pop_front();
    }
  }
  return true;
}

bool Raft::quorum_active() const {
  std::size_t active = 1;  // self
  for (const auto& [peer, progress] : progress_) active += progress.recent_active ? 1 : 0;
  return active >= quorum();
}

bool Raft::lease_valid() const {
  // The lease runs from the send tick of heartbeats a quorum answered, for less than the
  // shortest election timeout: no other leader can be elected before it ends (CheckQuorum makes
  // followers ignore campaigns while they hear from us) -- as long as clocks tick at one rate.
  std::vector<std::uint64_t> acked;
  acked.push_back(ticks_);
  for (const auto& [peer, progress] : progress_) acked.push_back(progress.acked_heartbeat_tick);
  std::sort(acked.begin(), acked.end(), std::greater<>());
  const std::uint64_t quorum_tick = acked[quorum() - 1];
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

// ---------------------------------------------------------------------------------------------
// Proposals and reads

Result<Index> Raft::propose(SharedBytes data) {
  if (role_ != Role::leader) {
    return Status(StatusCode::unavailable, "not the leader");
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
    read_states_.push_back(ReadState{request_id, log_.committed()});
    return Status();
  }
  if (!committed_in_current_term()) {
    // Thesis §6.4: until its no-op commits, a new leader does not know the commit index.
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

bool Raft::read_confirmed(const PendingRead& read) const {
  std::size_t acks = 1;  // self
  for (const auto& [peer, progress] : progress_) {
    if (progress.acked_read_round >= read.round) ++acks;
  }
  return acks >= quorum();
}

void Raft::release_confirmed_reads() {
  while (!pending_reads_.empty() && read_confirmed(pending_reads_.front())) {
    read_states_.push_back(
        ReadState{pending_reads_.front().request_id, pending_reads_.front().index});
    pending_reads_.pop_front();
  }
}

// ---------------------------------------------------------------------------------------------
// Ready / advance

bool Raft::has_ready() const {
  return !outbox_.empty() || pending_install_ || HardState{term_, vote_} != persisted_ ||
         log_.stable() < log_.last_index() || log_.applied() < log_.committed() ||
         !read_states_.empty() || broadcast_entries_pending_ || broadcast_commit_pending_ ||
         heartbeat_pending_;
}

Ready Raft::ready() {
  Ready ready;
  this->ready(ready);
  return ready;
}

void Raft::ready(Ready& ready) {
  if (role_ == Role::leader) {
    if (broadcast_entries_pending_ || broadcast_commit_pending_) {
      broadcast_append(/*allow_empty=*/broadcast_commit_pending_);
    }
    if (heartbeat_pending_) broadcast_heartbeat();
  }
  broadcast_entries_pending_ = broadcast_commit_pending_ = heartbeat_pending_ = false;
  ready.snapshot.reset();
  if (pending_install_) ready.snapshot = snapshot_;
  ready.hard_state.reset();
  if (HardState{term_, vote_} != persisted_) ready.hard_state = HardState{term_, vote_};
  ready.rewrite_from = log_.stable_rewrite_from();
  ready.entries = log_.unstable_entries();
  // Swap rather than move, so the outbox keeps the capacity the caller's last Ready had; the
  // entry vectors of that Ready's appends are kept for the next ones.
  for (Message& message : ready.messages) {
    if (message.entries.capacity() == 0 || spare_entry_vectors_.size() >= kSpareEntryVectorsMax) {
      continue;
    }
    message.entries.clear();
    spare_entry_vectors_.push_back(std::move(message.entries));
  }
  ready.messages.clear();
  ready.messages.swap(outbox_);
  ready.committed_entries = log_.entries_to_apply(config_.apply_entries_per_ready_max);
  ready.read_states.clear();
  ready.read_states.swap(read_states_);
}

void Raft::advance(const Ready& ready) {
  if (ready.snapshot) pending_install_ = false;
  if (ready.hard_state) persisted_ = *ready.hard_state;
  if (!ready.entries.empty()) {
    log_.stable_to(ready.entries.back().index, ready.entries.back().term);
  }
  if (!ready.committed_entries.empty()) log_.applied_to(ready.committed_entries.back().index);
  if (role_ == Role::leader && maybe_commit()) broadcast_commit_pending_ = true;
}

std::uint64_t Raft::full_state_hash() const {
  // Every field that decides what the node does next, except the clock (ticks, elapsed counts,
  // randomized timeout, random state) and read/lease bookkeeping: the model checker abstracts
  // time (a timer is a choice) and issues no reads.
  Hasher hasher(state_hash());
  hasher.add(persisted_.term).add(persisted_.vote).add(log_.stable_rewrite_from());
  std::vector<std::pair<NodeId, bool>> votes = votes_;
  std::sort(votes.begin(), votes.end());  // arrival order does not matter, only who answered
  hasher.add(votes.size());
  for (const auto& [voter, granted] : votes) hasher.add(voter).add(granted ? 1 : 0);
  hasher.add(progress_.size());
  for (const auto& [peer, progress] : progress_) {
    hasher.add(peer).add(progress.match).add(progress.next);
    hasher.add(static_cast<std::uint64_t>(progress.state)).add(progress.probe_sent ? 1 : 0);
    if (config_.check_quorum) hasher.add(progress.recent_active ? 1 : 0);
    hasher.add(progress.inflights.count()).add(progress.heartbeats_while_stalled);
    for (std::uint32_t i = 0; i < progress.inflights.count(); ++i) {
      hasher.add(progress.inflights.at(i));
    }
    hasher.add(progress.sending.meta.index).add(progress.sending_offset);
  }
  hasher.add(snapshot_.meta.index);
  hasher.add(broadcast_entries_pending_).add(broadcast_commit_pending_).add(heartbeat_pending_);
  hasher.add(outbox_.size()).add(pending_reads_.size()).add(reads_waiting_for_commit_.size());
  return hasher.value();
}

void Raft::snapshot_taken(Snapshot snapshot) {
  const Index index = snapshot.meta.index;
  RAFTSIM_CHECK_MSG(index <= log_.applied(), "a snapshot covers only applied entries");
  RAFTSIM_CHECK_MSG(log_.term_at(index) == snapshot.meta.term, "snapshot term differs from log");
  if (index <= snapshot_.meta.index) return;
  snapshot_ = std::move(snapshot);
  const Index keep = static_cast<Index>(config_.entries_kept_after_snapshot);
  const Index compact_to = std::min(index > keep ? index - keep : 0, log_.stable());
  log_.compact_to(compact_to);
}

std::uint64_t Raft::state_hash() const {
  Hasher hasher;
  hasher.add(config_.id).add(term_).add(vote_).add(leader_).add(static_cast<std::uint64_t>(role_));
  hasher.add(log_.committed()).add(log_.applied()).add(log_.stable()).add(log_.last_index());
  if (log_.snapshot_index() != 0) hasher.add(log_.snapshot_index()).add(log_.snapshot_term());
  for (Index index = log_.first_index(); index <= log_.last_index(); ++index) {
    const Entry& entry = log_.at(index);
    hasher.add(entry.term).add(static_cast<std::uint64_t>(entry.type)).add_bytes(entry.data);
  }
  return hasher.value();
}

}  // namespace raftsim

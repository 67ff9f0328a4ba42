// raftsim: the Raft core's roles, inputs and Ready -- elections (PreVote, CheckQuorum's
// disruption rule), the term rules every message obeys, the follower's side of replication,
// and the Ready/advance handshake with the host. Leader duties: raft_leader.cc; snapshots:
// raft_snapshot.cc.
#include "raft/core/raft.h"

#include <algorithm>

#include "raft/base/check.h"
#include "raft/base/hash.h"
#include "raft/base/probe.h"

namespace raftsim {

namespace {
// Enough for every append of a Ready of a large cluster; beyond it vectors are freed.
constexpr std::size_t kSpareEntryVectorsMax = 64;
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
  // A joining server has no bootstrap membership; any other lists itself in it.
  const bool joining = voters.empty() && learners.empty() && witnesses.empty();
  if (!joining) {
    const Membership bootstrap = bootstrap_membership();
    if (!bootstrap.is_member(id)) return invalid("voters must include this node's id");
    for (const std::vector<NodeId>* list : {&voters, &learners, &witnesses}) {
      std::vector<NodeId> sorted = *list;
      std::sort(sorted.begin(), sorted.end());
      if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
        return invalid("voters must not repeat");
      }
    }
    if (Status s = bootstrap.validate(); !s.ok()) return invalid(s.message().c_str());
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
      perturbation_(config.perturbation.reseeded(config.random_seed ^ 0xc04eULL)),
      tracker_(config.id),
      snapshot_(std::move(recovered_snapshot)) {
  RAFTSIM_CHECK_MSG(config_.validate().ok(), "invalid RaftConfig");
  RAFTSIM_CHECK_MSG(log_.last_term() <= term_, "recovered log has entries from a future term");
  std::sort(config_.voters.begin(), config_.voters.end());
  bootstrap_ = config_.bootstrap_membership();
  base_membership_ = bootstrap_;
  if (!snapshot_.membership.empty()) {
    std::optional<Membership> membership = decode_membership(snapshot_.membership);
    RAFTSIM_CHECK_MSG(membership.has_value(), "recovered snapshot has a malformed membership");
    base_membership_ = std::move(*membership);
  }
  if (log_.first_index() <= log_.last_index()) {
    const Entry* first = &log_.at(log_.first_index());
    sync_configs(std::span<const Entry>(first, log_.last_index() - log_.first_index() + 1));
  } else {
    refresh_membership();
  }
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
  if (config_.bugs.has(RaftBug::election_timer_not_randomized)) {  // injected bug
    randomized_election_timeout_ = config_.election_timeout_ticks_min;
  }
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
  transfer_target_ = kNoNode;
  tracker_.clear_progress();
  tracker_.reset_votes();
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
  tracker_.reset_votes();
  reset_election_timer();
}

void Raft::become_candidate() {
  RAFTSIM_CHECK(role_ != Role::leader);
  ++term_;
  vote_ = config_.id;
  role_ = Role::candidate;
  leader_ = kNoNode;
  tracker_.reset_votes();
  reset_election_timer();
}

void Raft::become_leader() {
  RAFTSIM_CHECK_MSG(role_ == Role::candidate, "only a candidate can win an election");
  RAFTSIM_CHECK_MSG(may_campaign(), "only a voter that may lead wins an election");
  role_ = Role::leader;
  leader_ = config_.id;
  heartbeat_elapsed_ = 0;
  election_elapsed_ = 0;
  tracker_.reset_progress(log_.last_index() + 1, config_.inflight_messages_max);
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
  tracker_.record_vote(config_.id, true);
  if (tracker_.tally_votes() == quorum::VoteResult::won) {  // a one-node cluster wins at once
    if (pre_vote) {
      campaign(false);
    } else {
      become_leader();
    }
    return;
  }
  const Membership& current = membership();
  auto ask = [&](NodeId peer) {
    if (peer == config_.id) return;
    Message request;
    request.type = pre_vote ? MessageType::pre_vote_request : MessageType::vote_request;
    request.to = peer;
    request.term = campaign_term;
    request.log_index = log_.last_index();
    request.log_term = log_.last_term();
    request.context = forced_campaign_ ? kForcedCampaign : 0;
    send(std::move(request));
  };
  for (NodeId peer : current.voters) ask(peer);
  for (NodeId peer : current.outgoing) {
    if (!std::binary_search(current.voters.begin(), current.voters.end(), peer)) ask(peer);
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
  ++election_elapsed_;
  // Perturbation: the timer ends now if it is already past the minimum -- a draw at the low end
  // of the range, never shorter (lease reads rely on no follower campaigning before it).
  if (election_elapsed_ >= config_.election_timeout_ticks_min &&
      election_elapsed_ < randomized_election_timeout_ &&
      RAFTSIM_PERTURB(perturbation_, core_election_timeout_early)) {
    randomized_election_timeout_ = election_elapsed_;
  }
  // Learners, witnesses and servers outside the membership never campaign.
  if (election_elapsed_ >= randomized_election_timeout_ && may_campaign()) {
    RAFTSIM_PROBE(core_election_timeout_campaign);
    campaign(config_.pre_vote);
  }
}

void Raft::step(const Message& message) {
  RAFTSIM_CHECK_MSG(message.to == config_.id, "message delivered to the wrong node");
  // Membership does not filter messages (dissertation §4.1: a server answers a leader or a
  // candidate it does not know of, e.g. while joining); the tracker counts only voters, and the
  // leader answers only replicas it tracks. Disruption by removed servers is stopped in
  // check_term.
  if (message.from == config_.id || message.from == kNoNode) return;
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
    case MessageType::timeout_now:
      if (role_ != Role::leader) handle_timeout_now(message);
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
        election_elapsed_ < config_.election_timeout_ticks_min &&
        message.context != kForcedCampaign) {
      // Thesis §4.2.3: we heard from a live leader recently; a rejoining node must not depose it.
      RAFTSIM_PROBE(core_vote_ignored_leader_recent);
      return false;
    }
    const bool keeps_term = message.type == MessageType::pre_vote_request ||
                            (message.type == MessageType::pre_vote_response && !message.reject);
    if (!keeps_term) {
      const bool from_leader =
          message.type == MessageType::append || message.type == MessageType::heartbeat ||
          message.type == MessageType::install_snapshot || message.type == MessageType::timeout_now;
      if (role_ == Role::leader) RAFTSIM_PROBE(core_leader_deposed_by_higher_term);
      // §5.2: a follower's election timer restarts only on hearing from the leader or granting
      // a vote (handle_vote_request resets it then). A vote request's higher term alone must
      // not restart it: a candidate that cannot win (stale log) and whose timer runs faster
      // than ours (a drifted clock) would otherwise keep every follower from ever campaigning.
      const bool keeps_timer = role_ == Role::follower && message.type == MessageType::vote_request;
      const std::uint32_t elapsed = election_elapsed_;
      const std::uint32_t timeout = randomized_election_timeout_;
      become_follower(message.term, from_leader ? message.from : kNoNode);
      if (keeps_timer) {
        election_elapsed_ = elapsed;
        randomized_election_timeout_ = timeout;
      }
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
    if (config_.bugs.has(RaftBug::stale_vote_counted) &&
        message.type == MessageType::vote_response && role_ == Role::candidate) {
      return true;  // injected bug: a grant from an older election is counted in this one
    }
    if (from_stale_leader) {
      // Tell a stale leader about the newer term so it steps down (it may be cut off from
      // everyone else and never hear of it otherwise).
      RAFTSIM_PROBE(core_stale_leader_told_newer_term);
      Message response;
      response.type = MessageType::append_response;
      response.to = message.from;
      send(std::move(response));
    } else if (message.type == MessageType::pre_vote_request) {
      RAFTSIM_PROBE(core_pre_vote_rejected_stale_term);
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
    if (pre_vote) {
      RAFTSIM_PROBE(core_pre_vote_rejected);
    } else if (!up_to_date) {
      RAFTSIM_PROBE(core_vote_rejected_stale_log);
    } else {
      RAFTSIM_PROBE(core_vote_rejected_already_voted);
    }
  }
  send(std::move(response));
}

void Raft::handle_vote_response(const Message& message) {
  const bool pre_vote = message.type == MessageType::pre_vote_response;
  if (role_ != (pre_vote ? Role::pre_candidate : Role::candidate)) return;
  const bool stale_counted = config_.bugs.has(RaftBug::stale_vote_counted) && !pre_vote;
  if (!message.reject && message.term != (pre_vote ? term_ + 1 : term_) && !stale_counted) {
    return;  // stale
  }
  if (!tracker_.record_vote(message.from, !message.reject)) {
    RAFTSIM_PROBE(core_vote_duplicate_ignored);
    return;  // a duplicate counts once
  }
  switch (tracker_.tally_votes()) {
    case quorum::VoteResult::won:
      if (pre_vote) {
        RAFTSIM_PROBE(core_pre_vote_won_then_campaign);
        campaign(false);
      } else {
        become_leader();
      }
      return;
    case quorum::VoteResult::lost:
      RAFTSIM_PROBE(core_election_lost);
      become_follower(term_, kNoNode);
      return;
    case quorum::VoteResult::pending:
      return;
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
    RAFTSIM_PROBE(core_append_below_commit);
    response.log_index = log_.committed();  // everything up to commit matches; say so
  } else if (log_.matches(message.log_index, message.log_term)) {
    const Index last_new = log_.append_after(message.log_index, message.entries);
    sync_configs(message.entries);
    log_.commit_to(std::min(message.commit, last_new));
    if (config_.bugs.has(RaftBug::config_on_commit)) refresh_membership();
    response.log_index = last_new;
  } else {
    // Fast backtracking (paper §5.3, last paragraphs): name the conflicting term and where it
    // starts, or our log's end if we are simply behind, so the leader skips a term per round.
    RAFTSIM_PROBE(core_append_rejected_mismatch);
    response.reject = true;
    response.log_index = message.log_index;
    if (message.log_index > log_.last_index()) {
      RAFTSIM_PROBE(core_append_hint_behind);
      response.hint_index = log_.last_index() + 1;
    } else {
      RAFTSIM_PROBE(core_append_hint_conflict_term);
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
  if (config_.bugs.has(RaftBug::config_on_commit)) refresh_membership();
  Message response;
  response.type = MessageType::heartbeat_response;
  response.to = message.from;
  response.context = message.context;
  send(std::move(response));
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
  ProgressTracker::Votes votes = tracker_.votes();
  std::sort(votes.begin(), votes.end());  // arrival order does not matter, only who answered
  hasher.add(votes.size());
  for (const auto& [voter, granted] : votes) hasher.add(voter).add(granted ? 1 : 0);
  hasher.add(tracker_.peers().size());
  for (const auto& [peer, progress] : tracker_.peers()) {
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
  if (transfer_target_ != kNoNode) hasher.add(transfer_target_).add(0x7ea5f0);
  return hasher.value();
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

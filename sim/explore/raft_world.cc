// raftsim: the Raft world -- stepping real cores, persisting per the Ready contract, recording
// the histories the invariants read, and fingerprinting all of it.
#include "sim/explore/raft_world.h"

#include <algorithm>

#include "raft/base/check.h"
#include "raft/base/hash.h"

namespace raftsim::sim::explore {

namespace {

// Ticks a timer choice may take at most: the explore config's election timeout is 2..3 ticks.
constexpr int kTimerTicksMax = 8;

std::uint64_t data_digest(const SharedBytes& data) {
  return Hasher().add_bytes(data).value();
}

std::uint64_t message_fingerprint(const Message& message) {
  Hasher hasher;
  hasher.add(static_cast<std::uint64_t>(message.type)).add(message.from).add(message.to);
  hasher.add(message.term).add(message.log_index).add(message.log_term).add(message.commit);
  hasher.add(message.reject ? 1 : 0).add(message.hint_index).add(message.hint_term);
  hasher.add(message.context).add(message.entries.size());
  for (const Entry& entry : message.entries) {
    hasher.add(entry.term).add(entry.index).add(static_cast<std::uint64_t>(entry.type));
    hasher.add(data_digest(entry.data));
  }
  return hasher.value();
}

std::string node_name(std::uint32_t node) {
  return "n" + std::to_string(node);
}

std::string hex32(std::uint64_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string text(8, '0');
  for (int i = 7; i >= 0; --i, value >>= 4) text[static_cast<std::size_t>(i)] = kDigits[value & 15];
  return text;
}

const char* kind_name(RaftChoiceKind kind) {
  switch (kind) {
    case RaftChoiceKind::deliver:
      return "deliver";
    case RaftChoiceKind::drop:
      return "drop";
    case RaftChoiceKind::duplicate:
      return "duplicate";
    case RaftChoiceKind::timeout:
      return "timeout";
    case RaftChoiceKind::heartbeat:
      return "heartbeat";
    case RaftChoiceKind::propose:
      return "propose";
    case RaftChoiceKind::crash:
      return "crash";
    case RaftChoiceKind::change:
      return "change";
  }
  return "?";
}

}  // namespace

std::string message_label(const Message& message) {
  std::string text = message.describe();
  if (message.type == MessageType::append && !message.entries.empty()) {
    text += " [";
    for (std::size_t i = 0; i < message.entries.size(); ++i) {
      if (i > 0) text += ' ';
      text +=
          std::to_string(message.entries[i].index) + "/t" + std::to_string(message.entries[i].term);
    }
    text += ']';
  }
  return text;
}

RaftWorld::RaftWorld(const RaftWorldConfig& config)
    : config_(config),
      driver_(layer_bugs(config.bug).host),
      crashes_left_(config.crashes),
      drops_left_(config.drops),
      duplicates_left_(config.duplicates),
      heartbeats_left_(config.heartbeats),
      timeouts_left_(config.timeouts),
      changes_left_(config.membership_changes) {
  RAFTSIM_CHECK(config.nodes >= 1 && config.nodes <= 16 && config.proposals < 256);
  RAFTSIM_CHECK(config.initial_voters <= config.nodes);
  for (NodeId id = 0; id < config.nodes; ++id) {
    nodes_.push_back(NodeState{make_core(id, HardState{}, {}), HardState{}, {}, 0});
  }
  for (NodeId id = 0; id < config.nodes; ++id) node_hashes_.push_back(node_hash(id));
  fingerprint_ = compute_fingerprint();
}

Raft RaftWorld::make_core(NodeId id, const HardState& state, std::vector<Entry> entries) const {
  RaftConfig raft;
  raft.id = id;
  const NodeId voters = config_.initial_voters == 0 ? config_.nodes : config_.initial_voters;
  // A node beyond the bootstrap voters joins later: it starts with no configuration.
  if (id < voters) {
    for (NodeId voter = 0; voter < voters; ++voter) raft.voters.push_back(voter);
  }
  raft.promote_lag_entries_max = 1'000'000;  // no catch-up wait: promotion is a choice
  // Timers are choices: the shortest legal timeouts keep "tick until it fires" to a few ticks.
  raft.election_timeout_ticks_min = 2;
  raft.election_timeout_ticks_max = 3;
  raft.heartbeat_ticks = 1;
  raft.pre_vote = config_.pre_vote;
  raft.check_quorum = false;  // needs real time; not modelled (see sim/explore/README.md)
  raft.lease_read = false;
  raft.entries_per_message_max = config_.entries_per_message_max;
  raft.inflight_messages_max = config_.inflight_messages_max;
  raft.random_seed = id + 1;
  raft.bugs = layer_bugs(config_.bug).raft;
  return Raft(raft, state, std::move(entries));
}

std::unique_ptr<World> RaftWorld::clone() const {
  return std::make_unique<RaftWorld>(*this);
}

std::size_t RaftWorld::messages_in_flight() const {
  std::size_t count = 0;
  for (const InFlight& in_flight : network_) count += in_flight.count;
  return count;
}

void RaftWorld::enabled_choices(std::vector<Choice>& out) const {
  out.clear();
  if (violation_ || bound_exceeded_) return;
  auto add = [&](RaftChoiceKind kind, std::uint32_t node, std::uint64_t key) {
    out.push_back(Choice{static_cast<std::uint32_t>(kind), node, key});
  };
  for (const InFlight& in_flight : network_) {
    add(RaftChoiceKind::deliver, in_flight.message.to, in_flight.fingerprint);
  }
  if (drops_left_ > 0) {
    for (const InFlight& in_flight : network_) {
      add(RaftChoiceKind::drop, in_flight.message.to, in_flight.fingerprint);
    }
  }
  if (duplicates_left_ > 0) {
    for (const InFlight& in_flight : network_) {
      add(RaftChoiceKind::duplicate, in_flight.message.to, in_flight.fingerprint);
    }
  }
  for (NodeId node = 0; node < nodes_.size(); ++node) {
    const Raft& core = nodes_[node].core;
    const bool waiting_for_pre_votes = core.role() == Role::pre_candidate;
    const bool campaigner = node < 32 && ((config_.campaigners_mask >> node) & 1) != 0;
    if (timeouts_left_ > 0 && campaigner && core.role() != Role::leader &&
        core.term() < config_.term_max && !waiting_for_pre_votes &&
        core.membership().may_lead(node)) {
      add(RaftChoiceKind::timeout, node, 0);
    }
  }
  for (NodeId node = 0; node < nodes_.size(); ++node) {
    if (heartbeats_left_ > 0 && nodes_[node].core.role() == Role::leader) {
      add(RaftChoiceKind::heartbeat, node, 0);
    }
  }
  for (NodeId node = 0; node < nodes_.size(); ++node) {
    if (proposals_made_ < config_.proposals && nodes_[node].core.role() == Role::leader) {
      add(RaftChoiceKind::propose, node, 0);
    }
  }
  for (NodeId node = 0; node < nodes_.size() && crashes_left_ > 0; ++node) {
    add(RaftChoiceKind::crash, node, 0);
  }
  for (NodeId node = 0; node < nodes_.size() && changes_left_ > 0; ++node) {
    if (nodes_[node].core.role() == Role::leader) add_change_choices(node, out);
  }
}

const RaftWorld::InFlight* RaftWorld::find_message(std::uint32_t to, std::uint64_t key) const {
  for (const InFlight& in_flight : network_) {
    if (in_flight.message.to == to && in_flight.fingerprint == key) return &in_flight;
  }
  return nullptr;
}

void RaftWorld::take_message(std::uint32_t to, std::uint64_t key) {
  for (auto it = network_.begin(); it != network_.end(); ++it) {
    if (it->message.to != to || it->fingerprint != key) continue;
    if (--it->count == 0) network_.erase(it);
    return;
  }
  RAFTSIM_UNREACHABLE("no such message in flight");
}

void RaftWorld::send(const Message& sent) {
  Message message = sent;
  // No reads and no leases here: heartbeat contexts only number rounds, which no one reads.
  if (message.type == MessageType::heartbeat || message.type == MessageType::heartbeat_response) {
    message.context = 0;
  }
  const std::uint64_t fingerprint = message_fingerprint(message);
  if (trace_ != nullptr) {
    const std::uint64_t id = next_message_id_++;
    trace_->record(now_, TraceKind::send, message.from, message.to, id, 0, 0,
                   message_label(message));
    sent_ids_[{message.to, fingerprint}].push_back(id);
  }
  auto at = std::lower_bound(network_.begin(), network_.end(),
                             std::pair<std::uint32_t, std::uint64_t>{message.to, fingerprint},
                             [](const InFlight& in_flight, const auto& key) {
                               return std::pair{in_flight.message.to, in_flight.fingerprint} < key;
                             });
  if (at != network_.end() && at->message.to == message.to && at->fingerprint == fingerprint) {
    ++at->count;
    return;
  }
  network_.insert(at, InFlight{fingerprint, 1, std::move(message)});
}

void RaftWorld::note(std::uint32_t node, const std::string& text) {
  if (trace_ != nullptr) trace_->record(now_, TraceKind::note, node, kNoNode, 0, 0, 0, text);
}

// Deliver, drop or duplicate a message in flight (a delivery steps the receiver; the caller
// then drives it).
void RaftWorld::apply_message_choice(RaftChoiceKind kind, const Choice& choice) {
  const NodeId node = choice.node;
  const InFlight* in_flight = find_message(node, choice.key);
  RAFTSIM_CHECK_MSG(in_flight != nullptr, "choice names no message in flight");
  const Message message = in_flight->message;
  if (kind == RaftChoiceKind::duplicate) {
    --duplicates_left_;
    send(message);
    return;
  }
  take_message(node, choice.key);
  std::uint64_t id = 0;
  if (trace_ != nullptr) {
    auto& ids = sent_ids_[{node, choice.key}];
    if (!ids.empty()) {
      id = ids.front();
      ids.pop_front();
    }
  }
  if (kind == RaftChoiceKind::drop) {
    --drops_left_;
    if (trace_ != nullptr) {
      trace_->record(now_, TraceKind::drop, node, message.from, id, 0, 0, "dropped");
    }
    return;
  }
  if (trace_ != nullptr) {
    trace_->record(now_, TraceKind::deliver, node, message.from, id, 0, 0, message_label(message));
  }
  nodes_[node].core.step(message);
}

void RaftWorld::apply_choice(const Choice& choice) {
  const auto kind = static_cast<RaftChoiceKind>(choice.kind);
  const NodeId node = choice.node;
  RAFTSIM_CHECK(node < nodes_.size());
  switch (kind) {
    case RaftChoiceKind::deliver:
    case RaftChoiceKind::drop:
    case RaftChoiceKind::duplicate:
      apply_message_choice(kind, choice);
      if (kind == RaftChoiceKind::deliver) break;
      return;
    case RaftChoiceKind::timeout: {
      Raft& core = nodes_[node].core;
      const Role role = core.role();
      const Term term = core.term();
      --timeouts_left_;
      if (trace_ != nullptr)
        trace_->record(now_, TraceKind::timer_fire, node, kNoNode, 0, 0, 0, "election");
      for (int i = 0; i < kTimerTicksMax && core.role() == role && core.term() == term; ++i) {
        core.tick();
      }
      break;
    }
    case RaftChoiceKind::heartbeat:
      --heartbeats_left_;
      if (trace_ != nullptr)
        trace_->record(now_, TraceKind::timer_fire, node, kNoNode, 0, 0, 0, "heartbeat");
      nodes_[node].core.tick();  // heartbeat_ticks is 1
      break;
    case RaftChoiceKind::propose: {
      ++proposals_made_;
      note(node, "propose w" + std::to_string(proposals_made_));
      const Result<Index> index =
          nodes_[node].core.propose(SharedBytes{static_cast<std::uint8_t>(proposals_made_)});
      RAFTSIM_CHECK_MSG(index.ok(), "a proposal is offered only to a leader");
      break;
    }
    case RaftChoiceKind::change: {
      --changes_left_;
      const ConfChange change = decode_change_key(choice.key);
      note(node, "change: " + change_text(change));
      const Result<Index> index = nodes_[node].core.propose_conf_change(change);
      RAFTSIM_CHECK_MSG(index.ok(), "a change is offered only when the leader would take it");
      break;
    }
    case RaftChoiceKind::crash: {
      --crashes_left_;
      NodeState& state = nodes_[node];
      if (trace_ != nullptr) {
        trace_->record(now_, TraceKind::crash, node);
        trace_->record(now_, TraceKind::restart, node);
      }
      state.core = make_core(node, state.durable_state, state.durable_log);
      state.checked_commit = 0;
      break;
    }
  }
  drive(node);
}

void RaftWorld::apply(const Choice& choice) {
  RAFTSIM_CHECK_MSG(!violation_, "a violating state is not explored further");
  try {
    const ScopedThrowingChecks throwing;
    apply_choice(choice);
    record_histories();
    collect_dead_messages();
  } catch (const CheckFailure& failure) {
    violation_ = Violation{"core_check", failure.text};
  }
  if (!violation_) violation_ = check_invariants();
  if (!violation_ && !config_.independent_deliveries &&
      messages_in_flight() > config_.messages_in_flight_max) {
    bound_exceeded_ = true;
  }
  if (violation_) note(kNoNode, "VIOLATION " + violation_->invariant + ": " + violation_->detail);
  // A choice changes its own node only (deliveries: the receiver); the others' hashes stand.
  if (choice.node < nodes_.size()) node_hashes_[choice.node] = node_hash(choice.node);
  fingerprint_ = compute_fingerprint();
  now_ += milliseconds(1);
}

void RaftWorld::record_histories() {
  for (NodeId node = 0; node < nodes_.size(); ++node) {
    NodeState& state = nodes_[node];
    const Raft& core = state.core;
    if (core.role() == Role::leader) {
      auto at = std::lower_bound(leaders_.begin(), leaders_.end(),
                                 std::pair<Term, NodeId>{core.term(), 0});
      if (at != leaders_.end() && at->first == core.term()) {
        if (at->second != node && !violation_) {
          violation_ =
              Violation{"election_safety", node_name(at->second) + " and " + node_name(node) +
                                               " both led term " + std::to_string(core.term())};
        }
      } else {
        leaders_.insert(at, {core.term(), node});
        note(node, node_name(node) + " leads t" + std::to_string(core.term()));
      }
    }
    const Index committed = core.log().committed();
    for (Index index = state.checked_commit + 1; index <= committed; ++index) {
      const Entry& entry = core.log().at(index);
      const std::uint64_t digest = data_digest(entry.data);
      if (index <= committed_.size()) {
        CommittedEntry& known = committed_[index - 1];
        if (known.term == entry.term && known.data_digest == digest) {
          // The earliest term anyone knew it committed in (independent of the order of steps).
          known.known_in_term = std::min(known.known_in_term, core.term());
        } else if (!violation_) {
          violation_ = Violation{"state_machine_safety",
                                 "index " + std::to_string(index) + " committed as t" +
                                     std::to_string(known.term) + " and as t" +
                                     std::to_string(entry.term) + " (at " + node_name(node) + ")"};
        }
      } else {
        committed_.push_back(CommittedEntry{entry.term, digest, core.term()});
        note(node, node_name(node) + " commits " + std::to_string(index) + "/t" +
                       std::to_string(entry.term));
      }
    }
    state.checked_commit = std::max(state.checked_commit, committed);
  }
}

std::optional<Violation> RaftWorld::check_invariants() const {
  // Log matching: two logs with an entry of the same index and term agree on every entry before.
  for (NodeId a = 0; a < nodes_.size(); ++a) {
    for (NodeId b = a + 1; b < nodes_.size(); ++b) {
      const RaftLog& first = nodes_[a].core.log();
      const RaftLog& second = nodes_[b].core.log();
      Index index = std::min(first.last_index(), second.last_index());
      while (index > 0 && first.at(index).term != second.at(index).term) --index;
      for (Index below = index; below > 0; --below) {
        if (!(first.at(below) == second.at(below))) {
          return Violation{"log_matching", node_name(a) + " and " + node_name(b) +
                                               " agree on entry " + std::to_string(index) + "/t" +
                                               std::to_string(first.at(index).term) +
                                               " but differ at index " + std::to_string(below)};
        }
      }
    }
  }
  const std::size_t quorum = nodes_.size() / 2 + 1;
  for (Index index = 1; index <= committed_.size(); ++index) {
    const CommittedEntry& entry = committed_[index - 1];
    // Leader completeness: a leader of a later term holds every committed entry.
    for (NodeId node = 0; node < nodes_.size(); ++node) {
      const Raft& core = nodes_[node].core;
      if (core.role() != Role::leader || core.term() <= entry.known_in_term) continue;
      if (core.log().term_at(index) != entry.term) {
        return Violation{"leader_completeness",
                         "leader " + node_name(node) + " of term " + std::to_string(core.term()) +
                             " lacks entry " + std::to_string(index) + "/t" +
                             std::to_string(entry.term) + ", committed in term " +
                             std::to_string(entry.known_in_term)};
      }
    }
    // Durability: a committed entry stays on a majority of durable logs.
    std::size_t holders = 0;
    for (const NodeState& state : nodes_) {
      holders +=
          index <= state.durable_log.size() && state.durable_log[index - 1].term == entry.term ? 1
                                                                                               : 0;
    }
    if (holders < quorum && membership_static()) {
      return Violation{"durability", "committed entry " + std::to_string(index) + "/t" +
                                         std::to_string(entry.term) + " is on " +
                                         std::to_string(holders) +
                                         " durable logs, fewer than a majority"};
    }
  }
  // Acknowledged writes (linearizability of write-only proposals): each stays committed at its
  // index on every node that has committed that far.
  for (const Ack& ack : acks_) {
    for (NodeId node = 0; node < nodes_.size(); ++node) {
      const RaftLog& log = nodes_[node].core.log();
      if (log.committed() >= ack.index && log.term_at(ack.index) != ack.term) {
        return Violation{"linearizability", "acknowledged write w" + std::to_string(ack.proposal) +
                                                " at " + std::to_string(ack.index) + "/t" +
                                                std::to_string(ack.term) + " is not what " +
                                                node_name(node) + " committed there"};
      }
    }
  }
  return std::nullopt;
}

std::uint64_t RaftWorld::node_hash(NodeId node) const {
  const NodeState& state = nodes_[node];
  Hasher hasher(state.core.full_state_hash());
  hasher.add(state.checked_commit);
  hasher.add(state.durable_state.term).add(state.durable_state.vote);
  hasher.add(state.durable_log.size());
  for (const Entry& entry : state.durable_log) {
    hasher.add(entry.term).add(static_cast<std::uint64_t>(entry.type));
    hasher.add(data_digest(entry.data));
  }
  return hasher.value();
}

std::uint64_t RaftWorld::compute_fingerprint() const {
  Hasher hasher;
  for (std::uint64_t hash : node_hashes_) hasher.add(hash);
  hasher.add(network_.size());
  for (const InFlight& in_flight : network_) hasher.add(in_flight.fingerprint).add(in_flight.count);
  hasher.add(proposals_made_).add(crashes_left_).add(drops_left_).add(duplicates_left_);
  hasher.add(heartbeats_left_).add(timeouts_left_);
  if (config_.membership_changes > 0) hasher.add(changes_left_);
  hasher.add(leaders_.size());
  for (const auto& [term, node] : leaders_) hasher.add(term).add(node);
  hasher.add(committed_.size());
  for (const CommittedEntry& entry : committed_) {
    hasher.add(entry.term).add(entry.data_digest).add(entry.known_in_term);
  }
  hasher.add(acks_.size());
  for (const Ack& ack : acks_) hasher.add(ack.proposal).add(ack.index).add(ack.term);
  hasher.add(violation_ ? 1 : 0).add(bound_exceeded_ ? 1 : 0);
  return hasher.value();
}

std::string RaftWorld::describe(const Choice& choice) const {
  const auto kind = static_cast<RaftChoiceKind>(choice.kind);
  std::string text = std::string(kind_name(kind)) + " ";
  if (kind == RaftChoiceKind::deliver || kind == RaftChoiceKind::drop ||
      kind == RaftChoiceKind::duplicate) {
    const InFlight* in_flight = find_message(choice.node, choice.key);
    if (in_flight == nullptr) return text + "? " + hex32(choice.key);
    text += node_name(in_flight->message.from) + "->" + node_name(choice.node) + " " +
            message_label(in_flight->message) + " #" + hex32(choice.key);
    return text;
  }
  if (kind == RaftChoiceKind::change) {
    return text + node_name(choice.node) + " " + change_text(decode_change_key(choice.key));
  }
  return text + node_name(choice.node);
}

std::vector<std::string> RaftWorld::coverage_names() const {
  return {"leader elected",
          "leader of a later term",
          "entry committed",
          "write acknowledged",
          "crash-restart",
          "message dropped",
          "message duplicated",
          "follower log truncated",
          "all commands acknowledged",
          "logs diverged",
          "in-flight bound hit (a leaf)"};
}

bool RaftWorld::independent(const Choice& a, const Choice& b) const {
  // Each delivery steps only its receiver and adds that receiver's output to the network; the
  // histories are order-free (sorted leaders and acks, the earliest term an entry was known
  // committed in). Dead messages are judged by their own receiver only; with `checked` or
  // `assumed` that keeps both orders equal only if a message dead for a receiver stays dead
  // after the receiver's next step, which is the stale-message rule's premise (README).
  const auto deliver = static_cast<std::uint32_t>(RaftChoiceKind::deliver);
  return config_.independent_deliveries && a.kind == deliver && b.kind == deliver &&
         a.node != b.node;
}

std::uint64_t RaftWorld::coverage() const {
  std::uint64_t bits = 0;
  auto set = [&](int bit, bool on) { bits |= on ? std::uint64_t{1} << bit : 0; };
  set(0, !leaders_.empty());
  set(1, leaders_.size() >= 2);
  set(2, !committed_.empty());
  set(3, !acks_.empty());
  set(4, crashes_left_ < config_.crashes);
  set(5, drops_left_ < config_.drops);
  set(6, duplicates_left_ < config_.duplicates);
  for (const NodeState& state : nodes_) set(7, state.core.log().truncations() > 0);
  set(8, config_.proposals > 0 && acks_.size() == config_.proposals);
  set(9, logs_diverged());
  set(10, bound_exceeded_);
  return bits;
}

std::string RaftWorld::short_label(const Choice& choice) const {
  std::string text = kind_name(static_cast<RaftChoiceKind>(choice.kind));
  text += ' ';
  text += node_name(choice.node);
  if (static_cast<RaftChoiceKind>(choice.kind) == RaftChoiceKind::change) {
    text += ' ' + change_text(decode_change_key(choice.key));
  }
  return text;
}

}  // namespace raftsim::sim::explore

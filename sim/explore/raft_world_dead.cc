// raftsim: the Raft world's stale messages -- the rule correct Raft follows (what it ignores) and
// the three ways the world treats what the rule names: keep it, remove it once a trial delivery
// to a copy of the receiver shows it changes nothing, or remove it trusting the rule
// (DeadMessages; soundness in sim/explore/README.md). Also the divergent-logs probe.
#include <algorithm>

#include "raft/base/check.h"
#include "sim/explore/raft_world.h"

namespace raftsim::sim::explore {

const char* dead_messages_name(DeadMessages mode) {
  switch (mode) {
    case DeadMessages::keep:
      return "keep";
    case DeadMessages::checked:
      return "checked";
    case DeadMessages::assumed:
      return "assumed";
  }
  return "?";
}

std::optional<DeadMessages> dead_messages_from_name(const std::string& name) {
  for (DeadMessages mode : {DeadMessages::keep, DeadMessages::checked, DeadMessages::assumed}) {
    if (name == dead_messages_name(mode)) return mode;
  }
  return std::nullopt;
}

bool RaftWorld::stale_by_rule(const Message& message) const {
  // What correct Raft ignores whatever happens next: terms never go back (the term is durable
  // before anything else happens, so a restart keeps it), and a node never becomes a candidate
  // or leader again in a term it has left those roles in. That is a property of correct code:
  // code that breaks it (e.g. Bug::stale_vote_counted) acts on such messages, so the `assumed`
  // mode makes that code's failures unreachable; `checked` tries each candidate first.
  const Raft& receiver = nodes_[message.to].core;
  switch (message.type) {
    case MessageType::vote_request:
    case MessageType::heartbeat_response:
      return message.term < receiver.term();
    case MessageType::vote_response:
      return message.term < receiver.term() ||
             (message.term == receiver.term() && receiver.role() != Role::candidate);
    case MessageType::append_response:
      return message.term < receiver.term() ||
             (message.term == receiver.term() && receiver.role() != Role::leader);
    default:
      return false;  // appends and heartbeats answer stale leaders; pre-votes keep their terms
  }
}

bool RaftWorld::delivery_changes_nothing(const Message& message) const {
  // Delivered to a copy of the receiver, whatever its code does: the state hash (everything the
  // fingerprint takes from a core) must stay, and nothing may be left to persist, send or apply.
  // The receiver has no pending Ready here (drive() ran after its last input), so any Ready
  // after the step is the message's doing. A core check that fails is a change (the delivery
  // choice will report it).
  const Raft& receiver = nodes_[message.to].core;
  if (receiver.has_ready()) return false;
  Raft copy = receiver;
  try {
    copy.step(message);
  } catch (const CheckFailure&) {
    return false;
  }
  return !copy.has_ready() && copy.full_state_hash() == receiver.full_state_hash();
}

void RaftWorld::collect_dead_messages() {
  if (config_.dead_messages == DeadMessages::keep) return;
  std::erase_if(network_, [&](const InFlight& in_flight) {
    if (!stale_by_rule(in_flight.message)) return false;
    if (config_.dead_messages == DeadMessages::checked &&
        !delivery_changes_nothing(in_flight.message)) {
      return false;
    }
    if (trace_ != nullptr) {
      for (std::uint32_t copy = 0; copy < in_flight.count; ++copy) {
        auto& ids = sent_ids_[{in_flight.message.to, in_flight.fingerprint}];
        const std::uint64_t id = ids.empty() ? 0 : ids.front();
        if (!ids.empty()) ids.pop_front();
        trace_->record(now_, TraceKind::drop, in_flight.message.to, in_flight.message.from, id, 0,
                       0, "stale (ignored)");
      }
    }
    return true;
  });
}

bool RaftWorld::logs_diverged() const {
  // Two logs hold entries of different terms at one index: two leaders appended there.
  for (NodeId a = 0; a < nodes_.size(); ++a) {
    for (NodeId b = a + 1; b < nodes_.size(); ++b) {
      const RaftLog& first = nodes_[a].core.log();
      const RaftLog& second = nodes_[b].core.log();
      const Index last = std::min(first.last_index(), second.last_index());
      for (Index index = 1; index <= last; ++index) {
        if (first.at(index).term != second.at(index).term) return true;
      }
    }
  }
  return false;
}

}  // namespace raftsim::sim::explore

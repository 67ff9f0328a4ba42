// raftsim: the Raft world for the explorer -- N real raftsim::Raft cores, each with a simulated
// durable store written exactly as the Ready contract says (hard state and entries persisted
// before the Ready's messages leave), the messages in flight as a multiset, and every
// nondeterministic event as a choice: deliver / drop / duplicate a message, an election timeout,
// a leader's heartbeat, a client proposal, a crash (volatile state lost, restart from the store).
// Time is abstracted: a timer choice ticks the core until that timer fires. Bounds keep the space
// finite: term_max (no election timer at or past it), budgets for proposals, heartbeats, crashes,
// drops and duplicates, and messages_in_flight_max (a state with more is a leaf, counted).
// Invariants checked in every state, over histories that are part of the state and its
// fingerprint: election safety, log matching, leader completeness, state machine safety,
// durability of committed entries, acknowledged writes staying committed, and the core's own
// checks (a failed RAFTSIM_CHECK is a violation, not an abort).
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "raft/core/raft.h"
#include "raft/node/ready_driver.h"
#include "sim/bugs/catalogue.h"
#include "sim/explore/world.h"
#include "sim/kernel/trace.h"

namespace raftsim::sim::explore {

// What the world does with a message its receiver looks set to ignore (sim/explore/README.md,
// "Reductions and their soundness").
enum class DeadMessages : std::uint8_t {
  keep,     // no reduction: every message stays until delivered or dropped (sound for any code)
  checked,  // removed when the stale-message rule names it AND delivering it to a copy of the
            // receiver changes nothing there (state hash, output); that it stays ignored later is
            // still the rule's premise
  assumed,  // removed when the stale-message rule names it, trusting the receiver ignores it
};
const char* dead_messages_name(DeadMessages mode);
std::optional<DeadMessages> dead_messages_from_name(const std::string& name);

struct RaftWorldConfig {
  std::uint32_t nodes = 3;
  std::uint32_t proposals = 1;                  // client commands proposed in total
  std::uint32_t crashes = 0;                    // crash-and-restart budget
  std::uint32_t drops = 0;                      // message loss budget
  std::uint32_t duplicates = 0;                 // message duplication budget
  std::uint32_t heartbeats = 1;                 // leader heartbeat firings in total
  std::uint32_t timeouts = 3;                   // election timer firings in total
  std::uint32_t campaigners_mask = UINT32_MAX;  // bit n set: node n's election timer may fire
  Term term_max = 3;  // election timers fire only while a node's term is below it
  bool pre_vote = false;
  std::uint32_t entries_per_message_max = 1;
  std::uint32_t inflight_messages_max = 4;
  std::uint32_t messages_in_flight_max = 24;
  Bug bug = Bug::none;  // the catalogued bug injected into every core and host step
  // Membership changes: nodes [initial_voters, nodes) start outside the cluster (joining, empty
  // configuration; 0: every node is a bootstrap voter). A leader may propose up to
  // membership_changes changes in total: add a learner, promote one, remove a voter or learner,
  // and with joint_changes a joint change (to voters ∪ learners, and that minus one voter). While
  // any are allowed the durability invariant, which counts a fixed majority, is not checked.
  std::uint32_t initial_voters = 0;
  std::uint32_t membership_changes = 0;
  bool joint_changes = false;
  // Reduction: remove stale messages (see DeadMessages). Off by default: only `keep` is sound
  // for arbitrary core code.
  DeadMessages dead_messages = DeadMessages::keep;
  // Deliveries to different nodes are independent (for sleep sets). With it on, the in-flight
  // bound is not applied: a bound that cuts one order of two commuting steps but not the other
  // would make the reduction unsound (budgets keep the message count finite anyway).
  bool independent_deliveries = false;
};

enum class RaftChoiceKind : std::uint32_t {
  deliver = 0,
  drop = 1,
  duplicate = 2,
  timeout = 3,
  heartbeat = 4,
  propose = 5,
  crash = 6,
  change = 7,  // a membership change at a leader; key: encode_change_key()
};

class RaftWorld final : public World {
 public:
  explicit RaftWorld(const RaftWorldConfig& config);

  std::unique_ptr<World> clone() const override;
  void enabled_choices(std::vector<Choice>& out) const override;
  void apply(const Choice& choice) override;
  std::uint64_t fingerprint() const override { return fingerprint_; }
  std::optional<Violation> violation() const override { return violation_; }
  std::string describe(const Choice& choice) const override;
  std::string short_label(const Choice& choice) const override;
  std::uint64_t coverage() const override;
  bool independent(const Choice& a, const Choice& b) const override;
  std::vector<std::string> coverage_names() const override;

  // Records every step into `trace` (sends, deliveries, drops, timers, crashes, notes), one
  // millisecond of virtual time per choice, for message-sequence diagrams. Null: off.
  void set_trace(Trace* trace) { trace_ = trace; }
  const RaftWorldConfig& config() const { return config_; }
  const Raft& core(NodeId node) const { return nodes_[node].core; }
  std::size_t messages_in_flight() const;
  bool bound_exceeded() const { return bound_exceeded_; }

 private:
  struct InFlight {
    std::uint64_t fingerprint;  // of the message's content
    std::uint32_t count;
    Message message;
  };
  struct NodeState {
    Raft core;
    HardState durable_state;
    std::vector<Entry> durable_log;
    Index checked_commit = 0;  // commits up to here are in the committed history
  };
  struct CommittedEntry {
    Term term;
    std::uint64_t data_digest;
    Term known_in_term;  // the lowest term of a node that knew it committed
  };
  struct Ack {
    std::uint32_t proposal;
    Index index;
    Term term;
  };

  class NodeSink;  // one node's ReadySink: its modelled disk, the network, the histories

  Raft make_core(NodeId id, const HardState& state, std::vector<Entry> entries) const;
  // Ready -> persist, send, apply, advance (the ReadyDriver), until nothing is left.
  void drive(NodeId node);
  void send(const Message& message);
  const InFlight* find_message(std::uint32_t to, std::uint64_t key) const;
  void take_message(std::uint32_t to, std::uint64_t key);
  void apply_choice(const Choice& choice);
  void apply_message_choice(RaftChoiceKind kind, const Choice& choice);
  // The stale-message rule (what correct Raft ignores) and the check of one candidate on a copy.
  bool stale_by_rule(const Message& message) const;
  bool delivery_changes_nothing(const Message& message) const;
  void collect_dead_messages();
  bool logs_diverged() const;
  void record_histories();
  std::optional<Violation> check_invariants() const;
  std::uint64_t compute_fingerprint() const;
  std::uint64_t node_hash(NodeId node) const;
  void note(std::uint32_t node, const std::string& text);
  bool membership_static() const;
  void add_change_choices(NodeId leader, std::vector<Choice>& out) const;

  RaftWorldConfig config_;
  ReadyDriver driver_;  // with the host-level bugs of config_.bug, as a NodeHost would have
  std::vector<NodeState> nodes_;
  std::vector<std::uint64_t> node_hashes_;  // node_hash() of each node, kept current by apply()
  std::vector<InFlight> network_;           // sorted by (to, fingerprint)
  std::uint32_t proposals_made_ = 0;
  std::uint32_t crashes_left_ = 0, drops_left_ = 0, duplicates_left_ = 0, heartbeats_left_ = 0;
  std::uint32_t timeouts_left_ = 0;
  std::uint32_t changes_left_ = 0;
  std::vector<std::pair<Term, NodeId>> leaders_;  // history: who led each term (sorted)
  std::vector<CommittedEntry> committed_;         // history: index - 1 -> the committed entry
  std::vector<Ack> acks_;                         // history: acknowledged proposals
  std::optional<Violation> violation_;
  bool bound_exceeded_ = false;
  std::uint64_t fingerprint_ = 0;

  // Diagram recording (not part of the state).
  Trace* trace_ = nullptr;
  Time now_ = 0;
  std::uint64_t next_message_id_ = 1;
  std::map<std::pair<std::uint32_t, std::uint64_t>, std::deque<std::uint64_t>> sent_ids_;
};

// A message's label for choices and diagrams: Message::describe() plus the entries' terms.
std::string message_label(const Message& message);

// A membership change as a choice key (raft_world_membership.cc): type in bits 0-7, node in
// 8-15, joint voters as a mask from bit 16 (nodes are below 16 in explored worlds); its label.
std::uint64_t encode_change_key(const ConfChange& change);
ConfChange decode_change_key(std::uint64_t key);
std::string change_text(const ConfChange& change);

}  // namespace raftsim::sim::explore

// raftsim: the Raft world's Ready loop -- each node's Ready acted on by the shared ReadyDriver
// (raft/node/ready_driver.h), with a sink that models the node's disk, sends into the world's
// network and records a leader's acknowledgements.
#include <algorithm>

#include "raft/base/check.h"
#include "sim/explore/raft_world.h"

namespace raftsim::sim::explore {

namespace {
// A Ready loop ends when a round changes nothing; this caps it in case a core keeps reporting
// work (e.g. under an injected bug), so one choice is always a bounded step.
constexpr int kReadyRoundsMax = 8;
}  // namespace

// One node as the ReadyDriver's sink: a durable store written as a disk would be (hard state,
// then the log cut and appended), the network, and a leader's acknowledgements to its client.
class RaftWorld::NodeSink final : public ReadySink {
 public:
  NodeSink(RaftWorld& world, NodeId node) : world_(world), node_(node) {}

  // Whether the round changed anything (a round that does not ends the Ready loop).
  bool changed() const { return changed_; }

  Status install_snapshot(const Snapshot&, const std::optional<HardState>&) override {
    // No node takes a snapshot here (the host's snapshot_taken is never called), so none is sent.
    RAFTSIM_CHECK_MSG(false, "snapshots are not explored");
    return Status();
  }
  Status persist(const std::optional<HardState>& hard_state, Index rewrite_from,
                 std::span<const Entry> entries) override {
    NodeState& state = world_.nodes_[node_];
    if (hard_state && *hard_state != state.durable_state) {
      state.durable_state = *hard_state;
      changed_ = true;
    }
    if (rewrite_from != 0 && rewrite_from <= state.durable_log.size()) {
      state.durable_log.resize(rewrite_from - 1);
      changed_ = true;
    }
    for (const Entry& entry : entries) {
      if (entry.index <= state.durable_log.size()) state.durable_log.resize(entry.index - 1);
      state.durable_log.push_back(entry);
      changed_ = true;
    }
    return Status();
  }
  void send(const Message& message) override {
    world_.send(message);
    changed_ = true;
  }
  // A leader applying a client command answers its client.
  void apply(const Entry& entry) override {
    changed_ = true;
    if (entry.type != EntryType::normal || entry.data.size() != 1) return;
    if (world_.nodes_[node_].core.role() != Role::leader) return;
    const std::uint32_t proposal = entry.data[0];
    std::vector<Ack>& acks = world_.acks_;
    const bool known = std::any_of(acks.begin(), acks.end(),
                                   [&](const Ack& ack) { return ack.proposal == proposal; });
    if (known) return;
    // Sorted, so that two deliveries acknowledging in either order reach one state.
    acks.insert(std::lower_bound(acks.begin(), acks.end(), proposal,
                                 [](const Ack& ack, std::uint32_t p) { return ack.proposal < p; }),
                Ack{proposal, entry.index, entry.term});
    world_.note(node_, "ack w" + std::to_string(proposal) + " @" + std::to_string(entry.index));
  }
  void read_ready(const ReadState&) override {}  // no reads are explored

 private:
  RaftWorld& world_;
  NodeId node_;
  bool changed_ = false;
};

void RaftWorld::drive(NodeId node) {
  Raft& core = nodes_[node].core;
  for (int round = 0; round < kReadyRoundsMax && core.has_ready(); ++round) {
    Ready ready;
    NodeSink sink(*this, node);
    const Status driven = driver_.run_round(core, ready, sink);
    RAFTSIM_CHECK_MSG(driven.ok(), "the modelled disk never fails");
    if (!sink.changed()) break;
  }
}

}  // namespace raftsim::sim::explore

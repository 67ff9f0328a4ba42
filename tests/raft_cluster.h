// Test harness: Raft cores wired together in memory, without the simulator, so that tests can
// drive elections and replication message by message, each through the ReadyDriver. Each node's
// "disk" is a MemoryLogStorage (hard state, snapshot, entries) that restart() rebuilds the core
// from; a node's "state machine" is the list of entries it applied, and a snapshot is that list
// encoded. Invariants (election safety, log matching of committed prefixes, leader completeness)
// are checked after every step (a witness's entries are compared without their payloads, which
// it does not keep). Membership: add_node() starts a server with an empty configuration that
// joins a running cluster; drop_if() discards delivered messages a test chooses.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <vector>

#include "raft/base/check.h"
#include "raft/core/codec.h"
#include "raft/core/raft.h"
#include "raft/memory/memory_log_storage.h"
#include "raft/node/ready_driver.h"

namespace raftsim::testing {

// A test state machine's image: the applied entries, encoded.
inline SharedBytes encode_applied(const std::vector<Entry>& applied) {
  std::vector<std::uint8_t> bytes;
  for (const Entry& entry : applied) encode_entry(entry, bytes);
  return SharedBytes(bytes);
}

inline std::vector<Entry> decode_applied(const SharedBytes& data) {
  std::vector<Entry> applied;
  ByteReader reader(std::span<const std::uint8_t>(data.begin(), data.size()));
  while (reader.remaining() > 0) {
    Entry entry;
    const char* what = "";
    RAFTSIM_CHECK_MSG(decode_entry(reader, entry, what), what);
    applied.push_back(std::move(entry));
  }
  return applied;
}

class RaftCluster {
 public:
  explicit RaftCluster(std::uint32_t size, std::uint64_t seed = 1,
                       void (*tweak)(RaftConfig&) = nullptr)
      : stored_(size), applied_(size), seed_(seed), tweak_(tweak) {
    for (NodeId id = 0; id < size; ++id) voters_.push_back(id);
    for (NodeId id = 0; id < size; ++id) nodes_.push_back(make(id));
    alive_.assign(size, true);
  }

  RaftConfig config_for(NodeId id) const {
    RaftConfig config;
    config.id = id;
    if (joining_.count(id) == 0) config.voters = voters_;
    config.random_seed = seed_ * 1000 + id * 7 + restarts_;
    if (tweak_ != nullptr) tweak_(config);
    return config;
  }

  // A new server (the next id) with an empty disk and no bootstrap membership: it never
  // campaigns and learns its membership from the leader that adds it. Returns its id.
  NodeId add_node() {
    const NodeId id = size();
    joining_.insert(id);
    stored_.emplace_back();
    applied_.emplace_back();
    alive_.push_back(true);
    nodes_.push_back(make(id));
    return id;
  }

  // Messages for which `drop` is true are lost on delivery (nullptr: none).
  void drop_if(std::function<bool(const Message&)> drop) { drop_ = std::move(drop); }

  Raft& node(NodeId id) { return *nodes_[id]; }
  std::uint32_t size() const { return static_cast<std::uint32_t>(nodes_.size()); }
  const std::vector<std::vector<Entry>>& applied() const { return applied_; }

  // Persists, then sends (into the in-memory network), then applies: the ReadyDriver, as a real
  // host runs it.
  void process_ready(NodeId id) {
    Raft& raft = *nodes_[id];
    NodeSink sink(*this, id);
    while (raft.has_ready()) {
      Ready ready;
      const Status driven = ReadyDriver().run_round(raft, ready, sink);
      ASSERT_TRUE(driven.ok()) << driven.to_string();
    }
  }

  // Delivers every queued message (and whatever they cause) until the network is quiet.
  void settle(std::size_t max_messages = 100000) {
    for (NodeId id = 0; id < size(); ++id)
      if (alive_[id]) process_ready(id);
    std::size_t delivered = 0;
    while (!network_.empty() && delivered++ < max_messages) {
      Message message = std::move(network_.front());
      network_.pop_front();
      if (!alive_[message.to] || !link_open(message.from, message.to)) continue;
      if (drop_ && drop_(message)) continue;
      nodes_[message.to]->step(message);
      process_ready(message.to);
      check_invariants();
    }
  }

  void tick_all(int ticks = 1) {
    for (int i = 0; i < ticks; ++i) {
      for (NodeId id = 0; id < size(); ++id) {
        if (!alive_[id]) continue;
        nodes_[id]->tick();
        process_ready(id);
      }
      settle();
    }
  }

  // Ticks until some node is leader (and the cluster has settled); returns it.
  NodeId elect(int max_ticks = 1000) {
    for (int i = 0; i < max_ticks; ++i) {
      tick_all();
      for (NodeId id = 0; id < size(); ++id) {
        if (alive_[id] && nodes_[id]->role() == Role::leader) return id;
      }
    }
    ADD_FAILURE() << "no leader within " << max_ticks << " ticks";
    return kNoNode;
  }

  void isolate(NodeId id) {
    for (NodeId other = 0; other < size(); ++other) {
      if (other != id) cut_.insert({id, other}), cut_.insert({other, id});
    }
  }
  void cut(NodeId from, NodeId to) { cut_.insert({from, to}); }
  void heal() { cut_.clear(); }
  bool link_open(NodeId from, NodeId to) const { return cut_.count({from, to}) == 0; }

  void crash(NodeId id) { alive_[id] = false; }
  void restart(NodeId id) {
    ++restarts_;
    nodes_[id] = make(id);
    // The state machine is rebuilt from the snapshot, then by re-applying.
    applied_[id] = decode_applied(stored_[id].snapshot().data);
    alive_[id] = true;
  }

  // Snapshots node `id`'s state machine at what it applied and hands it to the core, which
  // compacts its log; the "disk" drops the entries the snapshot covers. Nothing where the node
  // cannot snapshot (it joined later and does not know the membership there).
  void take_snapshot(NodeId id) {
    Raft& raft = *nodes_[id];
    const Index index = raft.log().applied();
    if (!raft.snapshot_possible_at(index)) return;
    ASSERT_EQ(applied_[id].size(), index);
    // The file carries the membership in force at the snapshot, as a host's does.
    Snapshot snapshot{SnapshotMeta{index, *raft.log().term_at(index)}, encode_applied(applied_[id]),
                      raft.snapshot_membership(index)};
    stored_[id].compact(snapshot);
    raft.snapshot_taken(std::move(snapshot));
  }
  std::size_t snapshots_installed() const { return snapshots_installed_; }

  std::size_t messages_sent() const { return messages_sent_; }
  std::deque<Message>& network() { return network_; }
  std::map<NodeId, std::vector<ReadState>>& read_states() { return read_states_; }

  void check_invariants() {
    for (NodeId id = 0; id < size(); ++id) {
      const Raft& raft = *nodes_[id];
      if (raft.role() == Role::leader) {
        auto [it, inserted] = leaders_by_term_.emplace(raft.term(), id);
        ASSERT_EQ(it->second, id) << "two leaders in term " << raft.term();
        // Leader completeness: an entry committed by the time some node was in term T is in the
        // log of every leader of a later term.
        for (const auto& [index, committed] : committed_) {
          if (raft.term() <= committed.second || index < raft.log().first_index()) continue;
          ASSERT_LE(index, raft.log().last_index()) << "leader " << id << " lacks " << index;
          ASSERT_EQ(raft.log().at(index), committed.first)
              << "leader " << id << " differs at " << index;
        }
      }
      const Membership& membership = raft.membership();
      const bool witness = membership.is_witness(id) || membership.is_former_witness(id);
      for (Index index = raft.log().first_index(); index <= raft.log().committed(); ++index) {
        const Entry& entry = raft.log().at(index);
        if (witness) {  // positions only: compare what it keeps, record nothing
          auto it = committed_.find(index);
          if (it == committed_.end()) continue;
          const Entry& full = it->second.first;
          ASSERT_TRUE(full.term == entry.term && full.type == entry.type &&
                      (entry.type == EntryType::normal || full.data == entry.data))
              << "witness " << id << " differs at " << index;
          continue;
        }
        auto [it, inserted] = committed_.emplace(index, std::make_pair(entry, raft.term()));
        ASSERT_EQ(it->second.first, entry)
            << "two values committed at " << index << ": node " << id << " has t" << entry.term
            << " type " << static_cast<int>(entry.type) << " bytes " << entry.data.size()
            << ", first seen t" << it->second.first.term << " type "
            << static_cast<int>(it->second.first.type) << " bytes " << it->second.first.data.size()
            << " (" << raft.membership().describe() << ")";
      }
    }
  }

 private:
  // One node's stored state, the network and its applied list, as the ReadyDriver's sink.
  class NodeSink final : public ReadySink {
   public:
    NodeSink(RaftCluster& cluster, NodeId id) : cluster_(cluster), id_(id) {}
    Status install_snapshot(const Snapshot& snapshot,
                            const std::optional<HardState>& hard_state) override {
      cluster_.stored_[id_].install_snapshot(snapshot, hard_state);
      cluster_.applied_[id_] = decode_applied(snapshot.data);
      ++cluster_.snapshots_installed_;
      return Status();
    }
    Status persist(const std::optional<HardState>& hard_state, Index rewrite_from,
                   std::span<const Entry> entries) override {
      cluster_.stored_[id_].persist(hard_state, rewrite_from, entries);
      return Status();
    }
    void send(const Message& message) override {
      ++cluster_.messages_sent_;
      if (cluster_.link_open(message.from, message.to)) cluster_.network_.push_back(message);
    }
    void apply(const Entry& entry) override { cluster_.applied_[id_].push_back(entry); }
    void read_ready(const ReadState& read) override { cluster_.read_states_[id_].push_back(read); }

   private:
    RaftCluster& cluster_;
    NodeId id_;
  };

  std::unique_ptr<Raft> make(NodeId id) {
    return std::make_unique<Raft>(config_for(id), stored_[id].hard_state(), stored_[id].snapshot(),
                                  stored_[id].entries());
  }

  std::vector<NodeId> voters_;
  std::set<NodeId> joining_;  // added by add_node(): no bootstrap membership
  std::function<bool(const Message&)> drop_;
  std::vector<std::unique_ptr<Raft>> nodes_;
  std::vector<MemoryLogStorage> stored_;
  std::vector<std::vector<Entry>> applied_;
  std::vector<bool> alive_;
  std::deque<Message> network_;
  std::set<std::pair<NodeId, NodeId>> cut_;
  std::map<Term, NodeId> leaders_by_term_;
  std::map<Index, std::pair<Entry, Term>> committed_;  // entry, term of first observer
  std::map<NodeId, std::vector<ReadState>> read_states_;
  std::size_t messages_sent_ = 0;
  std::size_t snapshots_installed_ = 0;
  std::uint64_t seed_;
  std::uint64_t restarts_ = 0;
  void (*tweak_)(RaftConfig&);
};

inline std::vector<std::uint8_t> command(const std::string& text) {
  return {text.begin(), text.end()};
}

}  // namespace raftsim::testing

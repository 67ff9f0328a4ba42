// raftsim: the per-member bookkeeping of one Raft node -- the voter configuration (joint during a
// membership change), the leader's Progress of every other member (voters and learners), and the
// votes of the current campaign -- and the quorum questions the core asks of them, answered by
// raft/quorum (the core does no counting itself). Modelled on etcd raft's tracker/.
// Determinism: peers are kept in id order and votes in arrival order.
// Invariants: progress exists for every replica (member but self) while leading and for none
// otherwise; a voter's vote is recorded at most once per campaign; only voters are counted.
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "raft/core/types.h"
#include "raft/quorum/joint.h"
#include "raft/tracker/progress.h"

namespace raftsim {

static_assert(std::is_same_v<quorum::VoterId, NodeId> && std::is_same_v<quorum::Index, Index>,
              "the quorum unit counts the core's ids and indexes");

class ProgressTracker {
 public:
  using Peers = std::vector<std::pair<NodeId, Progress>>;
  using Votes = std::vector<std::pair<NodeId, bool>>;

  explicit ProgressTracker(NodeId self) : self_(self) {}
  // A plain majority of `voters` (self among them or not), every other voter a replica.
  ProgressTracker(NodeId self, std::vector<NodeId> voters);

  // The configuration: who is counted (`voters`, either half) and who receives the log
  // (`replicas`: every member but self, a superset of the voters but self). While leading, the
  // progress of replicas that stay is kept, new ones start probing from `new_replica_next`, and
  // those that left are dropped.
  void configure(quorum::JointConfig voters, std::vector<NodeId> replicas, Index new_replica_next);
  const quorum::JointConfig& voters() const { return voters_; }
  bool is_voter(NodeId node) const { return voters_.contains(node); }
  const std::vector<NodeId>& replicas() const { return replicas_; }

  // Progress (leader only): every replica, in id order, probing from `next`.
  void reset_progress(Index next, std::uint32_t inflight_messages_max);
  void clear_progress() {
    peers_.clear();
    leading_ = false;
  }
  Progress& progress(NodeId peer);
  Progress* find_progress(NodeId peer);
  Peers& peers() { return peers_; }
  const Peers& peers() const { return peers_; }

  // The largest index a quorum holds, counting self at `self_match` (the leader's stable index).
  Index committed_index(Index self_match) const;
  // CheckQuorum: has a quorum (self included) been heard from since the last reset?
  bool quorum_active() const;
  void reset_recent_active();
  // Lease reads: the newest leader tick a quorum answered heartbeats of (self at `self_tick`).
  std::uint64_t quorum_heartbeat_tick(std::uint64_t self_tick) const;
  // ReadIndex: has a quorum (self included) answered a heartbeat of read round `round` or later?
  bool read_round_confirmed(std::uint64_t round) const;

  // Votes of the current campaign.
  void reset_votes() { votes_.clear(); }
  // Records an answer; false if this voter already answered (a duplicate counts once).
  bool record_vote(NodeId voter, bool granted);
  quorum::VoteResult tally_votes() const;
  const Votes& votes() const { return votes_; }

 private:
  const Progress* find(NodeId peer) const;
  const Progress& peer(NodeId voter) const;  // a voter other than self, while leading

  Progress new_progress(Index next) const;

  NodeId self_;
  quorum::JointConfig voters_;
  std::vector<NodeId> replicas_;  // sorted
  bool leading_ = false;
  std::uint32_t inflight_messages_max_ = 1;
  Peers peers_;
  Votes votes_;
};

}  // namespace raftsim

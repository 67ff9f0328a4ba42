// raftsim: the progress tracker -- per-voter lookups feeding the quorum unit's two questions.
#include "raft/tracker/tracker.h"

#include <algorithm>

#include "raft/base/check.h"

namespace raftsim {

ProgressTracker::ProgressTracker(NodeId self, std::vector<NodeId> voters) : self_(self) {
  std::vector<NodeId> replicas = voters;
  std::sort(replicas.begin(), replicas.end());
  std::erase(replicas, self);
  configure(quorum::JointConfig(quorum::MajorityConfig(std::move(voters)), {}), std::move(replicas),
            1);
}

void ProgressTracker::configure(quorum::JointConfig voters, std::vector<NodeId> replicas,
                                Index new_replica_next) {
  RAFTSIM_CHECK_MSG(std::is_sorted(replicas.begin(), replicas.end()) &&
                        std::find(replicas.begin(), replicas.end(), self_) == replicas.end(),
                    "replicas are sorted and exclude self");
  for (const quorum::MajorityConfig* half : {&voters.incoming(), &voters.outgoing()}) {
    for (NodeId voter : half->voters()) {
      RAFTSIM_CHECK_MSG(
          voter == self_ || std::binary_search(replicas.begin(), replicas.end(), voter),
          "every voter but self is a replica");
    }
  }
  voters_ = std::move(voters);
  replicas_ = std::move(replicas);
  if (!leading_) return;
  Peers peers;
  peers.reserve(replicas_.size());
  for (NodeId replica : replicas_) {
    Progress* kept = find_progress(replica);
    peers.emplace_back(replica,
                       kept != nullptr ? std::move(*kept) : new_progress(new_replica_next));
  }
  peers_ = std::move(peers);
}

Progress ProgressTracker::new_progress(Index next) const {
  Progress progress;
  progress.next = next;
  progress.inflights = Inflights(inflight_messages_max_);
  progress.recent_active = true;  // give every follower one CheckQuorum round to answer
  return progress;
}

void ProgressTracker::reset_progress(Index next, std::uint32_t inflight_messages_max) {
  leading_ = true;
  inflight_messages_max_ = inflight_messages_max;
  peers_.clear();
  for (NodeId peer : replicas_) peers_.emplace_back(peer, new_progress(next));
}

Progress* ProgressTracker::find_progress(NodeId peer) {
  for (auto& [node, progress] : peers_) {
    if (node == peer) return &progress;
  }
  return nullptr;
}

const Progress* ProgressTracker::find(NodeId peer) const {
  for (const auto& [node, progress] : peers_) {
    if (node == peer) return &progress;
  }
  return nullptr;
}

Progress& ProgressTracker::progress(NodeId peer) {
  for (auto& [node, progress] : peers_) {
    if (node == peer) return progress;
  }
  RAFTSIM_UNREACHABLE("no progress for peer");
}

const Progress& ProgressTracker::peer(NodeId voter) const {
  const Progress* found = find(voter);
  RAFTSIM_CHECK_MSG(found != nullptr, "quorum questions are asked while leading");
  return *found;
}

Index ProgressTracker::committed_index(Index self_match) const {
  return voters_.committed_index(
      [&](NodeId voter) { return voter == self_ ? self_match : peer(voter).match; });
}

bool ProgressTracker::quorum_active() const {
  const quorum::VoteResult active = voters_.vote_result([&](NodeId voter) -> std::optional<bool> {
    return voter == self_ || peer(voter).recent_active;
  });
  return active == quorum::VoteResult::won;
}

void ProgressTracker::reset_recent_active() {
  for (auto& [peer, progress] : peers_) progress.recent_active = false;
}

std::uint64_t ProgressTracker::quorum_heartbeat_tick(std::uint64_t self_tick) const {
  return voters_.committed_index(
      [&](NodeId voter) { return voter == self_ ? self_tick : peer(voter).acked_heartbeat_tick; });
}

bool ProgressTracker::read_round_confirmed(std::uint64_t round) const {
  const quorum::VoteResult acks = voters_.vote_result([&](NodeId voter) -> std::optional<bool> {
    return voter == self_ || peer(voter).acked_read_round >= round;
  });
  return acks == quorum::VoteResult::won;
}

bool ProgressTracker::record_vote(NodeId voter, bool granted) {
  for (const auto& [answered, vote] : votes_) {
    if (answered == voter) return false;
  }
  votes_.emplace_back(voter, granted);
  return true;
}

quorum::VoteResult ProgressTracker::tally_votes() const {
  return voters_.vote_result([&](NodeId voter) -> std::optional<bool> {
    for (const auto& [answered, granted] : votes_) {
      if (answered == voter) return granted;
    }
    return std::nullopt;
  });
}

}  // namespace raftsim

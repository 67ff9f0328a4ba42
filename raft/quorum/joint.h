// raftsim: quorum arithmetic over a joint configuration (paper §6): two majority configurations,
// C_new (incoming) and C_old (outgoing), that must each agree. With C_old empty it is C_new
// alone, which is every configuration outside a membership change. Built from MajorityConfig,
// so the core asks the same two questions whether or not a change is in progress.
#pragma once

#include <algorithm>
#include <limits>

#include "raft/quorum/majority.h"

namespace raftsim::quorum {

class JointConfig {
 public:
  JointConfig() = default;
  JointConfig(MajorityConfig incoming, MajorityConfig outgoing)
      : incoming_(std::move(incoming)), outgoing_(std::move(outgoing)) {}

  const MajorityConfig& incoming() const { return incoming_; }
  const MajorityConfig& outgoing() const { return outgoing_; }
  bool joint() const { return outgoing_.size() > 0; }
  bool contains(VoterId voter) const {
    return incoming_.contains(voter) || outgoing_.contains(voter);
  }

  // The largest index both halves have reached (a half that is empty does not hold it back).
  template <typename AckedIndex>
  Index committed_index(const AckedIndex& acked) const {
    const Index incoming = incoming_.committed_index(acked);
    if (!joint()) return incoming;
    return std::min(incoming, outgoing_.committed_index(acked));
  }

  // Won once both halves won; lost once either lost; else pending.
  template <typename Vote>
  VoteResult vote_result(const Vote& vote) const {
    const VoteResult incoming = incoming_.vote_result(vote);
    if (!joint()) return incoming;
    const VoteResult outgoing = outgoing_.vote_result(vote);
    if (incoming == VoteResult::won && outgoing == VoteResult::won) return VoteResult::won;
    if (incoming == VoteResult::lost || outgoing == VoteResult::lost) return VoteResult::lost;
    return VoteResult::pending;
  }

 private:
  MajorityConfig incoming_;
  MajorityConfig outgoing_;
};

}  // namespace raftsim::quorum

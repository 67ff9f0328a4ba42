// raftsim: quorum arithmetic over one majority configuration -- a set of voters of which any
// more than half decide. Two questions, each answered from what the voters acknowledged:
//   1. the committed index: the largest value a quorum has reached (of log indexes, or of any
//      other per-voter mark such as the tick of the newest heartbeat answered);
//   2. the vote result: won once a quorum said yes, lost once a quorum said no, else pending.
// Pure functions of their inputs, independent of the core's types (ids and indexes are plain
// integers), so a joint configuration (two majorities, both must agree: membership changes) can
// be built from two of these without touching the callers. Modelled on etcd raft's quorum/.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace raftsim::quorum {

using VoterId = std::uint32_t;  // a raftsim NodeId
using Index = std::uint64_t;    // a log index, or any mark that only grows

enum class VoteResult : std::uint8_t { pending, lost, won };

class MajorityConfig {
 public:
  MajorityConfig() = default;
  // Voters in any order; repeats are a programming error.
  explicit MajorityConfig(std::vector<VoterId> voters);

  std::span<const VoterId> voters() const { return voters_; }
  std::size_t size() const { return voters_.size(); }
  bool contains(VoterId voter) const {
    return std::binary_search(voters_.begin(), voters_.end(), voter);
  }
  // Voters that make a majority; 0 for the empty configuration.
  std::size_t quorum() const { return voters_.empty() ? 0 : voters_.size() / 2 + 1; }

  // The largest index a quorum of voters has reached; `acked(voter)` is each voter's mark. The
  // empty configuration commits nothing (0).
  template <typename AckedIndex>
  Index committed_index(const AckedIndex& acked) const;

  // `vote(voter)`: true (yes), false (no) or nullopt (not answered). Lost once a quorum said no:
  // with an even number of voters a tie therefore stays pending (the candidate waits for its
  // election timer rather than stepping down at once).
  template <typename Vote>
  VoteResult vote_result(const Vote& vote) const;

 private:
  // Marks of up to this many voters are sorted on the stack; larger configurations allocate.
  static constexpr std::size_t kStackVotersMax = 16;
  static Index kth_largest(std::span<Index> marks, std::size_t k);

  std::vector<VoterId> voters_;  // sorted, unique
};

template <typename AckedIndex>
Index MajorityConfig::committed_index(const AckedIndex& acked) const {
  if (voters_.empty()) return 0;
  std::array<Index, kStackVotersMax> stack_marks;
  std::vector<Index> heap_marks;
  std::span<Index> marks;
  if (voters_.size() <= kStackVotersMax) {
    marks = std::span<Index>(stack_marks.data(), voters_.size());
  } else {
    heap_marks.resize(voters_.size());
    marks = heap_marks;
  }
  for (std::size_t i = 0; i < voters_.size(); ++i) marks[i] = acked(voters_[i]);
  return kth_largest(marks, quorum());
}

template <typename Vote>
VoteResult MajorityConfig::vote_result(const Vote& vote) const {
  if (voters_.empty()) return VoteResult::won;  // an empty configuration agrees to anything
  std::size_t yes = 0;
  std::size_t no = 0;
  for (VoterId voter : voters_) {
    const std::optional<bool> answer = vote(voter);
    if (!answer) continue;
    ++(*answer ? yes : no);
  }
  if (yes >= quorum()) return VoteResult::won;
  if (no >= quorum()) return VoteResult::lost;
  return VoteResult::pending;
}

}  // namespace raftsim::quorum

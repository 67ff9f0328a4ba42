// The quorum unit (raft/quorum) against naive references, and the progress tracker's quorum
// questions (raft/tracker): the committed index is the quorum-th largest acknowledged index (a
// sort-based reference, as etcd's quorum quick test does), a vote is won or lost once a quorum
// says so, and a duplicate answer counts once.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "raft/quorum/joint.h"
#include "raft/quorum/majority.h"
#include "raft/tracker/tracker.h"

namespace raftsim {
namespace {

using quorum::MajorityConfig;
using quorum::VoteResult;

// Distinct voter ids (1..9 of them) drawn from a small range, so configurations overlap.
std::vector<quorum::VoterId> arbitrary_voters() {
  const auto count = *rc::gen::inRange<std::size_t>(1, 10);
  std::set<quorum::VoterId> ids;
  while (ids.size() < count) ids.insert(*rc::gen::inRange<quorum::VoterId>(0, 32));
  return {ids.begin(), ids.end()};
}

quorum::Index naive_committed(std::vector<quorum::Index> acked) {
  std::sort(acked.begin(), acked.end(), std::greater<>());
  return acked[acked.size() / 2];  // the (n/2 + 1)-th largest
}

RC_GTEST_PROP(Quorum, CommittedIndexIsTheQuorumThLargestAcknowledgement, ()) {
  const std::vector<quorum::VoterId> voters = arbitrary_voters();
  std::map<quorum::VoterId, quorum::Index> acked;
  std::vector<quorum::Index> values;
  for (quorum::VoterId voter : voters) {
    acked[voter] = *rc::gen::inRange<quorum::Index>(0, 20);
    values.push_back(acked[voter]);
  }
  std::vector<quorum::VoterId> shuffled = voters;  // order of construction must not matter
  std::reverse(shuffled.begin(), shuffled.end());
  const MajorityConfig config(shuffled);
  RC_ASSERT(config.committed_index([&](quorum::VoterId v) { return acked.at(v); }) ==
            naive_committed(values));
}

RC_GTEST_PROP(Quorum, VoteResultFollowsTheCounts, ()) {
  const std::vector<quorum::VoterId> voters = arbitrary_voters();
  std::map<quorum::VoterId, std::optional<bool>> votes;
  std::size_t yes = 0, no = 0;
  for (quorum::VoterId voter : voters) {
    const int answer = *rc::gen::inRange(0, 3);
    votes[voter] = answer == 0 ? std::nullopt : std::optional<bool>(answer == 1);
    yes += answer == 1 ? 1 : 0;
    no += answer == 2 ? 1 : 0;
  }
  const std::size_t quorum = voters.size() / 2 + 1;
  const VoteResult expected =
      yes >= quorum ? VoteResult::won : (no >= quorum ? VoteResult::lost : VoteResult::pending);
  const MajorityConfig config(voters);
  RC_ASSERT(config.vote_result([&](quorum::VoterId v) { return votes.at(v); }) == expected);
}

// Joint configurations (paper §6) against brute force, as etcd tests its quorum package: the
// committed index is the largest candidate (0 or any acknowledged index) that a majority of each
// half has reached, an empty C_old holding nothing back; a vote is won once each half has a
// majority of yes, lost once some half has a majority of no. Halves overlap (small id range).
struct JointCase {
  std::vector<quorum::VoterId> incoming;
  std::vector<quorum::VoterId> outgoing;  // empty: not joint
  std::map<quorum::VoterId, quorum::Index> acked;
  std::map<quorum::VoterId, std::optional<bool>> votes;
};

JointCase arbitrary_joint_case() {
  JointCase c;
  c.incoming = arbitrary_voters();
  if (*rc::gen::inRange(0, 4) != 0) c.outgoing = arbitrary_voters();
  for (const auto* half : {&c.incoming, &c.outgoing}) {
    for (quorum::VoterId voter : *half) {
      if (c.acked.count(voter) != 0) continue;
      c.acked[voter] = *rc::gen::inRange<quorum::Index>(0, 12);
      const int answer = *rc::gen::inRange(0, 3);
      c.votes[voter] = answer == 0 ? std::nullopt : std::optional<bool>(answer == 1);
    }
  }
  return c;
}

bool majority_reached(const std::vector<quorum::VoterId>& half, const JointCase& c,
                      quorum::Index index) {
  if (half.empty()) return true;
  std::size_t reached = 0;
  for (quorum::VoterId voter : half) reached += c.acked.at(voter) >= index ? 1 : 0;
  return reached * 2 > half.size();
}

quorum::Index brute_force_joint_committed(const JointCase& c) {
  quorum::Index best = 0;
  for (const auto& [voter, index] : c.acked) {
    if (majority_reached(c.incoming, c, index) && majority_reached(c.outgoing, c, index)) {
      best = std::max(best, index);
    }
  }
  return best;
}

VoteResult brute_force_joint_vote(const JointCase& c) {
  auto count = [&](const std::vector<quorum::VoterId>& half, bool answer) {
    std::size_t n = 0;
    for (quorum::VoterId voter : half) n += c.votes.at(voter) == answer ? 1 : 0;
    return n;
  };
  auto majority = [](const std::vector<quorum::VoterId>& half, std::size_t n) {
    return !half.empty() && n * 2 > half.size();
  };
  const bool incoming_won = majority(c.incoming, count(c.incoming, true));
  const bool outgoing_won = c.outgoing.empty() || majority(c.outgoing, count(c.outgoing, true));
  if (incoming_won && outgoing_won) return VoteResult::won;
  if (majority(c.incoming, count(c.incoming, false)) ||
      majority(c.outgoing, count(c.outgoing, false))) {
    return VoteResult::lost;
  }
  return VoteResult::pending;
}

RC_GTEST_PROP(JointQuorum, CommittedIndexMatchesBruteForce, ()) {
  const JointCase c = arbitrary_joint_case();
  const quorum::JointConfig config{MajorityConfig(c.incoming), MajorityConfig(c.outgoing)};
  RC_ASSERT(config.joint() == !c.outgoing.empty());
  const quorum::Index committed =
      config.committed_index([&](quorum::VoterId v) { return c.acked.at(v); });
  RC_ASSERT(committed == brute_force_joint_committed(c));
  // Symmetry: the halves play the same role once both are non-empty.
  if (!c.outgoing.empty()) {
    const quorum::JointConfig swapped{MajorityConfig(c.outgoing), MajorityConfig(c.incoming)};
    RC_ASSERT(swapped.committed_index([&](quorum::VoterId v) { return c.acked.at(v); }) ==
              committed);
  }
}

RC_GTEST_PROP(JointQuorum, VoteResultMatchesBruteForce, ()) {
  const JointCase c = arbitrary_joint_case();
  const quorum::JointConfig config{MajorityConfig(c.incoming), MajorityConfig(c.outgoing)};
  RC_ASSERT(config.vote_result([&](quorum::VoterId v) { return c.votes.at(v); }) ==
            brute_force_joint_vote(c));
}

TEST(JointQuorum, EachHalfMustAgree) {
  // C_new {0,3,4} has reached 5 on a majority; C_old {0,1,2} only 2: the joint commit is 2.
  const quorum::JointConfig config{MajorityConfig({0, 3, 4}), MajorityConfig({0, 1, 2})};
  const std::map<quorum::VoterId, quorum::Index> acked = {{0, 5}, {1, 2}, {2, 1}, {3, 5}, {4, 0}};
  EXPECT_EQ(config.committed_index([&](quorum::VoterId v) { return acked.at(v); }), 2u);
  const std::map<quorum::VoterId, std::optional<bool>> votes = {
      {0, true}, {1, false}, {2, std::nullopt}, {3, true}, {4, false}};
  EXPECT_EQ(config.vote_result([&](quorum::VoterId v) { return votes.at(v); }),
            VoteResult::pending);
}

TEST(Quorum, EmptyConfigurationCommitsNothingAndAgreesToAnything) {
  const MajorityConfig empty;
  EXPECT_EQ(empty.quorum(), 0u);
  EXPECT_EQ(empty.committed_index([](quorum::VoterId) { return quorum::Index{7}; }), 0u);
  EXPECT_EQ(empty.vote_result([](quorum::VoterId) { return std::optional<bool>(false); }),
            VoteResult::won);
}

TEST(Quorum, LargeConfigurationsCountBeyondTheStackBuffer) {
  std::vector<quorum::VoterId> voters;
  for (quorum::VoterId id = 0; id < 21; ++id) voters.push_back(id);
  const MajorityConfig config(voters);
  // Voter v acknowledged v: the 11th largest of 0..20 is 10.
  EXPECT_EQ(config.committed_index([](quorum::VoterId v) { return quorum::Index{v}; }), 10u);
}

TEST(Quorum, AnEvenTieStaysPending) {
  const MajorityConfig config({1, 2, 3, 4});
  const auto tie = [](quorum::VoterId v) { return std::optional<bool>(v <= 2); };
  EXPECT_EQ(config.vote_result(tie), VoteResult::pending);
}

TEST(ProgressTracker, CountsSelfAtTheGivenMarkAndPeersAtTheirs) {
  ProgressTracker tracker(1, {3, 1, 2});
  EXPECT_TRUE(tracker.is_voter(3));
  EXPECT_FALSE(tracker.is_voter(4));
  tracker.reset_progress(/*next=*/5, /*inflight_messages_max=*/4);
  ASSERT_EQ(tracker.peers().size(), 2u);
  EXPECT_EQ(tracker.peers()[0].first, 2u);  // voter order, self left out
  EXPECT_EQ(tracker.peers()[1].first, 3u);
  tracker.progress(2).match = 4;
  tracker.progress(3).match = 2;
  EXPECT_EQ(tracker.committed_index(/*self_match=*/9), 4u);
  EXPECT_EQ(tracker.committed_index(/*self_match=*/3), 3u);
}

TEST(ProgressTracker, CheckQuorumAndReadRoundsNeedAQuorumWithSelf) {
  ProgressTracker tracker(0, {0, 1, 2, 3, 4});
  tracker.reset_progress(1, 4);
  EXPECT_TRUE(tracker.quorum_active());  // a new leader gives everyone one round
  tracker.reset_recent_active();
  EXPECT_FALSE(tracker.quorum_active());
  tracker.progress(3).recent_active = true;
  EXPECT_FALSE(tracker.quorum_active());
  tracker.progress(4).recent_active = true;
  EXPECT_TRUE(tracker.quorum_active());

  tracker.progress(1).acked_read_round = 7;
  EXPECT_FALSE(tracker.read_round_confirmed(7));
  tracker.progress(2).acked_read_round = 9;
  EXPECT_TRUE(tracker.read_round_confirmed(7));
  EXPECT_FALSE(tracker.read_round_confirmed(8));
  tracker.progress(1).acked_heartbeat_tick = 40;
  tracker.progress(2).acked_heartbeat_tick = 30;
  EXPECT_EQ(tracker.quorum_heartbeat_tick(/*self_tick=*/50), 30u);
}

TEST(ProgressTracker, ADuplicateVoteCountsOnce) {
  ProgressTracker tracker(0, {0, 1, 2});
  EXPECT_TRUE(tracker.record_vote(0, true));
  EXPECT_EQ(tracker.tally_votes(), VoteResult::pending);
  EXPECT_TRUE(tracker.record_vote(1, false));
  EXPECT_FALSE(tracker.record_vote(1, true));  // the second answer is ignored
  EXPECT_EQ(tracker.tally_votes(), VoteResult::pending);
  EXPECT_TRUE(tracker.record_vote(2, false));
  EXPECT_EQ(tracker.tally_votes(), VoteResult::lost);
  tracker.reset_votes();
  EXPECT_TRUE(tracker.record_vote(2, true));
  EXPECT_TRUE(tracker.record_vote(0, true));
  EXPECT_EQ(tracker.tally_votes(), VoteResult::won);
}

}  // namespace
}  // namespace raftsim

// The quorum unit (raft/quorum) against naive references, and the progress tracker's quorum
// questions (raft/tracker): the committed index is the quorum-th largest acknowledged index (a
// sort-based reference, as etcd's quorum quick test does), a vote is won or lost once a quorum
// says so, and a duplicate answer counts once.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <map>
#include <set>

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

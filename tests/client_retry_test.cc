// raftsim: the retry rule every simulated client session shares (sim/workload/client_session.h,
// next_retry): follow a leader hint at once, go round the servers after a refusal without one or a
// timeout, and the bounce rule: a hint to a server that refused without a hint is followed once,
// not the second time (BounceRule::always, the console's: never straight back to the server asked
// just before). The bounce rule is the regression test for the joint-change outlier of
// results/membership.md: a removed server kept naming the old leader, which named nobody, and KV
// clients bounced between the two until the removed server's election timeout (~450 ms).
#include <gtest/gtest.h>

#include "sim/workload/client_session.h"

namespace raftsim::sim {
namespace {

constexpr std::uint32_t kSlots = 7;

// A session whose request was opened at time 0 and first sent to `target`.
ClientSession session_asking(NodeId target) {
  ClientSession session;
  session.target = target;
  open_session_request(session, 0);
  session.attempts = 1;
  return session;
}

// What the next attempt does, as the session client would count it.
RetryStep refused(ClientSession& session, NodeId hint,
                  BounceRule bounce = BounceRule::after_second_refusal) {
  const RetryStep step =
      next_retry(session, hint, milliseconds(1), ClientTiming{}, kSlots, {}, bounce);
  ++session.attempts;  // the next attempt is sent, as send_session_attempt does
  session.timed_out = false;
  return step;
}

TEST(ClientRetry, FollowsAHintToAnotherServerAtOnce) {
  ClientSession session = session_asking(0);
  EXPECT_EQ(refused(session, 2), RetryStep::resend_now);
  EXPECT_EQ(session.target, 2u);
}

TEST(ClientRetry, GoesRoundAfterARefusalWithoutHint) {
  ClientSession session = session_asking(3);
  EXPECT_EQ(refused(session, kNoNode), RetryStep::back_off);
  EXPECT_EQ(session.target, 4u);
}

// n3 (the old leader, removed) names nobody; n4 (removed) still names n3. The first hint back is
// followed (n3 might have won an election since); the second is not: go round to n5.
TEST(ClientRetry, RemovedServerNamingTheSilentOldLeaderAgainIsNotFollowed) {
  ClientSession session = session_asking(3);
  ASSERT_EQ(refused(session, kNoNode), RetryStep::back_off);
  ASSERT_EQ(session.target, 4u);
  ASSERT_EQ(refused(session, 3), RetryStep::resend_now);
  ASSERT_EQ(refused(session, kNoNode), RetryStep::back_off);
  ASSERT_EQ(session.target, 4u);
  EXPECT_EQ(refused(session, 3), RetryStep::back_off);
  EXPECT_EQ(session.target, 5u);
  // Forgiven once left: a later hint to it is followed again.
  EXPECT_EQ(refused(session, 3), RetryStep::resend_now);
}

// A timeout is no refusal (the server may be down or slow, or the answer lost): a hint back to a
// server that did not answer is followed as before, however often.
TEST(ClientRetry, HintsBackToAServerThatTimedOutAreFollowed) {
  ClientSession session = session_asking(3);
  for (int round = 0; round < 3; ++round) {
    note_timeout(session);
    ASSERT_EQ(refused(session, kNoNode), RetryStep::back_off);
    ASSERT_EQ(session.target, 4u);
    EXPECT_EQ(refused(session, 3), RetryStep::resend_now);
  }
  EXPECT_TRUE(session.in_doubt);
}

// A candidate refuses without a hint, then wins: the next server's hint to it is followed.
TEST(ClientRetry, CandidateThatRefusedAndWonIsFollowed) {
  ClientSession session = session_asking(0);
  ASSERT_EQ(refused(session, kNoNode), RetryStep::back_off);
  EXPECT_EQ(refused(session, 0), RetryStep::resend_now);
  EXPECT_EQ(session.target, 0u);
}

// A leader handing over names its transfer target, which names the leader back until it wins:
// KV clients keep polling the two (each answer is one round trip away from the new leader).
TEST(ClientRetry, ServersNamingEachOtherArePolledUnderTheDefaultRule) {
  ClientSession session = session_asking(0);
  ASSERT_EQ(refused(session, 1), RetryStep::resend_now);
  ASSERT_EQ(refused(session, 0), RetryStep::resend_now);
  EXPECT_EQ(refused(session, 1), RetryStep::resend_now);
  EXPECT_EQ(session.target, 1u);
}

// The console's rule: two servers naming each other (both stale) do not keep its request.
TEST(ClientRetry, ServersNamingEachOtherAreLeftUnderTheAlwaysRule) {
  ClientSession session = session_asking(0);
  ASSERT_EQ(refused(session, 1, BounceRule::always), RetryStep::resend_now);
  EXPECT_EQ(refused(session, 0, BounceRule::always), RetryStep::back_off);
  EXPECT_EQ(session.target, 2u);
}

// A new request starts with no memory of the last one's refusals.
TEST(ClientRetry, ANewRequestForgetsTheRefusals) {
  ClientSession session = session_asking(3);
  ASSERT_EQ(refused(session, kNoNode), RetryStep::back_off);
  ASSERT_EQ(refused(session, 3), RetryStep::resend_now);
  ASSERT_EQ(refused(session, kNoNode), RetryStep::back_off);
  open_session_request(session, milliseconds(2));
  session.attempts = 1;
  EXPECT_EQ(refused(session, 3), RetryStep::resend_now);
  EXPECT_EQ(session.target, 3u);
}

TEST(ClientRetry, GivesUpOutOfAttempts) {
  ClientSession session = session_asking(0);
  session.attempts = ClientTiming{}.attempts_max;
  EXPECT_EQ(refused(session, 2), RetryStep::give_up);
}

}  // namespace
}  // namespace raftsim::sim

// Membership changes in the Raft core, driven message by message through RaftCluster: learners
// and promotion, joint consensus (paper §6), one change at a time, the 2015 own-term rule
// (dissertation §4.1 and its correction), truncated and restored configurations, a removed
// leader stepping down, disruptive removed servers (§4.2.3), leadership transfer (§3.10),
// witnesses, learners catching up through a snapshot, and the catalogue bugs that break them
// (each test asserts the correct behaviour, then that the bug flag changes it).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <array>
#include <iostream>
#include <string>

#include "tests/raft_cluster.h"

namespace raftsim {
namespace {

using testing::command;
using testing::RaftCluster;

ConfChange change_of(ConfChangeType type, NodeId node) {
  ConfChange change;
  change.type = type;
  change.node = node;
  return change;
}
ConfChange add_learner(NodeId node) {
  return change_of(ConfChangeType::add_learner, node);
}
ConfChange promote(NodeId node) {
  return change_of(ConfChangeType::promote, node);
}
ConfChange add_witness(NodeId node) {
  return change_of(ConfChangeType::add_witness, node);
}
ConfChange remove_server(NodeId node) {
  return change_of(ConfChangeType::remove, node);
}
ConfChange enter_joint(std::vector<NodeId> voters, bool auto_leave = true) {
  ConfChange change;
  change.type = ConfChangeType::joint;
  change.voters = std::move(voters);
  change.auto_leave = auto_leave;
  return change;
}

// The elected leader, with its no-op committed (so it may change the membership).
NodeId settled_leader(RaftCluster& cluster) {
  const NodeId leader = cluster.elect();
  if (leader == kNoNode) return kNoNode;
  cluster.tick_all(2);
  EXPECT_EQ(cluster.node(leader).role(), Role::leader);
  EXPECT_EQ(cluster.node(leader).log().committed(), cluster.node(leader).log().last_index());
  return leader;
}

// Proposes `change` on `leader`, lets the cluster settle, and expects it committed there.
Index commit_change(RaftCluster& cluster, NodeId leader, const ConfChange& change) {
  const Result<Index> index = cluster.node(leader).propose_conf_change(change);
  EXPECT_TRUE(index.ok()) << index.status().to_string();
  if (!index.ok()) return 0;
  cluster.tick_all(2);
  EXPECT_GE(cluster.node(leader).log().committed(), index.value());
  return index.value();
}

// Two other voters of a three-node cluster.
std::pair<NodeId, NodeId> followers_of(NodeId leader) {
  return {(leader + 1) % 3, (leader + 2) % 3};
}

// Appends lost while a follower was down are resent once the leader notices the stall
// (kStalledHeartbeats heartbeat rounds of 10 ticks), so recovery tests wait this long.
constexpr int kRecoveryTicks = 40;

// Holds the messages `hold` selects instead of delivering them, until release().
class HeldMessages {
 public:
  HeldMessages(RaftCluster& cluster, bool (*hold)(const Message&)) : cluster_(cluster) {
    cluster_.drop_if([this, hold](const Message& message) {
      if (!hold(message)) return false;
      held_.push_back(message);
      return true;
    });
  }
  ~HeldMessages() { cluster_.drop_if(nullptr); }
  // Delivers what was held, in order, and whatever it causes (no tick passes).
  void release() {
    cluster_.drop_if(nullptr);
    for (Message& message : held_) cluster_.network().push_back(std::move(message));
    held_.clear();
    cluster_.settle();
  }
  std::size_t size() const { return held_.size(); }

 private:
  RaftCluster& cluster_;
  std::vector<Message> held_;
};

NodeId leader_other_than(RaftCluster& cluster, NodeId old, int max_ticks) {
  for (int i = 0; i < max_ticks; ++i) {
    cluster.tick_all();
    for (NodeId id = 0; id < cluster.size(); ++id) {
      if (id != old && cluster.node(id).role() == Role::leader) return id;
    }
  }
  return kNoNode;
}

// ---------------------------------------------------------------------------------------------
// Learners and promotion (dissertation §4.2.1)

TEST(RaftMembership, GrowThreeToFourThroughALearner) {
  RaftCluster cluster(3);
  const NodeId leader = settled_leader(cluster);
  ASSERT_NE(leader, kNoNode);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(cluster.node(leader).propose(command("x")).ok());
  const NodeId learner = cluster.add_node();
  commit_change(cluster, leader, add_learner(learner));
  cluster.tick_all(2);
  // The learner got the log and the membership, and never campaigns.
  const Raft& joined = cluster.node(learner);
  EXPECT_EQ(joined.log().last_index(), cluster.node(leader).log().last_index());
  EXPECT_EQ(joined.membership(), cluster.node(leader).membership());
  EXPECT_EQ(joined.membership().learners, std::vector<NodeId>{learner});
  EXPECT_EQ(cluster.node(leader).quorum(), 2u);

  // Not counted: with both other voters down, the leader and the learner commit nothing.
  auto [a, b] = followers_of(leader);
  cluster.crash(a);
  cluster.crash(b);
  const Index before = cluster.node(leader).log().committed();
  ASSERT_TRUE(cluster.node(leader).propose(command("uncounted")).ok());
  cluster.tick_all(3);
  EXPECT_EQ(cluster.node(learner).log().last_index(), cluster.node(leader).log().last_index());
  EXPECT_EQ(cluster.node(leader).log().committed(), before);
  cluster.restart(a);
  cluster.restart(b);
  cluster.tick_all(kRecoveryTicks);
  ASSERT_EQ(cluster.node(leader).role(), Role::leader);
  EXPECT_EQ(cluster.node(leader).log().committed(), cluster.node(leader).log().last_index());

  commit_change(cluster, leader, promote(learner));
  cluster.tick_all(2);
  for (NodeId id = 0; id < cluster.size(); ++id) {
    EXPECT_EQ(cluster.node(id).membership().voters, (std::vector<NodeId>{0, 1, 2, 3})) << id;
    EXPECT_TRUE(cluster.node(id).membership().learners.empty()) << id;
  }
  EXPECT_EQ(cluster.node(leader).quorum(), 3u);
  // A never-crashed learner turned voter may now lead.
  EXPECT_EQ(cluster.node(leader).transfer_leadership(learner), Status());
  cluster.settle();
  EXPECT_EQ(cluster.node(learner).role(), Role::leader);
}

void promote_lag_small(RaftConfig& config) {
  config.promote_lag_entries_max = 3;
}

TEST(RaftMembership, PromoteWaitsUntilTheLearnerHasCaughtUp) {
  RaftCluster cluster(3, 1, promote_lag_small);
  const NodeId leader = settled_leader(cluster);
  ASSERT_NE(leader, kNoNode);
  const NodeId learner = cluster.add_node();
  cluster.cut(leader, learner);  // the learner hears nothing yet
  commit_change(cluster, leader, add_learner(learner));
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(cluster.node(leader).propose(command("x")).ok());
  cluster.tick_all(2);
  const Result<Index> early = cluster.node(leader).propose_conf_change(promote(learner));
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.status().code(), StatusCode::unavailable) << early.status().to_string();
  // Promoting a voter, or a server that is not a learner, is refused as asked.
  EXPECT_EQ(cluster.node(leader).propose_conf_change(promote((leader + 1) % 3)).status().code(),
            StatusCode::failed_precondition);
  EXPECT_EQ(cluster.node(leader).propose_conf_change(promote(9)).status().code(),
            StatusCode::failed_precondition);

  cluster.heal();
  cluster.tick_all(12);  // a heartbeat round restarts the probe; the learner catches up
  ASSERT_EQ(cluster.node(learner).log().last_index(), cluster.node(leader).log().last_index());
  const Result<Index> caught_up = cluster.node(leader).propose_conf_change(promote(learner));
  EXPECT_TRUE(caught_up.ok()) << caught_up.status().to_string();
}

// ---------------------------------------------------------------------------------------------
// Joint consensus (paper §6)

// {leader, a, b} -> {leader, 3, 4}, with 3 and 4 added as learners first.
struct JointSetup {
  NodeId leader = kNoNode, a = kNoNode, b = kNoNode, n3 = kNoNode, n4 = kNoNode;
};

JointSetup prepare_joint(RaftCluster& cluster) {
  JointSetup setup;
  setup.leader = settled_leader(cluster);
  if (setup.leader == kNoNode) return setup;
  std::tie(setup.a, setup.b) = followers_of(setup.leader);
  setup.n3 = cluster.add_node();
  setup.n4 = cluster.add_node();
  commit_change(cluster, setup.leader, add_learner(setup.n3));
  commit_change(cluster, setup.leader, add_learner(setup.n4));
  return setup;
}

TEST(RaftMembership, JointChangeNeedsBothMajoritiesThenLeavesOnItsOwn) {
  RaftCluster cluster(3);
  const JointSetup s = prepare_joint(cluster);
  ASSERT_NE(s.leader, kNoNode);
  Raft& leader = cluster.node(s.leader);
  // C_old's other voters are down: C_new = {leader, 3, 4} agrees, C_old has only the leader.
  cluster.crash(s.a);
  cluster.crash(s.b);
  const Result<Index> joint = leader.propose_conf_change(enter_joint({s.leader, s.n3, s.n4}));
  ASSERT_TRUE(joint.ok()) << joint.status().to_string();
  EXPECT_TRUE(leader.membership().joint());  // in force once appended
  cluster.tick_all(3);
  EXPECT_EQ(cluster.node(s.n3).log().last_index(), joint.value());
  EXPECT_LT(leader.log().committed(), joint.value()) << "committed without C_old's majority";
  // A second change waits.
  EXPECT_EQ(leader.propose_conf_change(add_learner(7)).status().code(),
            StatusCode::failed_precondition);

  cluster.restart(s.a);
  cluster.restart(s.b);
  cluster.tick_all(kRecoveryTicks);
  ASSERT_EQ(leader.role(), Role::leader);
  EXPECT_GE(leader.log().committed(), joint.value());
  // Auto leave: C_new alone, appended and committed after C_old,new.
  EXPECT_FALSE(leader.membership().joint());
  EXPECT_GT(leader.membership_index(), joint.value());
  EXPECT_EQ(leader.log().committed(), leader.log().last_index());
  Membership expected;
  expected.voters = {s.leader, s.n3, s.n4};
  std::sort(expected.voters.begin(), expected.voters.end());
  EXPECT_EQ(leader.membership(), expected);
  EXPECT_EQ(cluster.node(s.n3).membership(), expected);
  EXPECT_EQ(leader.quorum(), 2u);
  // Now C_new alone decides: the removed servers are not needed.
  cluster.crash(s.a);
  cluster.crash(s.b);
  ASSERT_TRUE(leader.propose(command("new only")).ok());
  cluster.tick_all(2);
  EXPECT_EQ(leader.log().committed(), leader.log().last_index());
}

void joint_new_only(RaftConfig& config) {
  config.bugs.add(RaftBug::joint_quorum_new_only);
}

TEST(RaftMembershipBugs, JointQuorumNewOnlyCommitsWithoutTheOldMajority) {
  RaftCluster cluster(3, 1, joint_new_only);
  const JointSetup s = prepare_joint(cluster);
  ASSERT_NE(s.leader, kNoNode);
  cluster.crash(s.a);
  cluster.crash(s.b);
  const Result<Index> joint =
      cluster.node(s.leader).propose_conf_change(enter_joint({s.leader, s.n3, s.n4}));
  ASSERT_TRUE(joint.ok());
  cluster.tick_all(3);
  EXPECT_GE(cluster.node(s.leader).log().committed(), joint.value());
}

void no_auto_leave(RaftConfig& config) {
  config.joint_auto_leave = false;
}

TEST(RaftMembership, WithoutAutoLeaveTheJointConfigurationStaysUntilLeaveJoint) {
  RaftCluster cluster(3);
  const JointSetup s = prepare_joint(cluster);
  ASSERT_NE(s.leader, kNoNode);
  Raft& leader = cluster.node(s.leader);
  const Index joint =
      commit_change(cluster, s.leader, enter_joint({s.leader, s.n3, s.n4}, /*auto_leave=*/false));
  cluster.tick_all(5);
  EXPECT_TRUE(leader.membership().joint());
  EXPECT_EQ(leader.membership_index(), joint);
  EXPECT_EQ(leader.log().committed(), leader.log().last_index());
  EXPECT_EQ(leader.propose_conf_change(add_learner(9)).status().code(),
            StatusCode::failed_precondition);
  ConfChange leave;
  leave.type = ConfChangeType::leave_joint;
  commit_change(cluster, s.leader, leave);
  EXPECT_FALSE(leader.membership().joint());
  EXPECT_FALSE(leader.membership().is_voter(s.a));
}

// RaftConfig::joint_auto_leave only sets the bootstrap membership's flag; the change decides.
TEST(RaftMembership, TheChangeDecidesAutoLeave) {
  RaftCluster cluster(3, 1, no_auto_leave);
  const JointSetup s = prepare_joint(cluster);
  ASSERT_NE(s.leader, kNoNode);
  commit_change(cluster, s.leader, enter_joint({s.leader, s.n3, s.n4}, /*auto_leave=*/true));
  cluster.tick_all(3);
  EXPECT_FALSE(cluster.node(s.leader).membership().joint());
}

// ---------------------------------------------------------------------------------------------
// One change at a time; the 2015 own-term rule

TEST(RaftMembership, AChangeWhileAnotherIsUncommittedIsRefused) {
  RaftCluster cluster(3);
  const NodeId leader = settled_leader(cluster);
  ASSERT_NE(leader, kNoNode);
  const NodeId n3 = cluster.add_node();
  const NodeId n4 = cluster.add_node();
  auto [a, b] = followers_of(leader);
  cluster.crash(a);
  cluster.crash(b);
  ASSERT_TRUE(cluster.node(leader).propose_conf_change(add_learner(n3)).ok());
  cluster.tick_all(2);
  const Result<Index> second = cluster.node(leader).propose_conf_change(add_learner(n4));
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::failed_precondition);
  cluster.restart(a);
  cluster.restart(b);
  cluster.tick_all(kRecoveryTicks);
  EXPECT_TRUE(cluster.node(leader).propose_conf_change(add_learner(n4)).ok());
}

bool is_append_response(const Message& message) {
  return message.type == MessageType::append_response;
}

TEST(RaftMembership, ANewLeaderChangesNothingBeforeItsNoOpCommits) {
  RaftCluster cluster(3);
  cluster.drop_if(is_append_response);  // the no-op is replicated but never acknowledged
  const NodeId leader = cluster.elect();
  ASSERT_NE(leader, kNoNode);
  cluster.tick_all(2);
  Raft& raft = cluster.node(leader);
  ASSERT_EQ(raft.role(), Role::leader);
  ASSERT_LT(raft.log().committed(), raft.log().last_index());
  const Result<Index> early = raft.propose_conf_change(add_learner(cluster.add_node()));
  ASSERT_FALSE(early.ok());
  EXPECT_EQ(early.status().code(), StatusCode::unavailable) << early.status().to_string();
  EXPECT_TRUE(raft.propose(command("ordinary")).ok());  // plain commands are fine
  cluster.drop_if(nullptr);
  cluster.tick_all(12);
  ASSERT_EQ(raft.role(), Role::leader);
  ASSERT_EQ(raft.log().committed(), raft.log().last_index());
  EXPECT_TRUE(raft.propose_conf_change(add_learner(3)).ok());
}

void before_own_term(RaftConfig& config) {
  config.bugs.add(RaftBug::config_change_before_own_term_commit);
}

TEST(RaftMembershipBugs, ConfigChangeBeforeOwnTermCommitIsAccepted) {
  RaftCluster cluster(3, 1, before_own_term);
  cluster.drop_if(is_append_response);
  const NodeId leader = cluster.elect();
  ASSERT_NE(leader, kNoNode);
  cluster.tick_all(2);
  Raft& raft = cluster.node(leader);
  ASSERT_LT(raft.log().committed(), raft.log().last_index());
  EXPECT_TRUE(raft.propose_conf_change(add_learner(cluster.add_node())).ok());
}

// ---------------------------------------------------------------------------------------------
// Configurations in the log: in force when appended, reverted when truncated, restored on
// restart, carried by snapshots

TEST(RaftMembership, ATruncatedConfigurationEntryRevertsToThePreviousOne) {
  RaftCluster cluster(5);
  const NodeId leader = settled_leader(cluster);
  ASSERT_NE(leader, kNoNode);
  const NodeId a = (leader + 1) % 5;
  const NodeId removed = (leader + 2) % 5;
  const Membership original = cluster.node(a).membership();
  for (NodeId id = 0; id < 5; ++id) {
    if (id != a) cluster.cut(leader, id);  // only `a` hears of the change
  }
  const Result<Index> change = cluster.node(leader).propose_conf_change(remove_server(removed));
  ASSERT_TRUE(change.ok());
  cluster.settle();
  ASSERT_EQ(cluster.node(a).log().last_index(), change.value());
  EXPECT_FALSE(cluster.node(a).membership().is_voter(removed));  // in force when appended
  EXPECT_EQ(cluster.node(a).membership_index(), change.value());
  // Uncommitted, it survives a restart too.
  cluster.crash(a);
  cluster.restart(a);
  EXPECT_FALSE(cluster.node(a).membership().is_voter(removed));

  // The other three elect a leader whose no-op takes the index; `a` then truncates the change.
  cluster.heal();
  cluster.isolate(leader);
  cluster.isolate(a);
  const NodeId next = leader_other_than(cluster, leader, 500);
  ASSERT_NE(next, kNoNode);
  ASSERT_NE(next, a);
  cluster.heal();
  cluster.isolate(leader);
  cluster.tick_all(15);
  ASSERT_EQ(cluster.node(next).role(), Role::leader);
  EXPECT_EQ(cluster.node(a).log().last_index(), cluster.node(next).log().last_index());
  EXPECT_NE(cluster.node(a).log().at(change.value()).type, EntryType::config);
  EXPECT_EQ(cluster.node(a).membership(), original);
  EXPECT_EQ(cluster.node(a).membership_index(), 0u);
  EXPECT_EQ(cluster.node(a).quorum(), 3u);
}

TEST(RaftMembership, ARestartedServerUsesTheLatestConfigurationInItsLog) {
  RaftCluster cluster(3);
  const NodeId leader = settled_leader(cluster);
  ASSERT_NE(leader, kNoNode);
  const NodeId learner = cluster.add_node();
  commit_change(cluster, leader, add_learner(learner));
  const NodeId follower = (leader + 1) % 3;
  commit_change(cluster, leader, remove_server((leader + 2) % 3));
  cluster.tick_all(2);
  const Membership latest = cluster.node(leader).membership();
  for (NodeId id : {follower, learner}) {
    cluster.crash(id);
    cluster.restart(id);
    EXPECT_EQ(cluster.node(id).membership(), latest) << id;
    EXPECT_EQ(cluster.node(id).membership_index(), cluster.node(leader).membership_index());
  }
  cluster.crash(leader);
  cluster.restart(leader);
  EXPECT_EQ(cluster.node(leader).membership(), latest);
}

void compact_everything(RaftConfig& config) {
  config.entries_kept_after_snapshot = 0;
}

TEST(RaftMembership, ALearnerAddedAfterCompactionGetsTheMembershipInTheSnapshot) {
  RaftCluster cluster(3, 1, compact_everything);
  const NodeId leader = settled_leader(cluster);
  ASSERT_NE(leader, kNoNode);
  const NodeId learner = cluster.add_node();
  cluster.isolate(learner);
  commit_change(cluster, leader, add_learner(learner));
  for (int i = 0; i < 8; ++i) ASSERT_TRUE(cluster.node(leader).propose(command("x")).ok());
  cluster.tick_all(2);
  // The config entry is compacted into the snapshot on every voter.
  for (NodeId id = 0; id < 3; ++id) cluster.take_snapshot(id);
  ASSERT_GT(cluster.node(leader).log().snapshot_index(), cluster.node(leader).membership_index());
  ASSERT_FALSE(cluster.node(leader).snapshot().membership.empty());
  cluster.heal();
  cluster.tick_all(15);
  EXPECT_GE(cluster.snapshots_installed(), 1u);
  EXPECT_EQ(cluster.node(learner).membership(), cluster.node(leader).membership());
  EXPECT_TRUE(cluster.node(learner).membership().is_learner(learner));
  EXPECT_EQ(cluster.node(learner).log().last_index(), cluster.node(leader).log().last_index());
  EXPECT_EQ(cluster.applied()[learner].size(), cluster.node(leader).log().last_index());
  // Both keep it across a restart: the snapshot file carries it.
  for (NodeId id : {learner, leader}) {
    const Membership before = cluster.node(id).membership();
    cluster.crash(id);
    cluster.restart(id);
    EXPECT_EQ(cluster.node(id).membership(), before) << id;
  }
}

// A server added straight into C_new (no learner phase) holds entries from before any
// configuration it knows: it does not know the membership they were replicated under, so it may
// not snapshot there (its snapshot would claim its own empty bootstrap membership, which a peer
// cannot decode: that peer then ignored the leader's snapshot forever). Once it holds the
// configuration it snapshots, leads, and brings a lagging server up through its snapshot.
TEST(RaftMembership, AServerThatJoinedLaterSnapshotsOnlyWhereItKnowsTheMembership) {
  RaftCluster cluster(3, 1, compact_everything);
  const NodeId leader = settled_leader(cluster);
  ASSERT_NE(leader, kNoNode);
  auto [lagging, other] = followers_of(leader);
  cluster.crash(lagging);
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(cluster.node(leader).propose(command("x")).ok());
  cluster.tick_all(2);
  const NodeId joined = cluster.add_node();
  cluster.crash(other);  // C_old has no majority: the change stays uncommitted for now
  const Result<Index> joint =
      cluster.node(leader).propose_conf_change(enter_joint({leader, other, joined}));
  ASSERT_TRUE(joint.ok());
  cluster.tick_all(5);
  const Raft& n = cluster.node(joined);
  ASSERT_EQ(n.log().last_index(), joint.value());
  ASSERT_EQ(n.log().applied(), joint.value() - 1);
  EXPECT_FALSE(n.snapshot_possible_at(joint.value() - 1));
  EXPECT_TRUE(n.snapshot_possible_at(joint.value()));
  cluster.take_snapshot(joined);  // as a host would try: nothing happens
  EXPECT_EQ(n.snapshot().meta.index, 0u);

  cluster.restart(other);
  cluster.tick_all(kRecoveryTicks);
  ASSERT_EQ(cluster.node(leader).role(), Role::leader);
  ASSERT_FALSE(cluster.node(leader).membership().joint());
  ASSERT_EQ(cluster.node(leader).log().committed(), cluster.node(leader).log().last_index());
  for (NodeId id : {leader, other}) cluster.take_snapshot(id);
  ASSERT_TRUE(cluster.node(leader).transfer_leadership(joined).ok());
  cluster.settle();
  ASSERT_EQ(n.role(), Role::leader);
  // The lagging server (removed by the change) comes back as a learner of the new leader.
  cluster.restart(lagging);
  commit_change(cluster, joined, add_learner(lagging));
  cluster.tick_all(kRecoveryTicks);
  EXPECT_EQ(cluster.node(lagging).log().last_index(), n.log().last_index());
  EXPECT_EQ(cluster.node(lagging).membership(), n.membership());
}

// ---------------------------------------------------------------------------------------------
// Removing the leader; removed servers that keep campaigning (dissertation §4.2.2, §4.2.3)

TEST(RaftMembership, ARemovedLeaderManagesTheChangeThenHandsOver) {
  RaftCluster cluster(3);
  const NodeId leader = settled_leader(cluster);
  ASSERT_NE(leader, kNoNode);
  auto [a, b] = followers_of(leader);
  HeldMessages held(cluster, is_append_response);  // hold the commit of C_new
  const Result<Index> change = cluster.node(leader).propose_conf_change(remove_server(leader));
  ASSERT_TRUE(change.ok());
  cluster.tick_all(5);
  // It leads (and replicates) while C_new is uncommitted, without counting itself.
  EXPECT_EQ(cluster.node(leader).role(), Role::leader);
  EXPECT_LT(cluster.node(leader).log().committed(), change.value());
  EXPECT_EQ(cluster.node(a).log().last_index(), change.value());
  EXPECT_EQ(cluster.node(b).log().last_index(), change.value());
  EXPECT_EQ(cluster.node(leader).quorum(), 2u);
  ASSERT_GE(held.size(), 2u);
  const Term term = cluster.node(leader).term();

  // The acknowledgements arrive: C_new commits, the leader steps down and sends TimeoutNow;
  // without a single tick (an election timeout is 30) a voter of C_new leads.
  held.release();
  EXPECT_NE(cluster.node(leader).role(), Role::leader);
  const bool handed_over =
      cluster.node(a).role() == Role::leader || cluster.node(b).role() == Role::leader;
  ASSERT_TRUE(handed_over);
  const NodeId next = cluster.node(a).role() == Role::leader ? a : b;
  EXPECT_EQ(cluster.node(next).term(), term + 1);
  EXPECT_FALSE(cluster.node(next).membership().is_member(leader));
  ASSERT_TRUE(cluster.node(next).propose(command("after")).ok());
  cluster.tick_all(2);
  EXPECT_EQ(cluster.node(next).log().committed(), cluster.node(next).log().last_index());
  // The old leader, outside the membership, stays quiet.
  cluster.tick_all(200);
  EXPECT_EQ(cluster.node(leader).role(), Role::follower);
  EXPECT_EQ(cluster.node(next).role(), Role::leader);
}

// The leader removes itself and restarts before the change leaves it: its log is the most
// up-to-date, so the other voter (still under the old configuration, which needs both) cannot win
// without it. The removed leader must campaign under the committed configuration before, finish
// the change and hand over; before the fix neither server ever campaigned successfully.
TEST(RaftMembership, ALeaderThatRemovedItselfAndRestartedStillFinishesTheChange) {
  RaftCluster cluster(2);
  const NodeId leader = settled_leader(cluster);
  ASSERT_NE(leader, kNoNode);
  const NodeId other = 1 - leader;
  cluster.cut(leader, other);
  const Result<Index> change = cluster.node(leader).propose_conf_change(remove_server(leader));
  ASSERT_TRUE(change.ok());
  cluster.settle();
  ASSERT_LT(cluster.node(other).log().last_index(), change.value());
  cluster.crash(leader);
  cluster.restart(leader);
  cluster.heal();
  ASSERT_FALSE(cluster.node(leader).membership().is_voter(leader));
  EXPECT_EQ(leader_other_than(cluster, kNoNode, 1000), other);
  cluster.tick_all(kRecoveryTicks);
  EXPECT_EQ(cluster.node(other).role(), Role::leader);
  EXPECT_GE(cluster.node(other).log().committed(), change.value());
  EXPECT_EQ(cluster.node(other).quorum(), 1u);
  EXPECT_NE(cluster.node(leader).role(), Role::leader);
}

void removed_leader_keeps_leading(RaftConfig& config) {
  config.bugs.add(RaftBug::removed_leader_keeps_leading);
}

TEST(RaftMembershipBugs, RemovedLeaderKeepsLeading) {
  RaftCluster cluster(3, 1, removed_leader_keeps_leading);
  const NodeId leader = settled_leader(cluster);
  ASSERT_NE(leader, kNoNode);
  commit_change(cluster, leader, remove_server(leader));
  cluster.tick_all(3);
  EXPECT_EQ(cluster.node(leader).role(), Role::leader);
}

void no_pre_vote(RaftConfig& config) {
  config.pre_vote = false;
}

TEST(RaftMembership, ARemovedFollowerThatKeepsCampaigningDoesNotDeposeTheLeader) {
  RaftCluster cluster(3, 1, no_pre_vote);
  const NodeId leader = settled_leader(cluster);
  ASSERT_NE(leader, kNoNode);
  const NodeId removed = (leader + 1) % 3;
  cluster.cut(leader, removed);  // it never learns it was removed
  commit_change(cluster, leader, remove_server(removed));
  const Term term = cluster.node(leader).term();
  cluster.tick_all(400);  // several election timeouts: the removed server campaigns again and again
  EXPECT_GT(cluster.node(removed).term(), term + 2) << "the removed server did not campaign";
  EXPECT_EQ(cluster.node(leader).role(), Role::leader);
  EXPECT_EQ(cluster.node(leader).term(), term);
  ASSERT_TRUE(cluster.node(leader).propose(command("still here")).ok());
  cluster.tick_all(2);
  EXPECT_EQ(cluster.node(leader).log().committed(), cluster.node(leader).log().last_index());
}

// ---------------------------------------------------------------------------------------------
// Leadership transfer (dissertation §3.10)

TEST(RaftTransfer, ToAnUpToDateFollowerCompletesAtOnce) {
  RaftCluster cluster(3);
  const NodeId leader = settled_leader(cluster);
  ASSERT_NE(leader, kNoNode);
  const NodeId target = (leader + 1) % 3;
  const Term term = cluster.node(leader).term();
  const std::size_t sent = cluster.messages_sent();
  ASSERT_TRUE(cluster.node(leader).transfer_leadership(target).ok());
  EXPECT_EQ(cluster.node(leader).transfer_target(), target);
  const Result<Index> refused = cluster.node(leader).propose(command("during"));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::unavailable);
  EXPECT_EQ(cluster.node(leader).propose_conf_change(add_learner(7)).status().code(),
            StatusCode::unavailable);
  cluster.settle();  // no tick: TimeoutNow, then an election that skips PreVote
  EXPECT_EQ(cluster.node(target).role(), Role::leader);
  EXPECT_EQ(cluster.node(target).term(), term + 1);
  EXPECT_EQ(cluster.node(leader).role(), Role::follower);
  EXPECT_LE(cluster.messages_sent() - sent, 12u);  // TimeoutNow, votes, the new no-op round
}

bool is_append(const Message& message) {
  return message.type == MessageType::append;
}

TEST(RaftTransfer, ALaggingTargetIsCaughtUpFirst) {
  RaftCluster cluster(3);
  const NodeId leader = settled_leader(cluster);
  ASSERT_NE(leader, kNoNode);
  const NodeId target = (leader + 1) % 3;
  const Index last = [&] {
    HeldMessages held(cluster, is_append);  // appends are slow: the target falls behind
    for (int i = 0; i < 5; ++i) EXPECT_TRUE(cluster.node(leader).propose(command("x")).ok());
    cluster.settle();
    EXPECT_LT(cluster.node(target).log().last_index(), cluster.node(leader).log().last_index());
    // Not up to date: no TimeoutNow yet, the leader sends what the target lacks first.
    EXPECT_TRUE(cluster.node(leader).transfer_leadership(target).ok());
    cluster.settle();
    EXPECT_EQ(cluster.node(leader).role(), Role::leader);
    EXPECT_EQ(cluster.node(target).role(), Role::follower);
    held.release();
    return cluster.node(leader).log().last_index();
  }();
  EXPECT_EQ(cluster.node(target).role(), Role::leader);
  EXPECT_GE(cluster.node(target).log().committed(), last);
}

// The target missed appends (lost, not slow): the leader notices and resends them soon enough
// for the transfer to complete within its election timeout.
TEST(RaftTransfer, ATargetThatLostAppendsIsCaughtUpWithinTheTransfer) {
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    RaftCluster cluster(3, seed);
    const NodeId leader = settled_leader(cluster);
    ASSERT_NE(leader, kNoNode);
    const NodeId target = (leader + 1) % 3;
    cluster.cut(leader, target);
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(cluster.node(leader).propose(command("x")).ok());
    cluster.tick_all(2);
    const Index last = cluster.node(leader).log().last_index();
    ASSERT_LT(cluster.node(target).log().last_index(), last);
    cluster.heal();
    ASSERT_TRUE(cluster.node(leader).transfer_leadership(target).ok());
    const int timeout = static_cast<int>(cluster.node(leader).config().election_timeout_ticks_min);
    EXPECT_EQ(leader_other_than(cluster, leader, timeout - 1), target) << "seed " << seed;
    EXPECT_GE(cluster.node(target).log().committed(), last) << "seed " << seed;
  }
}

TEST(RaftTransfer, ToAnUnreachableTargetAbortsAfterAnElectionTimeout) {
  RaftCluster cluster(3);
  const NodeId leader = settled_leader(cluster);
  ASSERT_NE(leader, kNoNode);
  const NodeId target = (leader + 1) % 3;
  cluster.isolate(target);
  ASSERT_TRUE(cluster.node(leader).transfer_leadership(target).ok());
  cluster.tick_all(static_cast<int>(cluster.node(leader).config().election_timeout_ticks_min) - 2);
  EXPECT_EQ(cluster.node(leader).transfer_target(), target);
  EXPECT_FALSE(cluster.node(leader).propose(command("waiting")).ok());
  cluster.tick_all(4);
  EXPECT_EQ(cluster.node(leader).role(), Role::leader);
  EXPECT_EQ(cluster.node(leader).transfer_target(), kNoNode);
  ASSERT_TRUE(cluster.node(leader).propose(command("resumed")).ok());
  cluster.tick_all(2);
  EXPECT_EQ(cluster.node(leader).log().committed(), cluster.node(leader).log().last_index());
}

TEST(RaftTransfer, OnlyToAVoterThatMayLead) {
  RaftCluster cluster(3);
  const NodeId leader = settled_leader(cluster);
  ASSERT_NE(leader, kNoNode);
  const NodeId learner = cluster.add_node();
  const NodeId witness = cluster.add_node();
  commit_change(cluster, leader, add_learner(learner));
  commit_change(cluster, leader, add_witness(witness));
  for (NodeId target : {learner, witness, leader, NodeId{9}}) {
    EXPECT_EQ(cluster.node(leader).transfer_leadership(target).code(),
              StatusCode::failed_precondition)
        << target;
  }
  EXPECT_EQ(cluster.node(leader).transfer_target(), kNoNode);
  EXPECT_TRUE(cluster.node(leader).propose(command("fine")).ok());
}

// ---------------------------------------------------------------------------------------------
// Witnesses

TEST(RaftMembership, AWitnessVotesAndCountsButKeepsNoPayloadsAndNeverCampaigns) {
  RaftCluster cluster(2);
  const NodeId leader = settled_leader(cluster);
  ASSERT_NE(leader, kNoNode);
  const NodeId data = 1 - leader;
  const NodeId witness = cluster.add_node();
  commit_change(cluster, leader, add_witness(witness));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(cluster.node(leader).propose(command("payload")).ok());
  cluster.tick_all(2);
  const Raft& w = cluster.node(witness);
  ASSERT_EQ(w.log().last_index(), cluster.node(leader).log().last_index());
  EXPECT_TRUE(w.membership().is_witness(witness));
  std::size_t normal = 0;
  for (Index index = w.log().first_index(); index <= w.log().last_index(); ++index) {
    const Entry& entry = w.log().at(index);
    EXPECT_EQ(entry.term, cluster.node(leader).log().at(index).term);
    if (entry.type == EntryType::normal) {
      ++normal;
      EXPECT_TRUE(entry.data.empty()) << "payload at " << index;
    }
    if (entry.type == EntryType::config) {
      EXPECT_FALSE(entry.data.empty());
    }
  }
  EXPECT_EQ(normal, 3u);

  // Counts towards commit: the other data server is down.
  cluster.crash(data);
  ASSERT_TRUE(cluster.node(leader).propose(command("with the witness")).ok());
  cluster.tick_all(2);
  EXPECT_EQ(cluster.node(leader).log().committed(), cluster.node(leader).log().last_index());

  // Votes: the leader goes, the data server comes back and wins with the witness's vote.
  cluster.restart(data);
  cluster.tick_all(kRecoveryTicks);  // it catches up (else the witness refuses it its vote)
  ASSERT_EQ(cluster.node(data).log().last_index(), cluster.node(leader).log().last_index());
  cluster.crash(leader);
  const NodeId next = leader_other_than(cluster, leader, 500);
  EXPECT_EQ(next, data);

  // Never campaigns, whoever is down.
  cluster.crash(data);
  const Term term = w.term();
  cluster.tick_all(500);
  EXPECT_EQ(w.role(), Role::follower);
  EXPECT_EQ(w.term(), term);
}

// ---------------------------------------------------------------------------------------------
// Learners counted in quorum (catalogue bug)

void learner_counted(RaftConfig& config) {
  config.bugs.add(RaftBug::learner_counted_in_quorum);
}

// Leader + two learners, both other voters down: 3 of 5 "members", 1 of 3 voters.
bool commits_with_learners_only(RaftCluster& cluster) {
  const NodeId leader = settled_leader(cluster);
  if (leader == kNoNode) return false;
  const NodeId l1 = cluster.add_node();
  const NodeId l2 = cluster.add_node();
  commit_change(cluster, leader, add_learner(l1));
  commit_change(cluster, leader, add_learner(l2));
  auto [a, b] = followers_of(leader);
  cluster.crash(a);
  cluster.crash(b);
  const Result<Index> index = cluster.node(leader).propose(command("learners only"));
  EXPECT_TRUE(index.ok());
  cluster.tick_all(3);
  EXPECT_EQ(cluster.node(l1).log().last_index(), index.value());
  return cluster.node(leader).log().committed() >= index.value();
}

TEST(RaftMembership, LearnersNeverCountTowardsCommit) {
  RaftCluster cluster(3);
  EXPECT_FALSE(commits_with_learners_only(cluster));
}

TEST(RaftMembershipBugs, LearnerCountedInQuorumCommitsWithLearnersOnly) {
  RaftCluster cluster(3, 1, learner_counted);
  EXPECT_TRUE(commits_with_learners_only(cluster));
}

// ---------------------------------------------------------------------------------------------
// Randomized: membership changes of every kind among faults. The harness checks election safety,
// agreement on committed entries and leader completeness after every message; here every node's
// configurations must follow each other by legal steps.
void describe_nodes(RaftCluster& cluster) {
  for (NodeId id = 0; id < cluster.size(); ++id) {
    const Raft& r = cluster.node(id);
    std::cerr << "node " << id << " " << role_name(r.role()) << " term " << r.term() << " log "
              << r.log().first_index() << ".." << r.log().last_index() << "/t"
              << r.log().last_term() << " committed " << r.log().committed() << " snapshot "
              << r.snapshot().meta.index << " configuration " << r.membership_index() << " ["
              << r.membership().describe() << "]\n";
  }
}

void compact_often(RaftConfig& config) {
  config.entries_kept_after_snapshot = 4;
}

// `snapshots`: nodes also take snapshots (compacting all but 4 entries), so configurations move
// into snapshots and new or lagging servers catch up through them.
void random_membership_run(std::uint64_t seed, bool snapshots) {
  RaftCluster cluster(3, seed, snapshots ? compact_often : nullptr);
  std::uint64_t state = seed;
  auto draw = [&state](std::uint64_t bound) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (state >> 33) % bound;
  };
  constexpr std::uint32_t kNodesMax = 6;
  std::array<int, 6> accepted{};  // changes accepted, by ConfChangeType
  for (int step = 0; step < 300; ++step) {
    const auto node = static_cast<NodeId>(draw(cluster.size()));
    NodeId leader = kNoNode;
    for (NodeId id = 0; id < cluster.size(); ++id) {
      if (cluster.node(id).role() == Role::leader) leader = id;
    }
    switch (draw(14)) {
      case 0:
        cluster.isolate(node);
        break;
      case 1:
      case 2:
        cluster.heal();
        break;
      case 3:
        cluster.crash(node);
        break;
      case 4:
        cluster.restart(node);
        break;
      case 5:
        if (cluster.size() < kNodesMax) cluster.add_node();
        break;
      case 6:
      case 7:
      case 8:
        if (leader != kNoNode) {
          ConfChange change;
          change.type = static_cast<ConfChangeType>(draw(6));
          change.node = node;
          change.auto_leave = draw(4) != 0;
          for (NodeId id = 0; id < cluster.size(); ++id) {
            if (draw(2) == 0) change.voters.push_back(id);
          }
          if (cluster.node(leader).propose_conf_change(change).ok()) {
            ++accepted[static_cast<std::size_t>(change.type)];
          }
        }
        break;
      case 9:
        if (leader != kNoNode) (void)cluster.node(leader).transfer_leadership(node);
        break;
      case 10:
        // Not on a (former) witness: it keeps no state machine to snapshot.
        if (snapshots && cluster.node(node).log().applied() > 0 &&
            cluster.applied()[node].size() == cluster.node(node).log().applied()) {
          cluster.take_snapshot(node);
        }
        break;
      default:
        if (leader != kNoNode) (void)cluster.node(leader).propose(command("v"));
    }
    cluster.tick_all(static_cast<int>(draw(20)));
    if (::testing::Test::HasFailure()) RC_FAIL("invariant violated (see above)");
    for (NodeId id = 0; id < cluster.size(); ++id) {
      const Raft& raft = cluster.node(id);
      // Every pair of consecutive configurations in a log is a legal step.
      const Membership* previous = nullptr;
      Membership previous_value;
      for (Index index = raft.log().first_index(); index <= raft.log().last_index(); ++index) {
        const Entry& entry = raft.log().at(index);
        if (entry.type != EntryType::config) continue;
        const Membership next = raft.membership_at(index);
        if (previous != nullptr) {
          RC_ASSERT(illegal_step(*previous, next) == "");
        }
        previous_value = next;
        previous = &previous_value;
      }
    }
  }
  RC_TAG(accepted[0] > 0, accepted[1] > 0, accepted[2] > 0, accepted[3] > 0, accepted[4] > 0);
  // Liveness once everything is healed and up: a leader, and a new entry committed by it.
  cluster.heal();
  for (NodeId id = 0; id < cluster.size(); ++id) cluster.restart(id);
  NodeId leader = kNoNode;
  for (int tick = 0; tick < 3000 && leader == kNoNode; ++tick) {
    cluster.tick_all();
    for (NodeId id = 0; id < cluster.size(); ++id) {
      if (cluster.node(id).role() == Role::leader) leader = id;
    }
  }
  if (leader == kNoNode) describe_nodes(cluster);  // say why
  RC_ASSERT(leader != kNoNode);
  const Result<Index> final_entry = cluster.node(leader).propose(command("final"));
  RC_ASSERT(final_entry.ok());
  cluster.tick_all(kRecoveryTicks);
  if (cluster.node(leader).log().committed() < final_entry.value()) describe_nodes(cluster);
  RC_ASSERT(cluster.node(leader).log().committed() >= final_entry.value());
}

RC_GTEST_PROP(RaftMembershipProperty, SafetyHoldsThroughRandomMembershipChanges, ()) {
  random_membership_run(*rc::gen::arbitrary<std::uint64_t>(), /*snapshots=*/false);
}

RC_GTEST_PROP(RaftMembershipProperty, SafetyHoldsThroughRandomChangesAndSnapshots, ()) {
  random_membership_run(*rc::gen::arbitrary<std::uint64_t>(), /*snapshots=*/true);
}

// A new voter the quorum needs (a single server adding a witness): the leader must send it the
// log without waiting for a new proposal, or the change never commits.
TEST(RaftMembership, ANewServerTheQuorumNeedsGetsTheLogWithoutFurtherProposals) {
  RaftCluster cluster(1);
  const NodeId leader = settled_leader(cluster);
  ASSERT_EQ(leader, 0u);
  const NodeId witness = cluster.add_node();
  const Result<Index> change = cluster.node(leader).propose_conf_change(add_witness(witness));
  ASSERT_TRUE(change.ok());
  EXPECT_EQ(cluster.node(leader).quorum(), 2u);
  cluster.tick_all(15);  // a heartbeat round at most
  EXPECT_EQ(cluster.node(witness).log().last_index(), change.value());
  EXPECT_GE(cluster.node(leader).log().committed(), change.value());
}

// Payloads are stripped only from entries after the configuration that made the server a
// witness: a witness joining a long log (several appends) holds that configuration before any
// entry without payload, and a truncated configuration takes the stripped entries with it.
TEST(RaftMembership, AWitnessGetsPayloadsBeforeItsConfigurationAndNoneAfter) {
  RaftCluster cluster(2);
  const NodeId leader = settled_leader(cluster);
  ASSERT_NE(leader, kNoNode);
  const std::size_t per_message = cluster.node(leader).config().entries_per_message_max;
  for (std::size_t i = 0; i < 2 * per_message; ++i) {
    ASSERT_TRUE(cluster.node(leader).propose(command("before")).ok());
  }
  cluster.tick_all(2);
  const NodeId witness = cluster.add_node();
  const Index change = commit_change(cluster, leader, add_witness(witness));
  ASSERT_TRUE(cluster.node(leader).propose(command("after")).ok());
  cluster.tick_all(kRecoveryTicks);
  const Raft& w = cluster.node(witness);
  ASSERT_EQ(w.log().last_index(), cluster.node(leader).log().last_index());
  for (Index index = 1; index <= w.log().last_index(); ++index) {
    const Entry& entry = w.log().at(index);
    if (index < change) {
      EXPECT_EQ(entry, cluster.node(leader).log().at(index)) << index;
    } else if (entry.type == EntryType::normal) {
      EXPECT_TRUE(entry.data.empty()) << index;
    }
  }
}

// A witness's log holds entries without payloads that match the leader's by term and index:
// appends would never repair them, so once removed it may not come back under its id (it would
// be promoted, then lead with commands it never had). A new id joins as usual.
TEST(RaftMembership, ARemovedWitnessMayNotRejoinUnderItsId) {
  RaftCluster cluster(2);
  const NodeId leader = settled_leader(cluster);
  ASSERT_NE(leader, kNoNode);
  const NodeId witness = cluster.add_node();
  commit_change(cluster, leader, add_witness(witness));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(cluster.node(leader).propose(command("payload")).ok());
  cluster.tick_all(2);
  commit_change(cluster, leader, remove_server(witness));
  const Result<Index> back = cluster.node(leader).propose_conf_change(add_learner(witness));
  ASSERT_FALSE(back.ok());
  EXPECT_EQ(back.status().code(), StatusCode::failed_precondition);
  EXPECT_EQ(cluster.node(leader).propose_conf_change(enter_joint({0, 1, witness})).status().code(),
            StatusCode::failed_precondition);
  const NodeId fresh = cluster.add_node();
  commit_change(cluster, leader, add_learner(fresh));
  cluster.tick_all(kRecoveryTicks);
  const Raft& joined = cluster.node(fresh);
  for (Index index = 1; index <= cluster.node(leader).log().committed(); ++index) {
    EXPECT_EQ(joined.log().at(index), cluster.node(leader).log().at(index)) << index;
  }
}

}  // namespace
}  // namespace raftsim

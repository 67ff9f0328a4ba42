// Raft core tests, driven message by message without the simulator. Each cites the rule of the
// Raft paper (Ongaro & Ousterhout 2014) or thesis (Ongaro 2014) it checks.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "raft/base/shared_bytes.h"
#include "raft/core/codec.h"
#include "raft/node/sessions.h"
#include "tests/raft_cluster.h"

namespace raftsim {
namespace {

using testing::command;
using testing::RaftCluster;

Message make_message(MessageType type, NodeId from, NodeId to, Term term) {
  Message message;
  message.type = type;
  message.from = from;
  message.to = to;
  message.term = term;
  return message;
}

int count_leaders(RaftCluster& cluster) {
  int leaders = 0;
  for (NodeId id = 0; id < cluster.size(); ++id) leaders += cluster.node(id).role() == Role::leader;
  return leaders;
}

// Appends lost in replicate state (here: sent while the follower was down) are noticed without
// new work: the follower answers heartbeats but never acknowledges them, so the leader probes.
TEST(RaftLiveness, IdleLeaderResendsAppendsARestartedFollowerMissed) {
  for (std::uint64_t seed = 1; seed <= 10; ++seed) {
    RaftCluster cluster(3, seed);
    const NodeId leader = cluster.elect();
    ASSERT_NE(leader, kNoNode);
    cluster.tick_all(5);
    const NodeId follower = leader == 0 ? 1 : 0;
    cluster.crash(follower);
    for (int i = 0; i < 5; ++i) {
      ASSERT_TRUE(cluster.node(leader).propose(command("x" + std::to_string(i))).ok());
    }
    cluster.tick_all(2);
    const Index last = cluster.node(leader).log().last_index();
    ASSERT_EQ(cluster.node(leader).log().committed(), last);
    cluster.restart(follower);
    cluster.tick_all(40);  // about ten heartbeat rounds, no proposals
    EXPECT_EQ(cluster.node(follower).log().last_index(), last) << "seed " << seed;
    EXPECT_EQ(cluster.node(follower).log().committed(), last) << "seed " << seed;
  }
}

// §5.2: "If a follower receives no communication over a period of time called the election
// timeout, then it ... begins an election"; one candidate wins with votes from a majority.
TEST(RaftPaper, InitialElectionElectsExactlyOneLeader) {
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    RaftCluster cluster(3, seed);
    const NodeId leader = cluster.elect();
    ASSERT_NE(leader, kNoNode);
    cluster.tick_all(20);
    EXPECT_EQ(count_leaders(cluster), 1);
    for (NodeId id = 0; id < 3; ++id) {
      EXPECT_EQ(cluster.node(id).term(), cluster.node(leader).term()) << "seed " << seed;
      EXPECT_EQ(cluster.node(id).leader(), leader);
    }
  }
}

// §5.3: entries committed on the leader reach and are applied by every follower, in order.
TEST(RaftPaper, ReplicatesAndAppliesInOrder) {
  RaftCluster cluster(5);
  const NodeId leader = cluster.elect();
  for (int i = 0; i < 20; ++i)
    ASSERT_TRUE(cluster.node(leader).propose(command("x" + std::to_string(i))).ok());
  cluster.tick_all(30);
  for (NodeId id = 0; id < 5; ++id) {
    std::vector<std::string> applied;
    for (const Entry& entry : cluster.applied()[id]) {
      if (entry.type == EntryType::normal)
        applied.emplace_back(entry.data.begin(), entry.data.end());
    }
    ASSERT_EQ(applied.size(), 20u) << "node " << id;
    for (int i = 0; i < 20; ++i) EXPECT_EQ(applied[i], "x" + std::to_string(i));
  }
}

// §8: a new leader commits a no-op at the start of its term.
TEST(RaftPaper, NewLeaderCommitsANoop) {
  RaftCluster cluster(3);
  const NodeId leader = cluster.elect();
  cluster.tick_all(5);
  const RaftLog& log = cluster.node(leader).log();
  ASSERT_GE(log.committed(), 1u);
  EXPECT_EQ(log.at(log.committed()).type, EntryType::noop);
  EXPECT_EQ(log.at(log.committed()).term, cluster.node(leader).term());
}

// §5.4.2 / Figure 8: "Raft never commits log entries from previous terms by counting replicas."
TEST(RaftPaper, LeaderDoesNotCommitOldTermEntriesByCounting) {
  RaftConfig config;
  config.id = 0;
  config.voters = {0, 1, 2};
  // Node 0 has an uncommitted entry from term 2 and is now in term 3.
  Raft raft(config, HardState{3, kNoNode},
            {Entry{1, 1, EntryType::normal, {}}, Entry{2, 2, EntryType::normal, {}}});
  for (int i = 0; i < 200 && raft.role() != Role::pre_candidate; ++i) raft.tick();
  ASSERT_EQ(raft.role(), Role::pre_candidate);
  Ready ready = raft.ready();
  raft.advance(ready);
  raft.step(make_message(MessageType::pre_vote_response, 1, 0, 4));
  raft.advance(raft.ready());
  raft.step(make_message(MessageType::vote_response, 1, 0, 4));
  ASSERT_EQ(raft.role(), Role::leader);
  ASSERT_EQ(raft.log().last_index(), 3u);  // the no-op of term 4
  raft.advance(raft.ready());
  // Follower 1 acknowledges up to index 2 (the term-2 entry): a majority holds it, yet it must
  // not be committed, because it is not from the current term.
  Message ack = make_message(MessageType::append_response, 1, 0, 4);
  ack.log_index = 2;
  raft.step(ack);
  EXPECT_EQ(raft.log().committed(), 0u);
  ack.log_index = 3;  // now the current term's no-op is on a majority: everything commits
  raft.step(ack);
  EXPECT_EQ(raft.log().committed(), 3u);
}

// §5.2/§5.4.1: a node votes at most once per term, and only for a candidate whose log is at
// least as up to date; the vote survives a restart (it is persisted before the grant is sent).
TEST(RaftPaper, VotesOncePerTermEvenAcrossRestart) {
  RaftConfig config;
  config.id = 0;
  config.voters = {0, 1, 2};
  config.check_quorum = false;
  Raft raft(config, HardState{}, {});
  Message request = make_message(MessageType::vote_request, 1, 0, 5);
  raft.step(request);
  Ready ready = raft.ready();
  ASSERT_TRUE(ready.hard_state.has_value());
  EXPECT_EQ(ready.hard_state->vote, 1u);
  ASSERT_EQ(ready.messages.size(), 1u);
  EXPECT_FALSE(ready.messages[0].reject);
  // "Restart" from the persisted hard state: a second candidate in term 5 is refused.
  Raft restarted(config, *ready.hard_state, {});
  restarted.step(make_message(MessageType::vote_request, 2, 0, 5));
  Ready second = restarted.ready();
  ASSERT_EQ(second.messages.size(), 1u);
  EXPECT_TRUE(second.messages[0].reject);
}

TEST(RaftPaper, RefusesVoteForStaleLog) {
  RaftConfig config;
  config.id = 0;
  config.voters = {0, 1, 2};
  config.check_quorum = false;
  Raft raft(config, HardState{2, kNoNode}, {Entry{2, 1, EntryType::normal, {}}});
  Message request = make_message(MessageType::vote_request, 1, 0, 3);
  request.log_index = 5;
  request.log_term = 1;  // longer but older log
  raft.step(request);
  Ready ready = raft.ready();
  ASSERT_EQ(ready.messages.size(), 1u);
  EXPECT_TRUE(ready.messages[0].reject);
  EXPECT_EQ(raft.term(), 3u);  // the term still advanced
}

// §5.2: a follower campaigns once its election timeout passes without hearing from a leader or
// granting a vote. Vote requests it refuses do not restart the timer, even though their higher
// term is adopted: a stale candidate whose (drifted) clock campaigns more often than our
// shortest timeout must not keep us from campaigning for ever.
TEST(RaftPaper, RefusedVoteRequestsDoNotRestartTheElectionTimer) {
  RaftConfig config;
  config.id = 0;
  config.voters = {0, 1, 2};
  config.pre_vote = false;
  config.check_quorum = false;
  config.election_timeout_ticks_min = 10;
  config.election_timeout_ticks_max = 12;
  config.heartbeat_ticks = 2;
  Raft raft(config, HardState{2, kNoNode}, {Entry{2, 1, EntryType::normal, {}}});
  Term stale_term = 2;
  bool campaigned = false;
  for (int tick = 1; tick <= 4 * 12 && !campaigned; ++tick) {
    if (tick % 7 == 0) {  // more often than the shortest timeout
      Message request = make_message(MessageType::vote_request, 1, 0, ++stale_term);
      request.log_index = 1;
      request.log_term = 1;  // older than ours: refused
      raft.step(request);
      Ready refused = raft.ready();
      ASSERT_EQ(refused.messages.size(), 1u);
      ASSERT_TRUE(refused.messages[0].reject);
    }
    raft.tick();
    campaigned = raft.role() == Role::candidate;
  }
  EXPECT_TRUE(campaigned) << "the stale candidate's requests kept the follower from campaigning";
  EXPECT_GT(raft.term(), stale_term);
}

// Thesis §9.6 (PreVote): a partitioned node does not inflate its term, and on rejoining it does
// not depose the leader.
TEST(RaftThesis, PreVoteKeepsAnIsolatedNodeFromDisruptingTheCluster) {
  RaftCluster cluster(3, 4);
  const NodeId leader = cluster.elect();
  const Term term = cluster.node(leader).term();
  const NodeId outsider = (leader + 1) % 3;
  cluster.isolate(outsider);
  cluster.tick_all(500);
  EXPECT_EQ(cluster.node(outsider).term(), term);
  cluster.heal();
  cluster.tick_all(100);
  EXPECT_EQ(cluster.node(leader).role(), Role::leader);
  EXPECT_EQ(cluster.node(leader).term(), term);
}

// Thesis §6.2 (CheckQuorum): a leader cut off from a majority steps down within an election
// timeout, so it stops acting as leader.
TEST(RaftThesis, CheckQuorumMakesAnIsolatedLeaderStepDown) {
  RaftCluster cluster(5, 2);
  const NodeId leader = cluster.elect();
  cluster.isolate(leader);
  cluster.tick_all(2 * 30 + 1);
  EXPECT_NE(cluster.node(leader).role(), Role::leader);
  cluster.heal();
  cluster.tick_all(200);
  EXPECT_EQ(count_leaders(cluster), 1);
}

// §5.3 (end): with conflict hints, a leader backs up a term at a time rather than an entry.
TEST(RaftPaper, FastBacktrackingSkipsWholeTerms) {
  RaftCluster cluster(3, 6);
  NodeId leader = cluster.elect();
  // Let a partitioned old leader accumulate 100 uncommitted entries of its term.
  cluster.isolate(leader);
  for (int i = 0; i < 100; ++i) (void)cluster.node(leader).propose(command("lost"));
  cluster.tick_all(1);
  const NodeId old_leader = leader;
  cluster.tick_all(200);
  // The majority elects a new leader and commits 100 entries of its own.
  leader = kNoNode;
  for (NodeId id = 0; id < 3; ++id) {
    if (id != old_leader && cluster.node(id).role() == Role::leader) leader = id;
  }
  ASSERT_NE(leader, kNoNode);
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(cluster.node(leader).propose(command("kept")).ok());
  cluster.tick_all(5);
  const std::size_t before = cluster.messages_sent();
  cluster.heal();
  cluster.tick_all(40);
  EXPECT_EQ(cluster.node(old_leader).log().last_index(), cluster.node(leader).log().last_index());
  EXPECT_EQ(cluster.node(old_leader).log().at(cluster.node(leader).log().last_index()),
            cluster.node(leader).log().at(cluster.node(leader).log().last_index()));
  // Entry-by-entry backtracking would need ~100 rejected appends; term hints need a handful.
  EXPECT_LT(cluster.messages_sent() - before, 200u);
}

// Thesis §6.4: ReadIndex confirms leadership with a heartbeat round before serving.
TEST(RaftThesis, ReadIndexNeedsAHeartbeatRound) {
  RaftCluster cluster(3, 8);
  const NodeId leader = cluster.elect();
  cluster.tick_all(5);
  ASSERT_TRUE(cluster.node(leader).read_index(42).ok());
  // Before any message is delivered, nothing is confirmed.
  cluster.process_ready(leader);
  EXPECT_TRUE(cluster.read_states()[leader].empty());
  cluster.settle();
  ASSERT_EQ(cluster.read_states()[leader].size(), 1u);
  EXPECT_EQ(cluster.read_states()[leader][0].request_id, 42u);
  EXPECT_EQ(cluster.read_states()[leader][0].read_index, cluster.node(leader).log().committed());
  const NodeId follower = (leader + 1) % 3;
  EXPECT_EQ(cluster.node(follower).read_index(7).code(), StatusCode::unavailable);
}

// The pending-read limit is exact: pending_reads_max reads wait, the next is refused with
// no_space (not queued), and a confirmed round frees the room again.
TEST(RaftThesis, ReadIndexRefusesTheReadBeyondThePendingLimit) {
  RaftCluster cluster(3, 8, [](RaftConfig& config) { config.pending_reads_max = 3; });
  const NodeId leader = cluster.elect();
  cluster.tick_all(5);
  for (std::uint64_t id = 1; id <= 3; ++id) {
    ASSERT_TRUE(cluster.node(leader).read_index(id).ok()) << id;
  }
  EXPECT_EQ(cluster.node(leader).read_index(4).code(), StatusCode::no_space);
  cluster.settle();
  EXPECT_EQ(cluster.read_states()[leader].size(), 3u);
  EXPECT_TRUE(cluster.node(leader).read_index(5).ok());
}

TEST(RaftThesis, ReadIndexFromAMinorityNeverCompletes) {
  RaftCluster cluster(3, 9);
  const NodeId leader = cluster.elect();
  cluster.tick_all(5);
  cluster.isolate(leader);
  ASSERT_TRUE(cluster.node(leader).read_index(1).ok());
  cluster.tick_all(20);
  EXPECT_TRUE(cluster.read_states()[leader].empty());
}

// Random partitions, crashes and restarts; the harness checks election safety, state machine
// safety and leader completeness after every delivered message.
RC_GTEST_PROP(RaftProperty, SafetyUnderRandomFaults, ()) {
  const auto seed = *rc::gen::arbitrary<std::uint64_t>();
  const auto size = *rc::gen::element<std::uint32_t>(3, 5);
  RaftCluster cluster(size, seed);
  std::uint64_t state = seed;
  auto draw = [&state](std::uint64_t bound) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (state >> 33) % bound;
  };
  for (int step = 0; step < 300; ++step) {
    const auto node = static_cast<NodeId>(draw(size));
    switch (draw(10)) {
      case 0:
        cluster.isolate(node);
        break;
      case 1:
        cluster.heal();
        break;
      case 2:
        cluster.crash(node);
        break;
      case 3:
        cluster.restart(node);
        break;
      case 4:
        cluster.cut(node, static_cast<NodeId>(draw(size)));
        break;
      default:
        for (NodeId id = 0; id < size; ++id) {
          if (cluster.node(id).role() == Role::leader) (void)cluster.node(id).propose(command("v"));
        }
    }
    cluster.tick_all(static_cast<int>(draw(20)));
    if (::testing::Test::HasFailure()) RC_FAIL("invariant violated (see above)");
  }
  // Liveness once everything is healed and up: a leader, and all committed entries applied.
  cluster.heal();
  for (NodeId id = 0; id < size; ++id) cluster.restart(id);
  const NodeId leader = cluster.elect(2000);
  RC_ASSERT(leader != kNoNode);
  RC_ASSERT(cluster.node(leader).propose(command("final")).ok());
  cluster.tick_all(50);
  for (NodeId id = 0; id < size; ++id) {
    RC_ASSERT(cluster.node(id).log().committed() == cluster.node(leader).log().last_index());
  }
}

RC_GTEST_PROP(RaftCodec, RoundTrips,
              (std::uint8_t type, std::uint32_t from, std::uint64_t term, std::uint64_t index,
               bool reject, std::vector<std::vector<std::uint8_t>> payloads)) {
  Message message;
  message.type = static_cast<MessageType>(type % 8);
  message.from = from;
  message.to = from + 1;
  message.term = term;
  message.log_index = index;
  message.reject = reject;
  message.context = term ^ index;
  Index next = index;
  for (auto& payload : payloads)
    message.entries.push_back(Entry{term, ++next, EntryType::normal, payload});
  const auto bytes = encode_message(message);
  auto decoded = decode_message(bytes);
  RC_ASSERT(decoded.ok());
  RC_ASSERT(decoded.value() == message);
}

RC_GTEST_PROP(RaftCodec, GarbageIsRejectedNotCrashed, (std::vector<std::uint8_t> bytes)) {
  auto decoded = decode_message(bytes);
  if (!decoded.ok()) RC_ASSERT(decoded.status().code() == StatusCode::corruption);
}

TEST(RaftCodec, TruncationIsReportedWithOffset) {
  Message message;
  message.type = MessageType::append;
  message.entries.push_back(Entry{1, 1, EntryType::normal, command("hello")});
  auto bytes = encode_message(message);
  bytes.pop_back();
  auto decoded = decode_message(bytes);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.status().message().find("at byte"), std::string::npos);
}

}  // namespace
}  // namespace raftsim

namespace raftsim {
namespace {

void enable_lease_reads(RaftConfig& config) {
  config.lease_read = true;
}

// Lease reads (thesis §6.4.1): served at once while a quorum answered a recent heartbeat.
TEST(RaftThesis, LeaseReadIsServedWithoutAHeartbeatRound) {
  testing::RaftCluster cluster(3, 11, enable_lease_reads);
  const NodeId leader = cluster.elect();
  cluster.tick_all(15);  // at least one heartbeat round answered
  ASSERT_TRUE(cluster.node(leader).read_index(5).ok());
  cluster.process_ready(leader);  // nothing delivered
  ASSERT_EQ(cluster.read_states()[leader].size(), 1u);
  EXPECT_EQ(cluster.read_states()[leader][0].request_id, 5u);
}

TEST(RaftThesis, LeaseRunsOutWhenTheLeaderIsCutOff) {
  testing::RaftCluster cluster(3, 12, enable_lease_reads);
  const NodeId leader = cluster.elect();
  cluster.tick_all(15);
  cluster.isolate(leader);
  cluster.tick_all(29);  // past the lease (election_timeout_ticks_min - 1 ticks)
  if (cluster.node(leader).role() == Role::leader) {
    ASSERT_TRUE(cluster.node(leader).read_index(6).ok());
    cluster.tick_all(5);
    EXPECT_TRUE(cluster.read_states()[leader].empty()) << "served a read from an expired lease";
  }
}

TEST(RaftConfigValidation, LeaseReadRequiresCheckQuorum) {
  RaftConfig config;
  config.voters = {0, 1, 2};
  config.lease_read = true;
  config.check_quorum = false;
  EXPECT_EQ(config.validate().code(), StatusCode::invalid_argument);
  config = RaftConfig{};
  config.voters = {1, 2};  // id 0 missing
  EXPECT_EQ(config.validate().code(), StatusCode::invalid_argument);
  config.voters = {0, 0, 1};
  EXPECT_EQ(config.validate().code(), StatusCode::invalid_argument);
}

// The session table keeps at most kSessionsMax clients and drops the one that applied longest
// ago; a client that applies again moves to the back of the line.
TEST(SessionTable, EvictsTheSessionAppliedLongestAgo) {
  SessionTable table;
  Index index = 0;
  for (std::uint64_t client = 0; client < SessionTable::kSessionsMax; ++client) {
    table.record(client, 1, ++index).push_back(static_cast<std::uint8_t>(client));
  }
  table.record(0, 2, ++index);  // client 0 is now the most recent, client 1 the oldest
  table.record(SessionTable::kSessionsMax, 1, ++index);
  EXPECT_EQ(table.size(), SessionTable::kSessionsMax);
  EXPECT_EQ(table.check(1, 1).verdict, SessionTable::Verdict::apply);  // evicted: forgotten
  EXPECT_EQ(table.check(0, 2).verdict, SessionTable::Verdict::duplicate);
  const SessionTable::Lookup kept = table.check(2, 1);
  ASSERT_EQ(kept.verdict, SessionTable::Verdict::duplicate);
  ASSERT_EQ(kept.cached_reply.size(), 1u);
  EXPECT_EQ(kept.cached_reply[0], 2u);
  EXPECT_EQ(table.check(2, 0).verdict, SessionTable::Verdict::stale);
}

TEST(SharedBytes, CopiesAndSlicesShareOneBufferAndCompareByContent) {
  const std::vector<std::uint8_t> bytes{1, 2, 3, 4, 5};
  SharedBytes whole(bytes);
  SharedBytes copy = whole;
  EXPECT_EQ(copy.data(), whole.data());  // shared, not copied
  const SharedBytes middle = whole.slice(1, 3);
  EXPECT_EQ(middle.data(), whole.data() + 1);
  EXPECT_EQ(middle, SharedBytes({2, 3, 4}));
  whole = SharedBytes();  // the slice and the copy keep the buffer alive
  EXPECT_EQ(middle.to_vector(), (std::vector<std::uint8_t>{2, 3, 4}));
  EXPECT_EQ(copy.to_vector(), bytes);
  EXPECT_TRUE(whole.slice(0, 0).empty());
  EXPECT_NE(copy, middle);
}

}  // namespace
}  // namespace raftsim

// NodeHost (raft/node/node_host.h) without the simulator: a tiny fake Runtime (a clock the test
// moves, timers it fires, sends it records) over the in-memory file system. A single node elects
// itself, acknowledges a write only once it is durable and recovers it after a crash; a vote it
// grants is on disk before the grant leaves (and, under the injected vote-not-persisted bug, is
// not); a disk it cannot write fail-stops it. Administration: two hosts relayed by the test answer
// a membership change once it commits, exactly once across retries, with not_leader from a
// follower and a reason for a refusal; a bootstrap member that finds its disk wiped refuses to
// start (unless HostBug::rejoin_after_wipe).
#include <gtest/gtest.h>

#include <string>

#include "raft/core/codec.h"
#include "raft/memory/memory_file_system.h"
#include "raft/node/node_host.h"

namespace raftsim {
namespace {

struct Sent {
  NodeId to;
  std::vector<std::uint8_t> payload;
};

class FakeRuntime final : public Runtime {
 public:
  FakeRuntime(NodeId self, FileSystem& file_system, std::uint64_t seed = 7)
      : self_(self), file_system_(file_system), seed_(seed) {}

  NodeId self() const override { return self_; }
  std::int64_t monotonic_now_ns() const override { return now_ns_; }
  std::int64_t wall_now_ns() const override { return now_ns_; }
  void send(NodeId to, std::span<const std::uint8_t> payload) override {
    sent.push_back(Sent{to, {payload.begin(), payload.end()}});
  }
  TimerId start_timer(std::int64_t after_ns, std::uint64_t tag) override {
    timers_.push_back(Timer{now_ns_ + after_ns, tag, ++last_timer_});
    return last_timer_;
  }
  void cancel_timer(TimerId timer) override {
    std::erase_if(timers_, [&](const Timer& t) { return t.id == timer; });
  }
  FileSystem& file_system() override { return file_system_; }
  std::uint64_t random_seed() const override { return seed_; }

  // Moves the clock by `duration_ns`, firing every timer that falls due (then flushing), in order.
  void run_for(Process& process, std::int64_t duration_ns) {
    const std::int64_t end = now_ns_ + duration_ns;
    while (true) {
      auto next =
          std::min_element(timers_.begin(), timers_.end(), [](const Timer& a, const Timer& b) {
            return a.at_ns < b.at_ns || (a.at_ns == b.at_ns && a.id < b.id);
          });
      if (next == timers_.end() || next->at_ns > end) break;
      const Timer due = *next;
      timers_.erase(next);
      now_ns_ = due.at_ns;
      process.on_timer(due.tag);
      process.flush();
    }
    now_ns_ = end;
  }

  std::vector<Sent> sent;

 private:
  struct Timer {
    std::int64_t at_ns;
    std::uint64_t tag;
    TimerId id;
  };
  NodeId self_;
  FileSystem& file_system_;
  std::uint64_t seed_;
  std::int64_t now_ns_ = 0;
  TimerId last_timer_ = 0;
  std::vector<Timer> timers_;
};

// A state machine that remembers the commands it applied, in order.
class AppliedList final : public StateMachine {
 public:
  std::vector<std::uint8_t> apply(Index, std::span<const std::uint8_t> command) override {
    applied.emplace_back(command.begin(), command.end());
    return {'o', 'k'};
  }
  std::vector<std::uint8_t> query(std::span<const std::uint8_t>) const override { return {}; }
  std::uint64_t state_hash() const override { return applied.size(); }

  std::vector<std::string> applied;
};

constexpr NodeId kClientEndpoint = 9;
constexpr std::int64_t kSecondNs = 1'000'000'000;

NodeHostConfig config_for(NodeId self, std::vector<NodeId> voters, HostBugs bugs = {}) {
  NodeHostConfig config;
  config.raft.id = self;
  config.raft.voters = std::move(voters);
  config.bugs = bugs;
  return config;
}

std::vector<ClientResponse> responses(const std::vector<Sent>& sent) {
  std::vector<ClientResponse> out;
  for (const Sent& message : sent) {
    if (message.to != kClientEndpoint) continue;
    if (auto response = decode_client_response(message.payload)) out.push_back(*response);
  }
  return out;
}

TEST(NodeHost, SingleNodeAcknowledgesADurableWriteAndRecoversIt) {
  MemoryFileSystem disk;
  FakeRuntime runtime(0, disk);
  auto machine = std::make_unique<AppliedList>();
  AppliedList& applied = *machine;
  NodeHost host(runtime, config_for(0, {0}), std::move(machine));
  host.start();
  runtime.run_for(host, kSecondNs);  // past the election timeout
  ASSERT_NE(host.raft(), nullptr);
  ASSERT_EQ(host.raft()->role(), Role::leader);

  const std::string command = "set x";
  host.on_message(kClientEndpoint,
                  encode_client_request({1, 1, false, {command.begin(), command.end()}}));
  host.flush();
  const std::vector<ClientResponse> answers = responses(runtime.sent);
  ASSERT_EQ(answers.size(), 1u);
  EXPECT_EQ(answers[0].status, ClientStatus::ok);
  EXPECT_EQ(applied.applied, std::vector<std::string>{command});

  disk.crash();  // the acknowledged write must have been synced before the answer
  FakeRuntime restarted_runtime(0, disk);
  auto recovered_machine = std::make_unique<AppliedList>();
  AppliedList& recovered = *recovered_machine;
  NodeHost restarted(restarted_runtime, config_for(0, {0}), std::move(recovered_machine));
  restarted.start();
  ASSERT_FALSE(restarted.failed()) << restarted.failure();
  restarted_runtime.run_for(restarted, kSecondNs);  // leads again, commits, re-applies
  EXPECT_EQ(recovered.applied, std::vector<std::string>{command});
}

// Node 1 of three receives node 0's vote request for term 1; returns the hard state on disk after
// a crash and whether the grant was sent.
std::pair<HardState, bool> vote_on_disk(HostBugs bugs) {
  MemoryFileSystem disk;
  FakeRuntime runtime(1, disk);
  NodeHost host(runtime, config_for(1, {0, 1, 2}, bugs), std::make_unique<AppliedList>());
  host.start();
  Message request;
  request.type = MessageType::vote_request;
  request.from = 0;
  request.to = 1;
  request.term = 1;
  host.on_message(0, encode_raft_payload(request));
  host.flush();
  bool granted = false;
  for (const Sent& sent : runtime.sent) {
    auto message = decode_message(channel_body(sent.payload));
    if (message.ok() && message.value().type == MessageType::vote_response) {
      granted = !message.value().reject;
    }
  }
  disk.crash();
  auto storage = LogStorage::open(disk, {});
  EXPECT_TRUE(storage.ok()) << storage.status().to_string();
  return {storage.ok() ? storage.value()->hard_state() : HardState{}, granted};
}

TEST(NodeHost, AGrantedVoteIsDurableBeforeTheGrantLeaves) {
  const auto [hard_state, granted] = vote_on_disk({});
  EXPECT_TRUE(granted);
  EXPECT_EQ(hard_state, (HardState{1, 0}));
}

TEST(NodeHost, TheVoteNotPersistedBugWritesTheTermButNotTheVote) {
  const auto [hard_state, granted] = vote_on_disk(HostBugs(HostBug::vote_not_persisted));
  EXPECT_TRUE(granted);
  EXPECT_EQ(hard_state, (HardState{1, HostBugs::kInjectionCompiledIn ? kNoNode : 0}));
}

TEST(NodeHost, ADiskItCannotWriteFailStopsTheNode) {
  MemoryFileSystem disk(/*capacity_bytes=*/0);
  FakeRuntime runtime(0, disk);
  NodeHost host(runtime, config_for(0, {0}), std::make_unique<AppliedList>());
  host.start();
  EXPECT_TRUE(host.failed());
  EXPECT_EQ(host.raft(), nullptr);
  EXPECT_NE(host.failure().find("cannot recover storage"), std::string::npos) << host.failure();
}

// ---------------------------------------------------------------------------------------------
// Administration (membership changes through the client protocol) and the wiped-disk guard

// Two hosts whose sends the test relays to each other; answers to the client are collected.
class TwoHosts {
 public:
  // Voters {0, 1}; or host 0 alone (`voters_of_0` {0}) with host 1 joining (`voters_of_1` {}).
  explicit TwoHosts(std::vector<NodeId> voters_of_0 = {0, 1},
                    std::vector<NodeId> voters_of_1 = {0, 1}) {
    for (NodeId id : {0u, 1u}) {
      // Different seeds, so the two election timeouts differ and one of them wins.
      runtimes_[id] = std::make_unique<FakeRuntime>(id, disks_[id], 7 + id);
      auto machine = std::make_unique<AppliedList>();
      machines_[id] = machine.get();
      hosts_[id] = std::make_unique<NodeHost>(
          *runtimes_[id], config_for(id, id == 0 ? voters_of_0 : voters_of_1), std::move(machine));
      hosts_[id]->start();
    }
  }
  AppliedList& machine(NodeId id) { return *machines_[id]; }
  NodeHost& host(NodeId id) { return *hosts_[id]; }

  // Moves both clocks on in 10 ms steps, relaying between the hosts.
  void run_for(std::int64_t duration_ns) {
    for (std::int64_t at = 0; at < duration_ns; at += 10'000'000) {
      for (NodeId id : {0u, 1u}) runtimes_[id]->run_for(*hosts_[id], 10'000'000);
      deliver();
    }
  }
  // Collects the client answers sent so far into `answers`; unless `relay` is false, delivers
  // what the hosts sent each other until nothing more is (messages to others are lost).
  void deliver(bool relay = true) {
    for (bool more = true; more;) {
      more = false;
      for (NodeId from : {0u, 1u}) {
        std::vector<Sent> sent = std::move(runtimes_[from]->sent);
        runtimes_[from]->sent.clear();
        for (Sent& message : sent) {
          if (message.to == kClientEndpoint) {
            if (auto response = decode_client_response(message.payload)) {
              answers.push_back(*response);
            }
          } else if (!relay) {
            runtimes_[from]->sent.push_back(std::move(message));  // held until the next relay
          } else if (message.to <= 1) {
            hosts_[message.to]->on_message(from, message.payload);
            hosts_[message.to]->flush();
            more = true;
          }
        }
      }
    }
  }
  // A client request to `id`, its answer (if any) collected, the hosts' messages held back.
  void request(NodeId id, const ClientRequest& request) {
    hosts_[id]->on_message(kClientEndpoint, encode_client_request(request));
    hosts_[id]->flush();
    deliver(/*relay=*/false);
  }
  NodeId leader() {
    for (NodeId id : {0u, 1u}) {
      if (hosts_[id]->raft() != nullptr && hosts_[id]->raft()->role() == Role::leader) return id;
    }
    return kNoNode;
  }

  std::vector<ClientResponse> answers;

 private:
  MemoryFileSystem disks_[2];
  std::unique_ptr<FakeRuntime> runtimes_[2];
  std::unique_ptr<NodeHost> hosts_[2];
  AppliedList* machines_[2] = {nullptr, nullptr};
};

ClientRequest admin_request(std::uint64_t client, std::uint64_t sequence, ConfChangeType type,
                            NodeId node) {
  AdminRequest admin;
  admin.change.type = type;
  admin.change.node = node;
  ClientRequest request;
  request.client_id = client;
  request.sequence = sequence;
  request.admin = true;
  request.payload = encode_admin_request(admin);
  return request;
}

std::size_t config_entries(const Raft& raft) {
  std::size_t count = 0;
  for (Index index = raft.log().first_index(); index <= raft.log().last_index(); ++index) {
    count += raft.log().at(index).type == EntryType::config ? 1 : 0;
  }
  return count;
}

std::string text(const std::vector<std::uint8_t>& bytes) {
  return {bytes.begin(), bytes.end()};
}

// Admin requests ride the client protocol: answered ok once the config entry commits, exactly
// once through the session table (the session rides in the entry's context).
TEST(NodeHostAdmin, AnAddLearnerIsAnsweredOnceCommittedAndARetryIsNotAppliedTwice) {
  TwoHosts hosts;
  hosts.run_for(kSecondNs);
  const NodeId leader = hosts.leader();
  ASSERT_NE(leader, kNoNode);
  NodeHost& host = hosts.host(leader);
  const ClientRequest request = admin_request(5, 1, ConfChangeType::add_learner, 2);

  // Appended at once, but not answered before the other voter acknowledges it.
  hosts.request(leader, request);
  EXPECT_TRUE(hosts.answers.empty());
  EXPECT_TRUE(host.raft()->membership().is_learner(2));
  EXPECT_LT(host.raft()->log().committed(), host.raft()->membership_index());
  // A retry while it is in flight waits for the same entry.
  const Index appended = host.raft()->log().last_index();
  hosts.request(leader, request);
  EXPECT_TRUE(hosts.answers.empty());
  EXPECT_EQ(host.raft()->log().last_index(), appended);
  hosts.deliver();
  hosts.run_for(100'000'000);
  ASSERT_EQ(hosts.answers.size(), 1u);
  EXPECT_EQ(hosts.answers[0].status, ClientStatus::ok);
  EXPECT_EQ(hosts.answers[0].sequence, 1u);
  EXPECT_GE(host.raft()->log().committed(), host.raft()->membership_index());
  EXPECT_TRUE(hosts.host(1 - leader).raft()->membership().is_learner(2));

  // The retry (same client and sequence): answered ok, no second entry.
  const std::size_t configs = config_entries(*host.raft());
  const Index last = host.raft()->log().last_index();
  host.on_message(kClientEndpoint, encode_client_request(request));
  host.flush();
  hosts.run_for(100'000'000);
  ASSERT_EQ(hosts.answers.size(), 2u);
  EXPECT_EQ(hosts.answers[1].status, ClientStatus::ok);
  EXPECT_EQ(config_entries(*host.raft()), configs);
  EXPECT_EQ(host.raft()->log().last_index(), last);
}

// A client's retry of a write still in the leader's log waits for that entry instead of adding
// another: otherwise, while replication lags, every retry lengthens the log ahead of the next
// command and no command commits within its client's timeout (the fuzz finding fuzz-1-239).
TEST(NodeHost, ARetryOfAPendingWriteAddsNoEntry) {
  TwoHosts hosts;
  hosts.run_for(kSecondNs);
  const NodeId leader = hosts.leader();
  ASSERT_NE(leader, kNoNode);
  NodeHost& host = hosts.host(leader);
  const std::string command = "set x";
  const ClientRequest request{3, 1, false, {command.begin(), command.end()}};

  hosts.request(leader, request);  // the other voter hears nothing: the write stays uncommitted
  const Index appended = host.raft()->log().last_index();
  EXPECT_LT(host.raft()->log().committed(), appended);
  for (int retry = 0; retry < 3; ++retry) {
    hosts.request(leader, request);
  }
  EXPECT_TRUE(hosts.answers.empty());
  EXPECT_EQ(host.raft()->log().last_index(), appended);

  hosts.deliver();
  hosts.run_for(100'000'000);
  ASSERT_EQ(hosts.answers.size(), 1u);
  EXPECT_EQ(hosts.answers[0].status, ClientStatus::ok);
  EXPECT_EQ(hosts.machine(leader).applied.size(), 1u);
}

// A witness joining a log longer than one append: entries before its configuration arrive with
// their payloads (it may apply them), later ones without (it applies nothing), and it never
// holds a payload-less entry its own log does not explain (the host checks that when applying).
TEST(NodeHostAdmin, AWitnessJoinsALongLog) {
  TwoHosts hosts({0}, {});
  hosts.run_for(kSecondNs);
  ASSERT_EQ(hosts.leader(), 0u);
  NodeHost& leader = hosts.host(0);
  const std::uint64_t commands = 2 * leader.raft()->config().entries_per_message_max;
  for (std::uint64_t sequence = 1; sequence <= commands; ++sequence) {
    leader.on_message(kClientEndpoint, encode_client_request({1, sequence, false, {'w'}}));
  }
  leader.flush();
  hosts.run_for(100'000'000);
  ASSERT_EQ(hosts.answers.size(), commands);
  AdminRequest admin;
  admin.change.type = ConfChangeType::add_witness;
  admin.change.node = 1;
  leader.on_message(kClientEndpoint,
                    encode_client_request({2, 1, false, encode_admin_request(admin), true}));
  leader.flush();
  hosts.run_for(kSecondNs);
  ASSERT_EQ(hosts.answers.size(), commands + 1);
  EXPECT_EQ(hosts.answers.back().status, ClientStatus::ok);
  leader.on_message(kClientEndpoint, encode_client_request({1, commands + 1, false, {'x'}}));
  leader.flush();
  hosts.run_for(kSecondNs);
  NodeHost& witness = hosts.host(1);
  ASSERT_FALSE(witness.failed()) << witness.failure();
  EXPECT_TRUE(witness.is_witness());
  EXPECT_EQ(witness.raft()->log().committed(), leader.raft()->log().last_index());
  EXPECT_EQ(hosts.machine(1).applied.size(), commands);  // not the command after it joined
  EXPECT_EQ(hosts.machine(0).applied.size(), commands + 1);
}

TEST(NodeHostAdmin, AFollowerAnswersNotLeader) {
  TwoHosts hosts;
  hosts.run_for(kSecondNs);
  const NodeId leader = hosts.leader();
  ASSERT_NE(leader, kNoNode);
  NodeHost& follower = hosts.host(1 - leader);
  follower.on_message(kClientEndpoint,
                      encode_client_request(admin_request(5, 1, ConfChangeType::add_learner, 2)));
  follower.flush();
  hosts.deliver();
  ASSERT_EQ(hosts.answers.size(), 1u);
  EXPECT_EQ(hosts.answers[0].status, ClientStatus::not_leader);
  EXPECT_EQ(hosts.answers[0].leader_hint, leader);
  EXPECT_EQ(config_entries(*follower.raft()), 0u);
}

TEST(NodeHostAdmin, AnIllegalChangeIsRejectedWithAReason) {
  MemoryFileSystem disk;
  FakeRuntime runtime(0, disk);
  NodeHost host(runtime, config_for(0, {0}), std::make_unique<AppliedList>());
  host.start();
  runtime.run_for(host, kSecondNs);
  ASSERT_EQ(host.raft()->role(), Role::leader);
  host.on_message(kClientEndpoint,
                  encode_client_request(admin_request(5, 1, ConfChangeType::remove, 7)));
  host.on_message(kClientEndpoint,
                  encode_client_request(admin_request(5, 2, ConfChangeType::remove, 0)));
  host.on_message(kClientEndpoint,
                  encode_client_request(admin_request(5, 3, ConfChangeType::promote, 0)));
  ClientRequest garbage = admin_request(5, 4, ConfChangeType::add_learner, 1);
  garbage.payload.push_back(0);
  host.on_message(kClientEndpoint, encode_client_request(garbage));
  host.flush();
  runtime.run_for(host, 100'000'000);
  const std::vector<ClientResponse> answers = responses(runtime.sent);
  ASSERT_EQ(answers.size(), 4u);
  for (const ClientResponse& answer : answers) {
    EXPECT_EQ(answer.status, ClientStatus::rejected) << answer.sequence;
    EXPECT_FALSE(answer.payload.empty()) << answer.sequence;
  }
  EXPECT_NE(text(answers[0].payload).find("not a member"), std::string::npos)
      << text(answers[0].payload);
  EXPECT_NE(text(answers[1].payload).find("last voter"), std::string::npos)
      << text(answers[1].payload);
  EXPECT_NE(text(answers[2].payload).find("not a learner"), std::string::npos)
      << text(answers[2].payload);
  EXPECT_NE(text(answers[3].payload).find("malformed"), std::string::npos)
      << text(answers[3].payload);
  EXPECT_EQ(config_entries(*host.raft()), 0u);
}

// A bootstrap member that finds its disk empty on a later start was wiped: it must not vote
// again under its old id (HostBug::rejoin_after_wipe lets it).
NodeHostConfig restart_config(NodeId self, std::vector<NodeId> voters, HostBugs bugs = {}) {
  NodeHostConfig config = config_for(self, std::move(voters), bugs);
  config.initial_start = false;
  return config;
}

TEST(NodeHostAdmin, AWipedBootstrapMemberRefusesToStart) {
  MemoryFileSystem disk;
  FakeRuntime runtime(1, disk);
  NodeHost host(runtime, restart_config(1, {0, 1, 2}), std::make_unique<AppliedList>());
  host.start();
  EXPECT_TRUE(host.failed());
  EXPECT_NE(host.failure().find("wiped"), std::string::npos) << host.failure();
}

TEST(NodeHostAdmin, RejoinAfterWipeBugStartsAWipedMember) {
  MemoryFileSystem disk;
  FakeRuntime runtime(1, disk);
  NodeHost host(runtime, restart_config(1, {0, 1, 2}, HostBugs(HostBug::rejoin_after_wipe)),
                std::make_unique<AppliedList>());
  host.start();
  EXPECT_EQ(host.failed(), !HostBugs::kInjectionCompiledIn) << host.failure();
}

TEST(NodeHostAdmin, AJoiningServerAndARestartWithItsDiskStart) {
  {  // a joining server (no bootstrap membership) may start empty at any time
    MemoryFileSystem disk;
    FakeRuntime runtime(3, disk);
    NodeHost host(runtime, restart_config(3, {}), std::make_unique<AppliedList>());
    host.start();
    EXPECT_FALSE(host.failed()) << host.failure();
  }
  // A bootstrap member whose disk holds its state restarts normally.
  MemoryFileSystem disk;
  {
    FakeRuntime runtime(0, disk);
    NodeHost host(runtime, config_for(0, {0}), std::make_unique<AppliedList>());
    host.start();
    runtime.run_for(host, kSecondNs);
    ASSERT_EQ(host.raft()->role(), Role::leader);
  }
  FakeRuntime runtime(0, disk);
  NodeHost host(runtime, restart_config(0, {0}), std::make_unique<AppliedList>());
  host.start();
  EXPECT_FALSE(host.failed()) << host.failure();
}

}  // namespace
}  // namespace raftsim

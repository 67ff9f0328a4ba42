// NodeHost (raft/node/node_host.h) without the simulator: a tiny fake Runtime (a clock the test
// moves, timers it fires, sends it records) over the in-memory file system. A single node elects
// itself, acknowledges a write only once it is durable and recovers it after a crash; a vote it
// grants is on disk before the grant leaves (and, under the injected vote-not-persisted bug, is
// not); a disk it cannot write fail-stops it.
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
  FakeRuntime(NodeId self, FileSystem& file_system) : self_(self), file_system_(file_system) {}

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
  std::uint64_t random_seed() const override { return 7; }

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

}  // namespace
}  // namespace raftsim

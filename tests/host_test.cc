// Tests for sim/kernel/host: crash loses volatile state, restart recovers from disk, pause and
// fsync defer inputs, timers run on the local clock. Each run also checks its own determinism.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string>

#include "sim/kernel/determinism.h"
#include "sim/kernel/world.h"
#include "sim/toys/gossip.h"

namespace raftsim::sim {
namespace {

// A process whose behaviour the test scripts through hooks, and which logs what it saw.
struct Log {
  std::vector<std::string> lines;
};

class ScriptedProcess final : public Process {
 public:
  ScriptedProcess(Runtime& runtime, Log& log) : runtime_(runtime), log_(log) {}
  void start() override {
    auto size = runtime_.file_system().size("state");
    log_.lines.push_back("start " + std::to_string(size.ok() ? size.value() : 0));
    if (!size.ok()) RAFTSIM_CHECK(runtime_.file_system().create("state").ok());
  }
  void on_message(NodeId from, std::span<const std::uint8_t> payload) override {
    const std::string text(payload.begin(), payload.end());
    log_.lines.push_back("msg " + std::to_string(from) + " " + text + " @" +
                         std::to_string(runtime_.monotonic_now_ns() / kMillisecond));
    if (text == "persist-then-reply") {
      const std::uint8_t record[1] = {1};
      RAFTSIM_CHECK(runtime_.file_system().append("state", record).ok());
      RAFTSIM_CHECK(runtime_.file_system().sync("state").ok());
      const std::string reply = "ack";
      runtime_.send(from, {reinterpret_cast<const std::uint8_t*>(reply.data()), reply.size()});
    }
  }
  void on_timer(std::uint64_t tag) override {
    log_.lines.push_back("timer " + std::to_string(tag) + " @" +
                         std::to_string(runtime_.monotonic_now_ns() / kMillisecond));
  }
  std::uint64_t state_hash() const override { return 0; }
  Runtime& runtime() { return runtime_; }

 private:
  Runtime& runtime_;
  Log& log_;
};

struct HostHarness {
  explicit HostHarness(WorldConfig config = exact_config()) : logs(config.node_count) {
    world = std::make_unique<World>(config, [this](Runtime& runtime) {
      return std::make_unique<ScriptedProcess>(runtime, logs[runtime.self()]);
    });
    world->boot_all();
  }
  static WorldConfig exact_config() {
    WorldConfig config;
    config.node_count = 2;
    config.link.latency_min = config.link.latency_max = milliseconds(1);
    config.disk.sync_latency_min = config.disk.sync_latency_max = milliseconds(5);
    return config;
  }
  ScriptedProcess& process(NodeIndex node) {
    return *static_cast<ScriptedProcess*>(world->host(node).process());
  }
  void send_text(NodeIndex from, NodeIndex to, const std::string& text) {
    process(from).runtime().send(to,
                                 {reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
  }
  std::vector<Log> logs;
  std::unique_ptr<World> world;
};

// Every host test runs its script twice in fresh worlds and demands the same trace hash.
template <typename Script>
void run_twice(Script script) {
  std::uint64_t hashes[2] = {0, 0};
  for (int run = 0; run < 2; ++run) {
    HostHarness h;
    script(h);
    hashes[run] = h.world->trace().hash();
    if (::testing::Test::HasFailure()) return;
  }
  EXPECT_EQ(hashes[0], hashes[1]) << "same seed and script, different trace hash";
}

TEST(Host, TimerFiresAtItsLocalDeadline) {
  run_twice([](HostHarness& h) {
    h.process(0).runtime().start_timer(milliseconds(30), 7);
    h.world->run_until(seconds(1));
    EXPECT_EQ(h.logs[0].lines.back(), "timer 7 @30");
  });
}

TEST(Host, TimerHonoursDriftSetAfterItWasStarted) {
  run_twice([](HostHarness& h) {
    h.process(0).runtime().start_timer(milliseconds(100), 1);
    h.world->run_until(milliseconds(50));
    h.world->set_clock_drift(0, -500'000);  // local clock now runs at half speed
    h.world->run_until(milliseconds(140));
    EXPECT_EQ(h.logs[0].lines.back(), "start 0");  // 50 + 45 local ms: not yet
    h.world->run_until(milliseconds(151));
    EXPECT_EQ(h.logs[0].lines.back(), "timer 1 @100");  // virtual 150 = local 100
  });
}

TEST(Host, CancelledTimerNeverFires) {
  run_twice([](HostHarness& h) {
    const TimerId timer = h.process(0).runtime().start_timer(milliseconds(10), 1);
    h.process(0).runtime().cancel_timer(timer);
    h.process(0).runtime().cancel_timer(timer);  // twice is a no-op
    h.world->run_until(seconds(1));
    EXPECT_EQ(h.logs[0].lines, (std::vector<std::string>{"start 0"}));
  });
}

TEST(Host, CrashDropsVolatileStateTimersAndIncomingMessages) {
  run_twice([](HostHarness& h) {
    h.process(0).runtime().start_timer(milliseconds(10), 1);
    h.world->crash(0);
    EXPECT_EQ(h.world->host(0).state(), HostState::down);
    EXPECT_EQ(h.world->host(0).process(), nullptr);
    h.send_text(1, 0, "hello");
    h.world->run_until(seconds(1));
    EXPECT_EQ(h.logs[0].lines, (std::vector<std::string>{"start 0"}));
    EXPECT_EQ(h.world->network().messages_delivered(), 1u);  // the network delivered...
    bool dropped_at_host = false;                            // ...the dead host dropped it
    for (const TraceEvent& event : h.world->trace().events()) {
      dropped_at_host |= event.kind == TraceKind::drop && event.detail == "node down";
    }
    EXPECT_TRUE(dropped_at_host);
  });
}

TEST(Host, RestartRecoversFromSyncedDiskOnly) {
  run_twice([](HostHarness& h) {
    h.send_text(1, 0, "persist-then-reply");  // node 0 appends one byte and syncs
    h.world->run_until(milliseconds(100));
    const std::uint8_t unsynced[3] = {9, 9, 9};
    ASSERT_TRUE(h.world->disk(0).append("state", unsynced).ok());
    h.world->crash(0);
    h.world->restart(0);
    EXPECT_EQ(h.world->host(0).incarnation(), 2u);
    EXPECT_EQ(h.logs[0].lines.back(), "start 1");
  });
}

TEST(Host, SendAfterFsyncLeavesWhenTheFsyncReturns) {
  run_twice([](HostHarness& h) {
    h.send_text(1, 0, "persist-then-reply");
    h.world->run_until(milliseconds(100));
    // 1 ms to node 0, 5 ms fsync, then 1 ms back: the ack arrives at 7 ms, not 2 ms.
    ASSERT_EQ(h.logs[1].lines.size(), 2u);
    EXPECT_EQ(h.logs[1].lines[1], "msg 0 ack @7");
  });
}

TEST(Host, BusyProcessTakesNextMessageAfterFsync) {
  run_twice([](HostHarness& h) {
    h.send_text(1, 0, "persist-then-reply");
    h.world->run_until(milliseconds(2));  // node 0 is now blocked in fsync until 6 ms
    h.send_text(1, 0, "second");
    h.world->run_until(milliseconds(100));
    EXPECT_EQ(h.logs[0].lines.back(), "msg 1 second @6");
  });
}

TEST(Host, PauseDefersMessagesAndTimersInOrder) {
  run_twice([](HostHarness& h) {
    h.process(0).runtime().start_timer(milliseconds(20), 5);
    h.world->pause(0);
    h.send_text(1, 0, "a");
    h.world->run_until(milliseconds(10));
    h.send_text(1, 0, "b");
    h.world->run_until(milliseconds(500));
    EXPECT_EQ(h.logs[0].lines, (std::vector<std::string>{"start 0"}));
    h.world->resume(0);
    h.world->run_until(seconds(1));
    EXPECT_EQ(h.logs[0].lines, (std::vector<std::string>{"start 0", "msg 1 a @500", "msg 1 b @500",
                                                         "timer 5 @500"}));
  });
}

// A process paused while blocked in fsync cannot run the send that follows the fsync: the reply
// leaves at the resume, not when the fsync returns (found by fuzzing: a paused leader's appends
// kept reaching followers).
TEST(Host, SendAfterFsyncWaitsForTheResumeOfAPausedProcess) {
  run_twice([](HostHarness& h) {
    h.send_text(1, 0, "persist-then-reply");
    h.world->run_until(milliseconds(2));  // node 0 is blocked in fsync until 6 ms
    h.world->pause(0);
    h.world->run_until(milliseconds(100));
    EXPECT_EQ(h.logs[1].lines, (std::vector<std::string>{"start 0"}));
    h.world->resume(0);
    h.world->run_until(milliseconds(200));
    EXPECT_EQ(h.logs[1].lines, (std::vector<std::string>{"start 0", "msg 0 ack @101"}));
  });
}

TEST(Host, SendAfterFsyncLeavesOnTimeWhenThePauseEndsFirst) {
  run_twice([](HostHarness& h) {
    h.send_text(1, 0, "persist-then-reply");
    h.world->run_until(milliseconds(2));
    h.world->pause(0);
    h.world->run_until(milliseconds(3));
    h.world->resume(0);
    h.world->run_until(milliseconds(200));
    EXPECT_EQ(h.logs[1].lines, (std::vector<std::string>{"start 0", "msg 0 ack @7"}));
  });
}

TEST(Host, CrashWhilePausedDropsTheInbox) {
  run_twice([](HostHarness& h) {
    h.world->pause(0);
    h.send_text(1, 0, "lost");
    h.world->run_until(milliseconds(10));
    h.world->crash(0);
    h.world->restart(0);
    h.world->run_until(seconds(1));
    EXPECT_EQ(h.logs[0].lines, (std::vector<std::string>{"start 0", "start 0"}));
  });
}

TEST(Host, IncarnationsDrawDifferentRandomSeeds) {
  run_twice([](HostHarness& h) {
    const std::uint64_t first = h.process(0).runtime().random_seed();
    h.world->crash(0);
    h.world->restart(0);
    EXPECT_NE(h.process(0).runtime().random_seed(), first);
    EXPECT_NE(h.process(1).runtime().random_seed(), h.process(0).runtime().random_seed());
  });
}

}  // namespace
}  // namespace raftsim::sim

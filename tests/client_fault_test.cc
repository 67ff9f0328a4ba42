// The client fault kinds (sim/scenario/faults/client.h): what files may say and the errors they
// get, the write/parse round trip and exported timelines that replay, and the history semantics
// -- an operation in flight at crash_client ends as info, a restarted client uses fresh ids, a
// paused client's operation completes after resume_client, a stalled worker's late completion is
// refused with a stale token. Every run checks same seed -> same trace hash.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "sim/scenario/parse.h"
#include "sim/scenario/runner.h"
#include "tests/scenario_text.h"

namespace raftsim::sim {
namespace {

std::string parse_error(const std::string& text) {
  auto parsed = parse_scenario(text, "test.json");
  return parsed.ok() ? std::string("(parsed)") : parsed.status().message();
}

std::string kv_with(const std::string& faults, int clients = 2) {
  return R"({"version": 1, "name": "t", "duration_ms": 3000, "workload": {"clients": )" +
         std::to_string(clients) + R"(}, "faults": [)" + faults + "]}";
}

std::string queue_with(const std::string& faults) {
  return R"({"version": 1, "name": "t", "duration_ms": 3000, "workload": {"type": "queue",
    "clients": 2}, "faults": [)" +
         faults + "]}";
}

// Runs the scenario twice: the same seed must give the same trace.
ScenarioRunReport run_twice(const Scenario& scenario, std::uint64_t seed) {
  const ScenarioRunReport first = run_scenario(scenario, seed);
  const ScenarioRunReport second = run_scenario(scenario, seed);
  EXPECT_EQ(first.trace_hash, second.trace_hash) << "same seed, different trace";
  return first;
}

TEST(ClientFaults, TargetsNameClientProcessesOnly) {
  EXPECT_NE(parse_error(kv_with(R"({"at_ms": 1, "action": "pause_client", "target": "n1"})"))
                .find("/faults/0/target: expected a client from \"c0\" to \"c1\", \"clients\" or "
                      "\"random-client\", found \"n1\" (a cluster node"),
            std::string::npos);
  EXPECT_NE(parse_error(kv_with(R"({"at_ms": 1, "action": "crash_client", "target": "c2"})"))
                .find("found \"c2\" (the workload has 2 clients)"),
            std::string::npos);
  EXPECT_NE(
      parse_error(kv_with(R"({"at_ms": 1, "action": "restart_client"})")).find("/faults/0/target"),
      std::string::npos);
  EXPECT_NE(parse_error(kv_with(R"({"at_ms": 1, "action": "resume_client", "target": "c0"})", 0))
                .find("the workload has no clients (/workload/clients is 0)"),
            std::string::npos);
  // A client name is no target of a server fault.
  EXPECT_NE(parse_error(kv_with(R"({"at_ms": 1, "action": "crash", "target": "c0"})"))
                .find("/faults/0/target"),
            std::string::npos);
  // "clients" and "random-client" are keywords: no "as" may bind them.
  EXPECT_NE(parse_error(kv_with(R"({"at_ms": 1, "action": "crash", "target": "leader",
                                    "as": "clients"})"))
                .find("/faults/0/as"),
            std::string::npos);
}

TEST(ClientFaults, StallWorkersIsForQueueWorkloadsAndNeedsADuration) {
  EXPECT_NE(parse_error(kv_with(R"({"at_ms": 1, "action": "stall_workers", "duration_ms": 5})"))
                .find("/faults/0/action: stall_workers stalls queue workers, but this scenario's "
                      "workload is \"kv\""),
            std::string::npos);
  EXPECT_NE(parse_error(queue_with(R"({"at_ms": 1, "action": "stall_workers"})"))
                .find("/faults/0/duration_ms"),
            std::string::npos);
  EXPECT_NE(parse_error(queue_with(R"({"at_ms": 1, "action": "stall_workers", "duration_ms": 0})"))
                .find("/faults/0/duration_ms"),
            std::string::npos);
  EXPECT_NE(
      parse_error(
          queue_with(R"({"at_ms": 1, "action": "stall_workers", "duration_ms": 5, "workers": -1})"))
          .find("/faults/0/workers"),
      std::string::npos);
  const Scenario scenario =
      scenario_from(queue_with(R"({"at_ms": 1, "action": "stall_workers", "duration_ms": 5})"));
  ASSERT_EQ(scenario.faults.size(), 1u);
  EXPECT_EQ(scenario.faults[0].as<StallWorkersFault>()->target, "clients");  // the default
}

TEST(ClientFaults, EveryKindWritesBackToTheSameScenario) {
  const Scenario scenario = scenario_from(queue_with(R"(
    {"at_ms": 100, "action": "pause_client", "target": "c0"},
    {"at_ms": 200, "action": "resume_client", "target": "clients"},
    {"at_ms": 300, "action": "crash_client", "target": "random-client"},
    {"at_ms": 400, "action": "restart_client", "target": "c1"},
    {"at_ms": 500, "action": "stall_workers", "target": "c1", "duration_ms": 750.5, "workers": 1})"));
  ASSERT_EQ(scenario.faults.size(), 5u);
  const std::string written = scenario_to_json(scenario);
  const Scenario again = scenario_from(written);
  EXPECT_EQ(scenario_to_json(again), written);
  EXPECT_EQ(again.faults[4].as<StallWorkersFault>()->duration, microseconds(750'500));
  EXPECT_EQ(again.faults[4].as<StallWorkersFault>()->workers, 1u);
  // crash_client is undone by restart_client of the same client (shrinking pairs them).
  EXPECT_TRUE(undoes(RestartClientFault{"c1"}, CrashClientFault{"c1"}));
  EXPECT_FALSE(undoes(RestartClientFault{"c0"}, CrashClientFault{"c1"}));
  EXPECT_TRUE(undoes(ResumeClientFault{"c0"}, PauseClientFault{"c0"}));
}

// "clients" is recorded as one concrete step per client, and the exported scenario replays the
// run exactly.
TEST(ClientFaults, ExportedTimelineReplaysExactly) {
  const Scenario scenario = scenario_from(kv_with(R"(
    {"at_ms": 800, "action": "crash_client", "target": "clients"},
    {"at_ms": 900, "action": "restart_client", "target": "random-client"},
    {"at_ms": 1200, "action": "pause_client", "target": "random-client"},
    {"at_ms": 1500, "action": "resume_client", "target": "clients"})"));
  const ScenarioRunReport report = run_twice(scenario, 5);
  EXPECT_TRUE(report.expectation_met) << report.to_json().dump(2);
  const Scenario concrete = report.concrete_scenario(scenario);
  std::size_t crashes = 0;
  for (const FaultStep& step : concrete.faults) {
    if (const auto* crash = step.as<CrashClientFault>()) {
      ++crashes;
      EXPECT_TRUE(crash->target == "c0" || crash->target == "c1") << crash->target;
    }
  }
  EXPECT_EQ(crashes, 2u);
  // The replay applies the same steps at the same times and the run takes the same course (its
  // trace notes differ: one per concrete step rather than per "clients" step, so compare what
  // happened rather than the trace hash).
  const Scenario replay = scenario_from(scenario_to_json(concrete));
  const ScenarioRunReport again = run_scenario(replay, 5);
  Scenario replayed = again.concrete_scenario(replay), original = concrete;
  for (FaultStep& step : replayed.faults) step.comment.clear();
  for (FaultStep& step : original.faults) step.comment.clear();
  EXPECT_EQ(scenario_to_json(replayed), scenario_to_json(original));
  EXPECT_EQ(again.messages_sent, report.messages_sent);
  EXPECT_EQ(again.messages_delivered, report.messages_delivered);
  EXPECT_EQ(again.operations_ok, report.operations_ok);
  EXPECT_EQ(again.operations_info, report.operations_info);
}

TEST(ClientFaults, AnOperationInFlightAtACrashIsUnknownAndARestartUsesFreshIds) {
  // One session per client, no think time: c0 almost always has an operation in flight.
  const Scenario scenario = scenario_from(R"({"version": 1, "name": "t", "duration_ms": 3000,
    "workload": {"clients": 2, "think_ms": 0},
    "faults": [{"at_ms": 1000, "action": "crash_client", "target": "c0"},
               {"at_ms": 1300, "action": "restart_client", "target": "c0"}]})");
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    ScenarioRunner runner(scenario, seed);
    const ScenarioRunReport report = runner.run();
    EXPECT_TRUE(report.expectation_met) << report.to_json().dump(2);
    EXPECT_EQ(run_scenario(scenario, seed).trace_hash, report.trace_hash);
    const History& history = runner.cluster().history();
    std::size_t ended_at_crash = 0, after_restart = 0;
    for (const RecordedOperation& operation : history.operations()) {
      if (operation.client == 0 && operation.invoke_time < milliseconds(1000)) {
        // Each operation of c0's first incarnation ended by the crash at the latest.
        ASSERT_NE(operation.status, OperationStatus::pending);
        EXPECT_LE(operation.return_time, milliseconds(1000));
        if (operation.return_time == milliseconds(1000)) {
          EXPECT_EQ(operation.status, OperationStatus::info) << "in flight at the crash";
          ++ended_at_crash;
        }
      }
      EXPECT_FALSE(operation.client == 0 && operation.invoke_time >= milliseconds(1000))
          << "the old session must not be used again";
      // Restarted c0 (incarnation 2): ids after both clients' first ids (2 clients x 1 session).
      if (operation.client == 2) {
        EXPECT_GE(operation.invoke_time, milliseconds(1300));
        after_restart += 1;
        if (after_restart == 1) {
          EXPECT_EQ(operation.sequence, 1u);
        }
      }
    }
    EXPECT_EQ(ended_at_crash, 1u) << "seed " << seed;
    EXPECT_GT(after_restart, 10u) << "seed " << seed;
  }
}

TEST(ClientFaults, APausedClientsOperationCompletesAfterResume) {
  const Scenario scenario = scenario_from(R"({"version": 1, "name": "t", "duration_ms": 3000,
    "workload": {"clients": 1, "think_ms": 0},
    "faults": [{"at_ms": 1000, "action": "pause_client", "target": "c0"},
               {"at_ms": 1800, "action": "resume_client", "target": "c0"}]})");
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    ScenarioRunner runner(scenario, seed);
    const ScenarioRunReport report = runner.run();
    EXPECT_TRUE(report.expectation_met) << report.to_json().dump(2);
    EXPECT_EQ(run_scenario(scenario, seed).trace_hash, report.trace_hash);
    std::size_t across = 0;
    for (const RecordedOperation& operation : runner.cluster().history().operations()) {
      EXPECT_FALSE(operation.invoke_time > milliseconds(1000) &&
                   operation.invoke_time < milliseconds(1800))
          << "a paused client invokes nothing";
      if (operation.invoke_time < milliseconds(1000) &&
          operation.return_time > milliseconds(1000)) {
        // Answered (or timed out) only when the client could run again, keeping its invoke time.
        EXPECT_GE(operation.return_time, milliseconds(1800));
        EXPECT_NE(operation.status, OperationStatus::pending);
        ++across;
      }
    }
    EXPECT_EQ(across, 1u) << "seed " << seed;
  }
}

TEST(ClientFaults, AStalledWorkersLateCompletionIsRefusedWithAStaleToken) {
  const Scenario scenario = scenario_from(R"({"version": 1, "name": "t", "duration_ms": 4000,
    "workload": {"type": "queue", "clients": 2, "producers": 1, "workers": 2,
                 "jobs_per_producer": 80, "lease_ms": 200, "work_ms": [20, 80],
                 "fail_percent": 0, "abandon_percent": 0, "stall_percent": 0},
    "faults": [{"at_ms": 1000, "action": "stall_workers", "target": "c0", "duration_ms": 600}]})");
  ScenarioRunner runner(scenario, 1);
  const ScenarioRunReport report = runner.run();
  EXPECT_TRUE(report.expectation_met) << report.to_json().dump(2);
  EXPECT_EQ(run_scenario(scenario, 1).trace_hash, report.trace_hash);
  std::size_t stalled_then_refused = 0, during_stall = 0;
  for (const QueueOperation& operation : runner.cluster().queue_history().operations()) {
    const bool c0_worker = operation.client == 1 || operation.client == 2;  // c0: ids 0, 1, 2
    if (!c0_worker) continue;
    if (operation.invoke_time > milliseconds(1000) && operation.invoke_time < milliseconds(1600)) {
      ++during_stall;  // only a request already in flight may be retried
    }
    if ((operation.op == QueueOp::complete || operation.op == QueueOp::heartbeat) &&
        operation.invoke_time >= milliseconds(1600) && operation.invoke_time < milliseconds(1700) &&
        operation.status == QueueOperationStatus::fail) {
      EXPECT_TRUE(operation.reply.note == "stale_token" || operation.reply.note == "not_leased" ||
                  operation.reply.note == "lease_expired")
          << operation.reply.note;
      ++stalled_then_refused;
    }
  }
  EXPECT_EQ(during_stall, 0u);
  EXPECT_GE(stalled_then_refused, 1u) << "the stall outlived the lease: its tokens are stale";
}

}  // namespace
}  // namespace raftsim::sim

// raftsim bench queue: the job queue through the whole stack (NodeHost, WAL on simulated disks,
// JobQueue, simulated producers and workers), run by the scenario runner so end-of-run checkers
// judge every run. (1) Jobs, enqueues and queue operations per virtual and wall second on 3 and 5
// nodes under a saturating load; (2) virtual ms from a leader crash to a stable leader and to the
// next acknowledged operation, p50/p99/max over many seeds. Measured, not asserted.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sim/checkers/recovery.h"
#include "sim/scenario/runner.h"
#include "sim/scenario/scenario.h"
#include "tools/commands.h"

namespace raftsim::tools {
namespace {

using namespace raftsim::sim;

// The targets (issue 6, "Performance").
constexpr double kTargetJobsPerVirtualS = 20'000;
constexpr Time kTargetRecoveryP99 = seconds(1);

// Throughput load: enough closed-loop sessions that the leader, not the clients, is the limit
// (virtual time has no CPU cost, so the virtual rate grows with sessions up to Raft's pipeline:
// 512 sessions gave 32k jobs/virtual s, 2048 gave 99-110k, these 4096 give 110-114k). Producers
// outpace the workers, so the backlog grows and no lease comes back empty.
constexpr NodeIndex kThroughputClients = 32;
constexpr std::uint32_t kThroughputProducers = 48;  // per client process
constexpr std::uint32_t kThroughputWorkers = 80;    // per client process
constexpr Time kWarmUp = milliseconds(500);  // election (150-300 ms) and ramp-up, not counted
// The history holds QueueHistory::kOperationsMax operations; at ~370k per virtual second a run of
// warm-up plus this much stays below it (a full history fails the run).
constexpr double kMeasuredSecondsMax = 1.5;
// Recovery load: light, so 100+ seeds per cluster size take seconds of wall time.
constexpr NodeIndex kRecoveryClients = 2;
constexpr std::uint32_t kRecoveryProducers = 4;
constexpr std::uint32_t kRecoveryWorkers = 8;
constexpr Time kCrashAt = seconds(1);
constexpr Time kRecoveryDuration = seconds(3);

double wall_seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

double to_ms(Time time) {
  return static_cast<double>(time) / kMillisecond;
}

// Election timeouts of 150-300 ms: 5 ms ticks, [30, 60) ticks, heartbeats every 30 ms.
ServiceClusterOptions cluster_options(NodeIndex nodes) {
  ServiceClusterOptions cluster;
  cluster.nodes = nodes;
  cluster.workload_type = ServiceClusterOptions::Workload::queue;
  cluster.tick_ns = milliseconds(5);
  cluster.raft.election_timeout_ticks_min = 30;
  cluster.raft.election_timeout_ticks_max = 60;
  cluster.raft.heartbeat_ticks = 6;
  cluster.link.latency_min = cluster.link.latency_max = milliseconds(1);
  cluster.disk.sync_latency_min = cluster.disk.sync_latency_max = microseconds(100);
  cluster.record_trace = false;
  cluster.check_every_event = false;  // the final checks still run
  cluster.workload.think_time_max = 0;
  QueueWorkload& queue = cluster.queue;
  queue.jobs_per_producer = 10'000'000;  // never the limit
  queue.keyed_percent = 50;
  queue.priorities = 3;
  queue.max_attempts = 5;
  queue.lease = milliseconds(500);
  queue.work_min = 0;
  queue.work_max = milliseconds(1);
  queue.fail_percent = 0;  // no fault injection, client-side ones included
  queue.abandon_percent = 0;
  queue.stall_percent = 0;
  return cluster;
}

Scenario throughput_scenario(NodeIndex nodes, Time measured) {
  Scenario scenario;
  scenario.name = "bench-queue-throughput-" + std::to_string(nodes);
  scenario.duration = kWarmUp + measured;
  scenario.settle_max = seconds(1);
  scenario.cluster = cluster_options(nodes);
  scenario.cluster.clients = kThroughputClients;
  scenario.cluster.queue.producers = kThroughputProducers;
  scenario.cluster.queue.workers = kThroughputWorkers;
  return scenario;
}

Scenario recovery_scenario(NodeIndex nodes) {
  Scenario scenario;
  scenario.name = "bench-queue-leader-crash-" + std::to_string(nodes);
  scenario.duration = kRecoveryDuration;
  scenario.cluster = cluster_options(nodes);
  scenario.cluster.clients = kRecoveryClients;
  scenario.cluster.queue.producers = kRecoveryProducers;
  scenario.cluster.queue.workers = kRecoveryWorkers;
  scenario.cluster.queue.work_max = milliseconds(5);
  FaultStep crash;
  crash.at = kCrashAt;
  crash.fault = CrashFault{"leader"};
  scenario.faults.push_back(crash);
  return scenario;
}

struct Throughput {
  NodeIndex nodes = 0;
  std::uint64_t seed = 0;
  Time virtual_ns = 0;
  double wall_s = 0;
  double check_wall_s = 0;  // from the end of the measured window to the verdict
  std::uint64_t jobs_completed = 0, enqueues_ok = 0, leases_ok = 0, leases_empty = 0;
  std::uint64_t operations_ok = 0, operations_not_ok = 0;
  std::string verdict;
  bool history_full = false;
  std::uint64_t trace_hash = 0;

  double per_virtual_s(std::uint64_t count) const {
    return count / (static_cast<double>(virtual_ns) / kSecond);
  }
  double per_wall_s(std::uint64_t count) const { return count / wall_s; }
};

// Counts what returned inside (from, to] of virtual time.
void count_window(const QueueHistory& history, Time from, Time to, Throughput& out) {
  for (const QueueOperation& operation : history.operations()) {
    if (operation.status == QueueOperationStatus::pending || operation.return_time <= from ||
        operation.return_time > to) {
      continue;
    }
    if (operation.status != QueueOperationStatus::ok) {
      ++out.operations_not_ok;
      continue;
    }
    ++out.operations_ok;
    if (operation.op == QueueOp::complete) ++out.jobs_completed;
    if (operation.op == QueueOp::enqueue) ++out.enqueues_ok;
    if (operation.op == QueueOp::lease)
      ++(operation.reply.empty ? out.leases_empty : out.leases_ok);
  }
}

Throughput measure_throughput(NodeIndex nodes, Time measured, std::uint64_t seed) {
  const Scenario scenario = throughput_scenario(nodes, measured);
  std::optional<Time> window_start, window_end;
  auto start_wall = std::chrono::steady_clock::now(), end_wall = start_wall;
  ScenarioRunOptions options;
  options.record_trace = false;
  options.progress = [&](const RunProgress& progress) {
    if (progress.settling) return;
    if (!window_start && progress.now >= kWarmUp) {
      window_start = progress.now;
      start_wall = std::chrono::steady_clock::now();
    } else if (window_start) {
      window_end = progress.now;
      end_wall = std::chrono::steady_clock::now();
    }
  };
  ScenarioRunner runner(scenario, seed, options);
  const ScenarioRunReport report = runner.run();
  Throughput result;
  result.nodes = nodes;
  result.seed = seed;
  result.verdict = run_verdict_name(report.verdict);
  result.trace_hash = report.trace_hash;
  result.check_wall_s = wall_seconds_since(end_wall);
  const QueueHistory& history = runner.cluster().queue_history();
  result.history_full = history.size() >= QueueHistory::kOperationsMax;
  if (!window_start || !window_end) return result;  // stopped early: a safety violation
  result.virtual_ns = *window_end - *window_start;
  result.wall_s = std::chrono::duration<double>(end_wall - start_wall).count();
  count_window(history, *window_start, *window_end, result);
  return result;
}

struct Recovery {
  NodeIndex nodes = 0;
  std::uint64_t seeds = 0;
  std::uint64_t failures = 0;  // verdict not "pass", or the crash was not measured
  std::vector<std::uint64_t> failed_seeds;
  std::vector<Time> to_leader, to_operation, healthy;  // sorted at the end
  double wall_s = 0;
};

Recovery measure_recovery(NodeIndex nodes, std::uint64_t seeds) {
  const Scenario scenario = recovery_scenario(nodes);
  ScenarioRunOptions options;
  options.record_trace = false;
  Recovery result;
  result.nodes = nodes;
  result.seeds = seeds;
  const auto start = std::chrono::steady_clock::now();
  for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
    const ScenarioRunReport report = run_scenario(scenario, seed, options);
    const RecoveryMeasurement* crash = nullptr;
    for (const RecoveryMeasurement& measurement : report.recovery) {
      if (measurement.event.rfind("crash", 0) == 0) {
        crash = &measurement;
        break;
      }
    }
    const bool measured =
        crash != nullptr && crash->recovered_at && crash->leader_at && crash->commit_at;
    if (report.verdict != RunVerdict::pass || !measured) {
      ++result.failures;
      result.failed_seeds.push_back(seed);
      std::fprintf(stderr, "bench queue: %u nodes, seed %llu: verdict %s%s\n", nodes,
                   static_cast<unsigned long long>(seed), run_verdict_name(report.verdict),
                   measured ? "" : ", crash recovery not measured");
      if (!measured) continue;
    }
    result.to_leader.push_back(*crash->leader_at - crash->at);
    result.to_operation.push_back(*crash->commit_at - crash->at);
    result.healthy.push_back(crash->recovery_time());
    if (seed % 25 == 0) {
      std::fprintf(stderr, "bench queue: recovery, %u nodes: %llu/%llu seeds\n", nodes,
                   static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seeds));
    }
  }
  result.wall_s = wall_seconds_since(start);
  for (auto* times : {&result.to_leader, &result.to_operation, &result.healthy}) {
    std::sort(times->begin(), times->end());
  }
  return result;
}

nlohmann::ordered_json percentiles_ms(const std::vector<Time>& sorted) {
  nlohmann::ordered_json out;
  out["p50_ms"] = to_ms(RecoveryTracker::percentile(sorted, 50));
  out["p99_ms"] = to_ms(RecoveryTracker::percentile(sorted, 99));
  out["max_ms"] = to_ms(sorted.empty() ? 0 : sorted.back());
  return out;
}

bool throughput_met(const Throughput& t) {
  return t.virtual_ns > 0 && t.per_virtual_s(t.jobs_completed) >= kTargetJobsPerVirtualS;
}

bool recovery_met(const Recovery& r) {
  return r.failures == 0 && !r.to_operation.empty() &&
         RecoveryTracker::percentile(r.to_operation, 99) < kTargetRecoveryP99;
}

nlohmann::ordered_json throughput_json(const Throughput& t) {
  nlohmann::ordered_json out;
  out["nodes"] = t.nodes;
  out["jobs_per_virtual_s"] = static_cast<std::uint64_t>(t.per_virtual_s(t.jobs_completed));
  out["jobs_per_wall_s"] = static_cast<std::uint64_t>(t.per_wall_s(t.jobs_completed));
  out["enqueues_per_virtual_s"] = static_cast<std::uint64_t>(t.per_virtual_s(t.enqueues_ok));
  out["enqueues_per_wall_s"] = static_cast<std::uint64_t>(t.per_wall_s(t.enqueues_ok));
  out["operations_per_virtual_s"] = static_cast<std::uint64_t>(t.per_virtual_s(t.operations_ok));
  out["operations_per_wall_s"] = static_cast<std::uint64_t>(t.per_wall_s(t.operations_ok));
  out["virtual_to_wall_ratio"] = static_cast<double>(t.virtual_ns) / kSecond / t.wall_s;
  out["jobs_completed"] = t.jobs_completed;
  out["enqueues_ok"] = t.enqueues_ok;
  out["leases_ok"] = t.leases_ok;
  out["leases_empty"] = t.leases_empty;
  out["operations_ok"] = t.operations_ok;
  out["operations_not_ok"] = t.operations_not_ok;
  out["virtual_ms"] = t.virtual_ns / kMillisecond;
  out["wall_ms"] = static_cast<std::uint64_t>(t.wall_s * 1000);
  out["final_checks_wall_ms"] = static_cast<std::uint64_t>(t.check_wall_s * 1000);
  out["verdict"] = t.verdict;
  out["history_full"] = t.history_full;
  out["trace_hash"] = t.trace_hash;
  out["trace_hash_string"] = std::to_string(t.trace_hash);
  out["target_met"] = throughput_met(t);
  return out;
}

nlohmann::ordered_json recovery_json(const Recovery& r) {
  nlohmann::ordered_json out;
  out["nodes"] = r.nodes;
  out["seeds"] = r.seeds;
  out["failures"] = r.failures;
  out["failed_seeds"] = r.failed_seeds;
  out["to_stable_leader"] = percentiles_ms(r.to_leader);
  out["to_acknowledged_operation"] = percentiles_ms(r.to_operation);
  out["healthy_time"] = percentiles_ms(r.healthy);
  out["wall_ms"] = static_cast<std::uint64_t>(r.wall_s * 1000);
  out["target_met"] = recovery_met(r);
  return out;
}

nlohmann::ordered_json load_json(double seconds_measured) {
  char seconds_text[32];
  std::snprintf(seconds_text, sizeof seconds_text, "%g", seconds_measured);
  nlohmann::ordered_json load;
  load["throughput"] =
      "32 client processes x (48 producers + 80 workers) = 4096 closed-loop sessions, one "
      "request in flight each; no think time; work 0-1 ms; 50% keyed enqueues, 3 priorities, "
      "max 5 attempts, lease 500 ms; no failures, abandons, stalls or faults; seed 1; 0.5 s "
      "warm-up not counted, then " +
      std::string(seconds_text) + " virtual s measured";
  load["recovery"] =
      "2 client processes x (4 producers + 8 workers), work 0-5 ms; crash of the leader at 1 s, "
      "never restarted during the 3 s run; request timeout 300 ms";
  load["cluster"] =
      "1 ms one-way links, 100 us fsync, tick 5 ms, election timeout 30-60 ticks (150-300 ms), "
      "heartbeat 6 ticks; trace recording off, online checker off, end-of-run checks on";
  return load;
}

void print_text(const std::vector<Throughput>& rates, const std::vector<Recovery>& recoveries) {
  std::printf("%-6s %12s %12s %12s %12s %12s %8s %8s\n", "nodes", "jobs/virt s", "jobs/wall s",
              "enq/virt s", "ops/virt s", "ops/wall s", "verdict", "target");
  for (const Throughput& t : rates) {
    std::printf("%-6u %12.0f %12.0f %12.0f %12.0f %12.0f %8s %8s\n", t.nodes,
                t.per_virtual_s(t.jobs_completed), t.per_wall_s(t.jobs_completed),
                t.per_virtual_s(t.enqueues_ok), t.per_virtual_s(t.operations_ok),
                t.per_wall_s(t.operations_ok), t.verdict.c_str(),
                throughput_met(t) ? "met" : "MISSED");
  }
  std::printf("target: >= %.0f jobs per virtual second\n\n", kTargetJobsPerVirtualS);
  std::printf("leader crash, virtual ms (p50 / p99 / max)\n");
  std::printf("%-6s %6s %9s %22s %22s %8s\n", "nodes", "seeds", "failures", "to stable leader",
              "to acknowledged op", "target");
  for (const Recovery& r : recoveries) {
    const auto line = [](const std::vector<Time>& sorted) {
      char text[64];
      std::snprintf(text, sizeof text, "%.0f / %.0f / %.0f",
                    to_ms(RecoveryTracker::percentile(sorted, 50)),
                    to_ms(RecoveryTracker::percentile(sorted, 99)),
                    to_ms(sorted.empty() ? 0 : sorted.back()));
      return std::string(text);
    };
    std::printf("%-6u %6llu %9llu %22s %22s %8s\n", r.nodes,
                static_cast<unsigned long long>(r.seeds),
                static_cast<unsigned long long>(r.failures), line(r.to_leader).c_str(),
                line(r.to_operation).c_str(), recovery_met(r) ? "met" : "MISSED");
  }
  std::printf("target: p99 to the acknowledged operation < 1000 ms, no failed run\n");
}

}  // namespace

int run_bench_queue(double seconds_measured, std::uint64_t seeds, bool json) {
  if (!(seconds_measured >= 0.1 && seconds_measured <= kMeasuredSecondsMax)) {
    throw UsageError("bench queue: --seconds must be in [0.1, 1.5] (the history's size limit)");
  }
  std::vector<Throughput> rates;
  for (NodeIndex nodes : {NodeIndex{3}, NodeIndex{5}}) {
    std::fprintf(stderr,
                 "bench queue: throughput, %u nodes, %u sessions, %g virtual s after %g s of "
                 "warm-up...\n",
                 nodes, kThroughputClients * (kThroughputProducers + kThroughputWorkers),
                 seconds_measured, to_ms(kWarmUp) / 1000);
    rates.push_back(
        measure_throughput(nodes, static_cast<Time>(seconds_measured * kSecond), /*seed=*/1));
  }
  std::vector<Recovery> recoveries;
  for (NodeIndex nodes : {NodeIndex{3}, NodeIndex{5}}) {
    std::fprintf(stderr, "bench queue: leader crash, %u nodes, %llu seeds...\n", nodes,
                 static_cast<unsigned long long>(seeds));
    recoveries.push_back(measure_recovery(nodes, seeds));
  }
  bool all_pass = true;
  for (const Throughput& t : rates) {
    all_pass = all_pass && t.verdict == "pass" && !t.history_full && t.virtual_ns > 0;
  }
  for (const Recovery& r : recoveries) all_pass = all_pass && r.failures == 0;
  if (json) {
    nlohmann::ordered_json out;
    out["bench"] = "queue";
    out["load"] = load_json(seconds_measured);
    out["throughput"] = nlohmann::ordered_json::array();
    for (const Throughput& t : rates) out["throughput"].push_back(throughput_json(t));
    out["recovery"] = nlohmann::ordered_json::array();
    for (const Recovery& r : recoveries) out["recovery"].push_back(recovery_json(r));
    out["target_jobs_per_virtual_s"] = kTargetJobsPerVirtualS;
    out["target_recovery_p99_ms"] = to_ms(kTargetRecoveryP99);
    out["all_runs_pass"] = all_pass;
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    print_text(rates, recoveries);
    if (!all_pass) std::printf("SOME RUNS FAILED THEIR CHECKS (see stderr)\n");
  }
  return all_pass ? 0 : 1;
}

}  // namespace raftsim::tools

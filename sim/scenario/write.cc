// raftsim: scenario values back to scenario files (see parse.h): every section in the order
// the format reference lists it, each fault step through its kind's write() hook, so a written
// scenario parses back to the same value and a replayed failure is byte-identical.
#include <nlohmann/json.hpp>

#include "sim/bugs/catalogue.h"
#include "sim/scenario/parse.h"

namespace raftsim::sim {
namespace {

using ordered_json = nlohmann::ordered_json;

ordered_json link_json(const LinkConfig& link) {
  ordered_json out;
  out["latency_ms"] = {to_ms(link.latency_min), to_ms(link.latency_max)};
  out["loss_percent"] = to_percent(link.loss);
  out["duplicate_percent"] = to_percent(link.duplicate);
  out["reorder_percent"] = to_percent(link.reorder);
  out["reorder_delay_ms"] = to_ms(link.reorder_delay_max);
  out["extra_latency_ms"] = to_ms(link.extra_latency);
  return out;
}

ordered_json step_json(const FaultStep& step) {
  ordered_json out;
  out["at_ms"] = to_ms(step.at);
  out["action"] = std::string(fault_name(step.fault));
  if (!step.comment.empty()) out["comment"] = step.comment;
  write_fault(step.fault, out);
  if (step.leading_min > 0) out["leading_ms"] = to_ms(step.leading_min);
  if (!step.bind_as.empty()) out["as"] = step.bind_as;
  return out;
}

void write_cluster(const Scenario& scenario, ordered_json& out) {
  const ServiceClusterOptions& cluster = scenario.cluster;
  out["cluster"] = {
      {"nodes", cluster.nodes},
      {"tick_ms", to_ms(cluster.tick_ns)},
      {"election_timeout_ticks",
       {cluster.raft.election_timeout_ticks_min, cluster.raft.election_timeout_ticks_max}},
      {"heartbeat_ticks", cluster.raft.heartbeat_ticks},
      {"pre_vote", cluster.raft.pre_vote},
      {"check_quorum", cluster.raft.check_quorum},
      {"lease_read", cluster.raft.lease_read},
      {"entries_per_message_max", cluster.raft.entries_per_message_max},
      {"inflight_messages_max", cluster.raft.inflight_messages_max},
      {"snapshot_every_entries", cluster.snapshot_every_entries},
      {"snapshot_chunk_bytes", cluster.raft.snapshot_chunk_bytes_max},
      {"entries_kept_after_snapshot", cluster.raft.entries_kept_after_snapshot}};
  if (cluster.server_slots() > cluster.nodes) out["cluster"]["max_nodes"] = cluster.server_slots();
  if (cluster.perturb) out["cluster"]["perturb"] = true;
  out["network"] = link_json(cluster.link);
  out["disk"] = {
      {"sync_ms", {to_ms(cluster.disk.sync_latency_min), to_ms(cluster.disk.sync_latency_max)}},
      {"torn_write_percent", to_percent(cluster.disk.torn_write_on_crash)},
      {"capacity_bytes", cluster.disk.capacity_bytes},
      {"crash_can_interrupt_sync", cluster.disk.crash_can_interrupt_sync}};
  if (cluster.wal_segment_bytes != 0) out["disk"]["wal_segment_bytes"] = cluster.wal_segment_bytes;
  if (!cluster.clocks.empty()) {
    ordered_json clocks = ordered_json::array();
    for (NodeIndex node = 0; node < cluster.clocks.size(); ++node) {
      const ClockConfig& clock = cluster.clocks[node];
      if (clock.wall_offset == 0 && clock.drift_ppm == 0) continue;
      clocks.push_back({{"node", "n" + std::to_string(node)},
                        {"skew_ms", to_ms(clock.wall_offset)},
                        {"drift_ppm", clock.drift_ppm}});
    }
    out["clocks"] = clocks;
  }
}

void write_workload(const Scenario& scenario, ordered_json& out) {
  const ServiceClusterOptions& cluster = scenario.cluster;
  const KvWorkload& workload = cluster.workload;
  ordered_json workload_json;
  if (cluster.workload_type == ServiceClusterOptions::Workload::queue) {
    const QueueWorkload& queue = cluster.queue;
    workload_json = {{"type", "queue"},
                     {"clients", cluster.clients},
                     {"producers", queue.producers},
                     {"workers", queue.workers},
                     {"jobs_per_producer", queue.jobs_per_producer},
                     {"keyed_percent", queue.keyed_percent},
                     {"resend_percent", queue.resend_percent},
                     {"priorities", queue.priorities},
                     {"max_attempts", queue.max_attempts},
                     {"max_attempts_min", queue.max_attempts_min},
                     {"delayed_percent", queue.delayed_percent},
                     {"delay_ms", {to_ms(queue.delay_min), to_ms(queue.delay_max)}},
                     {"lease_ms", to_ms(queue.lease)},
                     {"work_ms", {to_ms(queue.work_min), to_ms(queue.work_max)}},
                     {"fail_percent", queue.fail_percent},
                     {"abandon_percent", queue.abandon_percent},
                     {"stall_percent", queue.stall_percent},
                     {"poll_ms", to_ms(queue.poll_interval)}};
  } else {
    workload_json = {{"type", "kv"},
                     {"clients", cluster.clients},
                     {"sessions", workload.sessions},
                     {"keys", workload.keys},
                     {"mix",
                      {{"get", workload.get_weight},
                       {"put", workload.put_weight},
                       {"append", workload.append_weight},
                       {"cas", workload.cas_weight}}}};
    if (workload.operations_max != UINT64_MAX &&
        workload.operations_max <= History::kOperationsMax) {
      workload_json["operations_max"] = workload.operations_max;
    }
  }
  workload_json.update(ordered_json{{"think_ms", to_ms(workload.think_time_max)},
                                    {"request_timeout_ms", to_ms(workload.request_timeout)},
                                    {"operation_timeout_ms", to_ms(workload.operation_timeout)},
                                    {"retry_backoff_ms", to_ms(workload.retry_backoff)},
                                    {"attempts_max", workload.attempts_max}});
  out["workload"] = workload_json;
}

void write_nemesis(const Scenario& scenario, ordered_json& out) {
  if (scenario.nemesis) {
    const Nemesis& nemesis = *scenario.nemesis;
    ordered_json kinds = ordered_json::array();
    for (NemesisKind kind : nemesis.kinds) kinds.push_back(std::string(kind.name()));
    ordered_json budgets = ordered_json::object();
    for (std::size_t i = 0; i < nemesis.kind_budgets.size(); ++i) {
      if (nemesis.kind_budgets[i] != UINT32_MAX) {
        budgets[std::string(NemesisKinds::names[i])] = nemesis.kind_budgets[i];
      }
    }
    out["nemesis"] = {{"kinds", kinds},
                      {"start_ms", to_ms(nemesis.start)},
                      {"stop_ms", to_ms(nemesis.stop)},
                      {"interval_ms", {to_ms(nemesis.interval_min), to_ms(nemesis.interval_max)}},
                      {"hold_ms", {to_ms(nemesis.hold_min), to_ms(nemesis.hold_max)}},
                      {"faults_max", nemesis.faults_max},
                      {"budgets", budgets}};
  }
}

void write_leadership_bounds(const LeadershipBounds& bounds, ordered_json& out) {
  if (bounds.leader_changes_max) out["leader_changes_max"] = *bounds.leader_changes_max;
  if (bounds.leaderless_max) out["leaderless_ms_max"] = to_ms(*bounds.leaderless_max);
}

void write_checks(const Scenario& scenario, ordered_json& out) {
  const Checks& checks = scenario.checks;
  out["checks"] = {{"linearizability", checks.linearizability},
                   {"durability", checks.durability},
                   {"queue", checks.queue},
                   {"recovery", checks.recovery},
                   {"liveness_timeout_ms", to_ms(checks.liveness_timeout)},
                   {"linearizability_steps_max", checks.linearizability_steps_max}};
  const Checks defaults;
  if (checks.linearizability_memory_mb != defaults.linearizability_memory_mb) {
    out["checks"]["linearizability_memory_mb"] = checks.linearizability_memory_mb;
  }
  if (checks.linearizability_failed_cas != defaults.linearizability_failed_cas) {
    out["checks"]["linearizability_failed_cas"] = checks.linearizability_failed_cas;
  }
  if (checks.linearizability_nil_read != defaults.linearizability_nil_read) {
    out["checks"]["linearizability_nil_read"] = checks.linearizability_nil_read;
  }
  if (checks.recovery_max) out["checks"]["recovery_ms_max"] = to_ms(*checks.recovery_max);
  if (checks.term_max) out["checks"]["term_max"] = *checks.term_max;
  if (checks.stable_leader_bound) {
    out["checks"]["stable_leader_ms_max"] = to_ms(*checks.stable_leader_bound);
  }
  write_leadership_bounds(checks.leadership, out["checks"]);
  if (!checks.after_steps.empty()) {
    ordered_json list = ordered_json::array();
    for (const StepLeadershipBounds& after : checks.after_steps) {
      ordered_json entry = {{"step", after.step}};
      write_leadership_bounds(after.bounds, entry);
      list.push_back(entry);
    }
    out["checks"]["after_step"] = list;
  }
}

void write_explore(const Scenario& scenario, ordered_json& out) {
  if (scenario.explore) {
    const ExploreSection& explore = *scenario.explore;
    ordered_json campaigners = ordered_json::array();
    for (NodeIndex node : explore.campaigners) campaigners.push_back("n" + std::to_string(node));
    out["explore"] = {{"proposals", explore.proposals},
                      {"crashes", explore.crashes},
                      {"drops", explore.drops},
                      {"duplicates", explore.duplicates},
                      {"heartbeats", explore.heartbeats},
                      {"timeouts", explore.timeouts},
                      {"term_max", explore.term_max},
                      {"pre_vote", explore.pre_vote},
                      {"entries_per_message_max", explore.entries_per_message_max},
                      {"inflight_messages_max", explore.inflight_messages_max},
                      {"messages_in_flight_max", explore.messages_in_flight_max},
                      {"dead_messages", explore.dead_messages},
                      {"sleep_sets", explore.sleep_sets},
                      {"strategy", explore.strategy},
                      {"depth_max", explore.depth_max},
                      {"states_max", explore.states_max},
                      {"bug", explore.bug},
                      {"expect_violation", explore.expect_violation}};
    if (!campaigners.empty()) out["explore"]["campaigners"] = campaigners;
    if (explore.initial_voters != 0) out["explore"]["initial_voters"] = explore.initial_voters;
    if (explore.membership_changes != 0) {
      out["explore"]["membership_changes"] = explore.membership_changes;
      out["explore"]["joint_changes"] = explore.joint_changes;
    }
    if (!explore.schedule.empty()) out["explore"]["schedule"] = explore.schedule;
  }
}

}  // namespace

std::string scenario_to_json(const Scenario& scenario) {
  ordered_json out;
  out["version"] = scenario.version;
  out["name"] = scenario.name;
  if (!scenario.description.empty()) out["description"] = scenario.description;
  out["seed"] = scenario.seed;
  out["duration_ms"] = to_ms(scenario.duration);
  out["settle_ms_max"] = to_ms(scenario.settle_max);
  if (scenario.events_max != 0) out["events_max"] = scenario.events_max;
  if (scenario.memory_mb != kScenarioMemoryMbDefault) out["memory_mb"] = scenario.memory_mb;
  if (scenario.bug != Bug::none) out["bug"] = bug_name(scenario.bug);
  write_cluster(scenario, out);
  write_workload(scenario, out);
  ordered_json faults = ordered_json::array();
  for (const FaultStep& step : scenario.faults) faults.push_back(step_json(step));
  out["faults"] = faults;
  write_nemesis(scenario, out);
  write_checks(scenario, out);
  write_explore(scenario, out);
  out["expect"] = scenario.expect.pass
                      ? ordered_json{{"verdict", "pass"}}
                      : ordered_json{{"verdict", "fail"}, {"checker", scenario.expect.checker}};
  return out.dump(2) + "\n";
}

}  // namespace raftsim::sim

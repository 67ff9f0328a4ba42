// raftsim: reading a scenario's `checks` section (see parse_checks.h).
#include "sim/scenario/parse_checks.h"

#include <string>

namespace raftsim::sim {

namespace {

using nlohmann::json;

constexpr double kMsMax = 3'600'000;  // one hour

void read_leadership_bounds(JsonObjectReader& reader, LeadershipBounds& bounds) {
  std::uint64_t changes = 0;
  if (reader.read_uint("leader_changes_max", changes, 0, UINT64_MAX)) {
    bounds.leader_changes_max = changes;
  }
  Time leaderless = 0;
  if (reader.read_ms("leaderless_ms_max", leaderless, 0, kMsMax))
    bounds.leaderless_max = leaderless;
}

// One entry of after_step: {"step", "leader_changes_max", "leaderless_ms_max"}.
void parse_after_step(const json& value, const std::string& path, std::size_t steps,
                      Scenario& scenario, JsonErrors& errors) {
  JsonObjectReader entry(&value, path, errors);
  if (!entry.valid() || !value.is_object()) {
    errors.add(path, "an object", value);
    return;
  }
  StepLeadershipBounds bounds;
  const std::string positions =
      steps == 0 ? std::string("a step in /faults, which has none")
                 : "the position of a step in /faults (0.." + std::to_string(steps - 1) + ")";
  std::uint64_t step = 0;
  if (steps == 0 || !entry.has("step")) {
    entry.error("step", positions);
  } else if (entry.read_uint("step", step, 0, steps - 1)) {
    bounds.step = step;
  }
  read_leadership_bounds(entry, bounds.bounds);
  if (!bounds.bounds.any()) {
    entry.error("leader_changes_max", "at least one of leader_changes_max, leaderless_ms_max");
  }
  entry.finish();
  scenario.checks.after_steps.push_back(bounds);
}

// checks.after_step: leadership bounds from a fault step on, the step named by its position in
// `faults`; positions are only unambiguous when the file lists its steps in time order.
void parse_after_steps(JsonObjectReader& reader, bool faults_in_time_order, Scenario& scenario,
                       JsonErrors& errors) {
  const json* list = reader.field("after_step");
  if (list == nullptr) return;
  const std::string path = reader.path_of("after_step");
  if (!list->is_array() || list->size() > kAfterStepBoundsMax) {
    errors.add(path,
               "an array of at most " + std::to_string(kAfterStepBoundsMax) +
                   " objects {\"step\", \"leader_changes_max\", \"leaderless_ms_max\"}",
               *list);
    return;
  }
  for (std::size_t i = 0; i < list->size(); ++i) {
    parse_after_step((*list)[i], path + "/" + std::to_string(i), scenario.faults.size(), scenario,
                     errors);
  }
  if (!faults_in_time_order) {
    errors.add_message(path,
                       "steps are named by their position in /faults, so list /faults in "
                       "time order (by at_ms) to use after_step");
  }
}

}  // namespace

void parse_checks_section(JsonObjectReader reader, bool faults_in_time_order, Scenario& scenario,
                          JsonErrors& errors) {
  Checks& checks = scenario.checks;
  reader.read_bool("linearizability", checks.linearizability);
  reader.read_bool("durability", checks.durability);
  reader.read_bool("queue", checks.queue);
  reader.read_bool("recovery", checks.recovery);
  Time bound = 0;
  if (reader.read_ms("recovery_ms_max", bound, 1, kMsMax)) checks.recovery_max = bound;
  reader.read_ms("liveness_timeout_ms", checks.liveness_timeout, 1, kMsMax);
  std::uint64_t term_max = 0;
  if (reader.read_uint("term_max", term_max, 1, UINT64_MAX)) checks.term_max = term_max;
  Time stable_leader = 0;
  if (reader.read_ms("stable_leader_ms_max", stable_leader, 0, kMsMax)) {
    checks.stable_leader_bound = stable_leader;
  }
  read_leadership_bounds(reader, checks.leadership);
  parse_after_steps(reader, faults_in_time_order, scenario, errors);
  reader.read_uint("linearizability_steps_max", checks.linearizability_steps_max, 1,
                   std::uint64_t{1} << 40);
  reader.read_uint("linearizability_memory_mb", checks.linearizability_memory_mb, 1, 65536);
  reader.read_choice("linearizability_failed_cas", checks.linearizability_failed_cas,
                     {"observe", "ignore"});
  reader.read_choice("linearizability_nil_read", checks.linearizability_nil_read,
                     {"value", "unknown"});
  reader.finish();
}

// An expectation that a checker fires, on a checker the scenario switches off (or one its
// workload never runs), could only be met by another checker failing: a contradiction.
void check_expected_checker_runs(const Scenario& scenario, const std::string& path,
                                 JsonErrors& errors) {
  const std::string& checker = scenario.expect.checker;
  const Checks& checks = scenario.checks;
  const char* switch_off = nullptr;
  if (checker == "durability" && !checks.durability) switch_off = "/checks/durability";
  if (checker == "linearizability" && !checks.linearizability) {
    switch_off = "/checks/linearizability";
  }
  if (checker == "queue" && !checks.queue) switch_off = "/checks/queue";
  if ((checker == "recovery" || checker == "liveness") && !checks.recovery) {
    switch_off = "/checks/recovery";
  }
  if (switch_off != nullptr) {
    errors.add_message(path, "expects the " + checker + " checker to fire, but " +
                                 std::string(switch_off) + " switches it off");
  }
  const bool queue_workload =
      scenario.cluster.workload_type == ServiceClusterOptions::Workload::queue;
  if (checker == "queue" && !queue_workload) {
    errors.add_message(path,
                       "expects the queue checker to fire, but /workload is not a queue "
                       "workload (the queue checker runs on queue workloads only)");
  }
}

}  // namespace raftsim::sim

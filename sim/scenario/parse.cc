// raftsim: scenario files to Scenario values (see parse.h). Each section has its reader here;
// a fault step's own fields are read by its kind (faults/), its selectors checked by
// selector_check.h. Writing is write.cc.
#include "sim/scenario/parse.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "raft/storage/wal.h"
#include "sim/bugs/catalogue.h"
#include "sim/files/input_file.h"
#include "sim/files/strict_json.h"
#include "sim/files/text.h"
#include "sim/scenario/json_reader.h"
#include "sim/scenario/parse_checks.h"
#include "sim/scenario/selector_check.h"

namespace raftsim::sim {

namespace {

using nlohmann::json;
using ordered_json = nlohmann::ordered_json;

constexpr double kMsMax = 3'600'000;  // one hour

class ScenarioParser {
 public:
  ScenarioParser(const json& document, JsonErrors& errors) : document_(document), errors_(errors) {}

  Scenario parse() {
    JsonObjectReader root(&document_, "", errors_);
    if (!root.valid()) return scenario_;
    std::int64_t version = 0;
    if (!root.has("version")) {
      root.error("version", "the format version " + std::to_string(kScenarioFormatVersion));
    } else if (root.read_int("version", version, 1, 1000) && version != kScenarioFormatVersion) {
      root.error("version", "the format version " + std::to_string(kScenarioFormatVersion) +
                                " (this raftsim reads only that)");
    }
    if (!root.read_string("name", scenario_.name, true) && !root.has("name")) {
      root.error("name", "a non-empty string");
    }
    root.read_string("description", scenario_.description);
    root.read_uint("seed", scenario_.seed, 0, UINT64_MAX);
    root.read_ms("duration_ms", scenario_.duration, 1, kMsMax);
    root.read_ms("settle_ms_max", scenario_.settle_max, 0, kMsMax);
    root.read_uint("events_max", scenario_.events_max, 0, kScenarioEventsMax);
    root.read_uint("memory_mb", scenario_.memory_mb, 1, kScenarioMemoryMbMax);
    parse_bug(root);

    parse_cluster(root.object("cluster"));
    parse_network(root.object("network"));
    parse_disk(root.object("disk"));
    parse_workload(root.object("workload"));
    parse_clocks(root);
    parse_faults(root);
    if (root.has("nemesis")) parse_nemesis(root.object("nemesis"));
    if (root.has("explore")) parse_explore(root.object("explore"));
    parse_checks(root.object("checks"));
    parse_expect(root.object("expect"));
    root.finish();
    return scenario_;
  }

 private:
  void parse_bug(JsonObjectReader& root) {
    const json* value = root.field("bug");
    if (value == nullptr) return;
    std::string names;
    std::vector<std::string_view> known;
    const std::string given = value->is_string() ? value->get<std::string>() : "";
    for (const BugInfo& info : bug_catalogue()) {
      names += (names.empty() ? "\"" : ", \"") + std::string(info.name) + "\"";
      known.push_back(info.name);
    }
    const std::string closest = closest_name(given, known);
    if (value->is_string() && given == "none") return;
    if (std::optional<Bug> bug = bug_from_name(given); bug && value->is_string()) {
      scenario_.bug = *bug;
      return;
    }
    const std::string hint = closest.empty() ? "" : " (did you mean \"" + closest + "\"?)";
    errors_.add(root.path_of("bug"), "a bug name from `raftsim bugs`: \"none\", " + names + hint,
                *value);
  }

  void parse_cluster(JsonObjectReader reader) {
    ServiceClusterOptions& cluster = scenario_.cluster;
    std::uint64_t nodes = cluster.nodes;
    if (reader.read_uint("nodes", nodes, 1, kScenarioNodesMax)) cluster.nodes = nodes;
    std::uint64_t max_nodes = cluster.nodes;
    if (reader.read_uint("max_nodes", max_nodes, 1, kScenarioNodesMax)) {
      if (max_nodes < cluster.nodes) {
        reader.error("max_nodes", "at least \"nodes\" (" + std::to_string(cluster.nodes) +
                                      "): the largest node id the run may use, plus one");
      } else {
        cluster.max_nodes = static_cast<NodeIndex>(max_nodes);
      }
    }
    nodes_ = cluster.server_slots();
    std::int64_t tick = cluster.tick_ns;
    if (reader.read_ms("tick_ms", tick, 0.1, 1000)) cluster.tick_ns = tick;
    if (const json* range = reader.field("election_timeout_ticks")) {
      const bool ok = range->is_array() && range->size() == 2 && (*range)[0].is_number_unsigned() &&
                      (*range)[1].is_number_unsigned() && (*range)[0].get<std::uint64_t>() >= 2 &&
                      (*range)[0].get<std::uint64_t>() < (*range)[1].get<std::uint64_t>() &&
                      (*range)[1].get<std::uint64_t>() <= 100'000;
      if (!ok) {
        errors_.add(reader.path_of("election_timeout_ticks"),
                    "[min, max) ticks with 2 <= min < max <= 100000", *range);
      } else {
        cluster.raft.election_timeout_ticks_min =
            static_cast<std::uint32_t>((*range)[0].get<std::uint64_t>());
        cluster.raft.election_timeout_ticks_max =
            static_cast<std::uint32_t>((*range)[1].get<std::uint64_t>());
      }
    }
    std::uint64_t value = cluster.raft.heartbeat_ticks;
    if (reader.read_uint("heartbeat_ticks", value, 1, 100'000)) {
      cluster.raft.heartbeat_ticks = static_cast<std::uint32_t>(value);
      if (cluster.raft.heartbeat_ticks >= cluster.raft.election_timeout_ticks_min) {
        reader.error("heartbeat_ticks",
                     "fewer ticks than election_timeout_ticks' minimum (" +
                         std::to_string(cluster.raft.election_timeout_ticks_min) + ")");
      }
    }
    reader.read_bool("pre_vote", cluster.raft.pre_vote);
    reader.read_bool("check_quorum", cluster.raft.check_quorum);
    reader.read_bool("lease_read", cluster.raft.lease_read);
    value = cluster.raft.entries_per_message_max;
    if (reader.read_uint("entries_per_message_max", value, 1, 65'536)) {
      cluster.raft.entries_per_message_max = value;
    }
    value = cluster.raft.inflight_messages_max;
    if (reader.read_uint("inflight_messages_max", value, 1, 1024)) {
      cluster.raft.inflight_messages_max = static_cast<std::uint32_t>(value);
    }
    reader.read_uint("snapshot_every_entries", cluster.snapshot_every_entries, 0, 1'000'000'000);
    if (reader.read_bool("perturb", cluster.perturb) && cluster.perturb &&
        !kPerturbationCompiledIn) {
      reader.error("perturb", "perturbation is compiled out of this build (RAFTSIM_PERTURBATION)");
    }
    value = cluster.raft.snapshot_chunk_bytes_max;
    if (reader.read_uint("snapshot_chunk_bytes", value, 1, std::uint64_t{16} << 20)) {
      cluster.raft.snapshot_chunk_bytes_max = value;
    }
    value = cluster.raft.entries_kept_after_snapshot;
    if (reader.read_uint("entries_kept_after_snapshot", value, 0, 1'000'000'000)) {
      cluster.raft.entries_kept_after_snapshot = value;
    }
    reader.finish();
  }

  static void read_link(JsonObjectReader& reader, LinkConfig& link) {
    reader.read_ms_range("latency_ms", link.latency_min, link.latency_max, 0, 60'000);
    std::uint64_t ppm = 0;
    if (reader.read_percent_ppm("loss_percent", ppm)) link.loss = Ratio::per_million(ppm);
    if (reader.read_percent_ppm("duplicate_percent", ppm)) link.duplicate = Ratio::per_million(ppm);
    if (reader.read_percent_ppm("reorder_percent", ppm)) link.reorder = Ratio::per_million(ppm);
    reader.read_ms("reorder_delay_ms", link.reorder_delay_max, 0, 60'000);
    reader.read_ms("extra_latency_ms", link.extra_latency, 0, 60'000);
  }

  void parse_network(JsonObjectReader reader) {
    read_link(reader, scenario_.cluster.link);
    reader.finish();
  }

  void parse_disk(JsonObjectReader reader) {
    DiskConfig& disk = scenario_.cluster.disk;
    reader.read_ms_range("sync_ms", disk.sync_latency_min, disk.sync_latency_max, 0, 10'000);
    std::uint64_t ppm = 0;
    if (reader.read_percent_ppm("torn_write_percent", ppm)) {
      disk.torn_write_on_crash = Ratio::per_million(ppm);
    }
    reader.read_uint("capacity_bytes", disk.capacity_bytes, 4096, std::uint64_t{1} << 40);
    reader.read_bool("crash_can_interrupt_sync", disk.crash_can_interrupt_sync);
    reader.read_uint("wal_segment_bytes", scenario_.cluster.wal_segment_bytes,
                     wal_limits::kSegmentBytesMaxFloor, wal_limits::kSegmentBytesMaxCeiling);
    reader.finish();
  }

  void parse_queue_workload(JsonObjectReader& reader) {
    QueueWorkload& queue = scenario_.cluster.queue;
    std::uint64_t value = 0;
    auto read_u32 = [&](std::string_view name, std::uint32_t& out, std::uint64_t min,
                        std::uint64_t max) {
      if (reader.read_uint(name, value, min, max)) out = static_cast<std::uint32_t>(value);
    };
    read_u32("producers", queue.producers, 0, QueueClient::kSessionsMax);
    read_u32("workers", queue.workers, 0, QueueClient::kSessionsMax);
    if (queue.producers + queue.workers == 0 ||
        queue.producers + queue.workers > QueueClient::kSessionsMax) {
      errors_.add_message(reader.path(), "expected 1 to " +
                                             std::to_string(QueueClient::kSessionsMax) +
                                             " producers and workers per client together");
    }
    reader.read_uint("jobs_per_producer", queue.jobs_per_producer, 0, 10'000'000);
    read_u32("keyed_percent", queue.keyed_percent, 0, 100);
    read_u32("resend_percent", queue.resend_percent, 0, 100);
    read_u32("priorities", queue.priorities, 1, 256);
    read_u32("max_attempts", queue.max_attempts, 1, 1000);
    read_u32("max_attempts_min", queue.max_attempts_min, 0, 1000);
    if (queue.max_attempts_min > queue.max_attempts) {
      errors_.add_message(reader.path(), "expected max_attempts_min <= max_attempts");
    }
    read_u32("delayed_percent", queue.delayed_percent, 0, 100);
    reader.read_ms_range("delay_ms", queue.delay_min, queue.delay_max, 0, 3'600'000);
    reader.read_ms("lease_ms", queue.lease, 1, 12 * 3'600'000.0);
    reader.read_ms_range("work_ms", queue.work_min, queue.work_max, 0, 3'600'000);
    read_u32("fail_percent", queue.fail_percent, 0, 100);
    read_u32("abandon_percent", queue.abandon_percent, 0, 100);
    read_u32("stall_percent", queue.stall_percent, 0, 100);
    reader.read_ms("poll_ms", queue.poll_interval, 0, 60'000);
  }

  void parse_kv_operations(JsonObjectReader& reader) {
    KvWorkload& workload = scenario_.cluster.workload;
    std::uint64_t value = workload.sessions;
    if (reader.read_uint("sessions", value, 1, KvClient::kSessionsMax)) {
      workload.sessions = static_cast<std::uint32_t>(value);
    }
    value = workload.keys;
    if (reader.read_uint("keys", value, 1, 1'000'000)) {
      workload.keys = static_cast<std::uint32_t>(value);
    }
    if (reader.has("mix")) {
      JsonObjectReader mix = reader.object("mix");
      std::uint32_t* weights[] = {&workload.get_weight, &workload.put_weight,
                                  &workload.append_weight, &workload.cas_weight};
      const char* names[] = {"get", "put", "append", "cas"};
      std::uint32_t total = 0;
      for (int i = 0; i < 4; ++i) {
        std::uint64_t weight = 0;
        if (mix.valid()) *weights[i] = 0;  // a mix names every weight it wants
        if (mix.read_uint(names[i], weight, 0, 1'000'000)) {
          *weights[i] = static_cast<std::uint32_t>(weight);
        }
        total += *weights[i];
      }
      if (mix.valid() && total == 0) {
        errors_.add_message(mix.path(), "expected at least one operation with a weight above 0");
      }
      mix.finish();
    }
    reader.read_uint("operations_max", workload.operations_max, 0, History::kOperationsMax);
  }

  // Fields a workload of either type reads; the rest depend on "type" (others are unknown).
  void parse_workload(JsonObjectReader reader) {
    KvWorkload& workload = scenario_.cluster.workload;
    std::string type = "kv";
    reader.read_choice("type", type, {"kv", "queue"});
    std::uint64_t value = scenario_.cluster.clients;
    if (reader.read_uint("clients", value, 0, kScenarioClientsMax)) {
      scenario_.cluster.clients = static_cast<NodeIndex>(value);
    }
    if (type == "queue") {
      scenario_.cluster.workload_type = ServiceClusterOptions::Workload::queue;
      parse_queue_workload(reader);
    } else {
      parse_kv_operations(reader);
    }
    reader.read_ms("think_ms", workload.think_time_max, 0, 60'000);
    reader.read_ms("request_timeout_ms", workload.request_timeout, 1, 600'000);
    reader.read_ms("operation_timeout_ms", workload.operation_timeout, 1, kMsMax);
    reader.read_ms("retry_backoff_ms", workload.retry_backoff, 0, 60'000);
    value = workload.attempts_max;
    if (reader.read_uint("attempts_max", value, 1, 1'000'000)) {
      workload.attempts_max = static_cast<std::uint32_t>(value);
    }
    reader.finish();
  }

  void parse_clocks(JsonObjectReader& root) {
    const json* clocks = root.field("clocks");
    if (clocks == nullptr) return;
    if (!clocks->is_array()) {
      errors_.add("/clocks", "an array of {\"node\", \"skew_ms\", \"drift_ppm\"}", *clocks);
      return;
    }
    scenario_.cluster.clocks.assign(nodes_, ClockConfig{});
    std::set<NodeIndex> seen;
    for (std::size_t i = 0; i < clocks->size(); ++i) {
      JsonObjectReader reader(&(*clocks)[i], "/clocks/" + std::to_string(i), errors_);
      if (!reader.valid()) continue;
      std::string name;
      std::optional<NodeIndex> node;
      if (reader.read_string("node", name)) {
        node = node_from_name(name, nodes_);
        if (!node) reader.error("node", node_names());
      } else if (!reader.has("node")) {
        reader.error("node", node_names());
      }
      ClockConfig config;
      reader.read_ms("skew_ms", config.wall_offset, -kMsMax, kMsMax);
      reader.read_int("drift_ppm", config.drift_ppm, -NodeClock::kDriftPpmMax,
                      NodeClock::kDriftPpmMax);
      if (node) {
        if (!seen.insert(*node).second) {
          reader.error("node", "a node not configured earlier in /clocks");
        } else {
          scenario_.cluster.clocks[*node] = config;
        }
      }
      reader.finish();
    }
  }

  std::string node_names() const { return expected_node_name(nodes_); }

  void parse_faults(JsonObjectReader& root) {
    const json* faults = root.field("faults");
    if (faults == nullptr) return;
    if (!faults->is_array()) {
      errors_.add("/faults", "an array of fault steps", *faults);
      return;
    }
    if (faults->size() > kScenarioFaultStepsMax) {
      errors_.add("/faults", "at most " + std::to_string(kScenarioFaultStepsMax) + " steps",
                  *faults);
      return;
    }
    SelectorChecker selectors(nodes_, scenario_.cluster.clients, errors_);
    selectors.set_bootstrap_nodes(scenario_.cluster.nodes);
    selectors.set_queue_workload(scenario_.cluster.workload_type ==
                                 ServiceClusterOptions::Workload::queue);
    // Bindings are resolved in time order, so read the times first.
    std::vector<std::pair<Time, std::size_t>> order;
    for (std::size_t i = 0; i < faults->size(); ++i) {
      const json& step = (*faults)[i];
      Time at = 0;
      if (step.is_object() && step.contains("at_ms") && step["at_ms"].is_number()) {
        at = std::llround(step["at_ms"].get<double>() * 1e6);
      }
      order.emplace_back(at, i);
      if (step.is_object() && step.contains("as") && step["as"].is_string()) {
        selectors.expect_binding(step["as"].get<std::string>());
      }
    }
    faults_in_file_order_ = std::is_sorted(
        order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::stable_sort(order.begin(), order.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (const auto& [at, index] : order) {
      (void)at;
      FaultStep step;
      if (parse_step((*faults)[index], "/faults/" + std::to_string(index), selectors, step)) {
        // Membership changes go through the operator console: the run gets one.
        if (needs_admin(step.fault)) scenario_.cluster.admin_client = true;
        scenario_.faults.push_back(std::move(step));
      }
    }
  }

  // The fields every step has; the kind's own fields are read by its parse hook (faults/).
  bool parse_step(const json& value, const std::string& path, SelectorChecker& selectors,
                  FaultStep& step) {
    JsonObjectReader reader(&value, path, errors_);
    if (!reader.valid()) return false;
    const std::size_t errors_before = errors_.messages().size();
    if (!reader.read_ms("at_ms", step.at, 0, kMsMax) && !reader.has("at_ms")) {
      reader.error("at_ms", "the time of the step in milliseconds");
    } else if (step.at > scenario_.duration) {
      reader.error("at_ms", "a time within duration_ms (" +
                                std::to_string(scenario_.duration / kMillisecond) + " ms)");
    }
    reader.read_string("comment", step.comment);
    std::string action;
    if (!reader.read_choice("action", action, fault_names())) {
      if (!reader.has("action")) reader.error("action", "the kind of fault, e.g. \"crash\"");
      reader.finish();
      return false;
    }
    step.fault = *make_fault(action);
    FaultReader fields{reader, selectors, errors_, path};
    parse_fault(step.fault, fields);
    if (reader.has("leading_ms")) {
      if (!step_names(step, "new-leader")) {
        reader.error("leading_ms",
                     "only with the \"new-leader\" selector (how long that leader must have led)");
      } else {
        reader.read_ms("leading_ms", step.leading_min, 0, 60'000);
      }
    }
    if (reader.has("as")) parse_binding(reader, selectors, step);
    reader.finish();
    return errors_.messages().size() == errors_before;
  }

  // "as": the kinds with kBindsName name the node their target resolved to.
  void parse_binding(JsonObjectReader& reader, SelectorChecker& selectors, FaultStep& step) {
    std::string name;
    if (!binds_name(step.fault)) {
      std::string kinds;
      for (std::string_view kind : fault_names()) {
        if (!binds_name(*make_fault(kind))) continue;
        kinds += (kinds.empty() ? "" : ", ") + std::string(kind);
      }
      kinds.replace(kinds.rfind(", "), 2, " and ");
      reader.error("as", "no \"as\" here (only " + kinds + " bind a name)");
    } else if (reader.read_string("as", name, true)) {
      const Selector& target = *fault_target(step.fault);
      if (is_selector_keyword(name) || node_from_name(name, 1000)) {
        reader.error("as", "a name that is neither a keyword nor a node name");
      } else if (target == "all" || target == "followers") {
        reader.error("as", "no \"as\" with a target that names several nodes");
      } else {
        step.bind_as = name;
        selectors.bind(name);
      }
    }
  }

  void parse_nemesis(JsonObjectReader reader) {
    if (!reader.valid()) return;
    Nemesis nemesis;
    nemesis.kind_budgets.assign(kNemesisKinds, UINT32_MAX);
    std::vector<std::string> kinds;
    if (reader.read_string_list("kinds", kinds)) {
      for (std::size_t i = 0; i < kinds.size(); ++i) {
        const std::optional<NemesisKind> kind = NemesisKind::from_name(kinds[i]);
        if (!kind) {
          std::string names;
          for (std::string_view name : NemesisKinds::names) {
            names += (names.empty() ? "" : ", ") + std::string(name);
          }
          errors_.add_message(reader.path_of("kinds") + "/" + std::to_string(i),
                              "expected one of " + names + ", found \"" + kinds[i] + "\"");
        } else if (std::find(nemesis.kinds.begin(), nemesis.kinds.end(), *kind) ==
                   nemesis.kinds.end()) {
          nemesis.kinds.push_back(*kind);
          if (kind->needs_admin()) scenario_.cluster.admin_client = true;
        }
      }
    } else if (!reader.has("kinds")) {
      reader.error("kinds", "a non-empty array of fault kinds");
    }
    reader.read_ms("start_ms", nemesis.start, 0, kMsMax);
    nemesis.stop = scenario_.duration;
    reader.read_ms("stop_ms", nemesis.stop, 0, kMsMax);
    reader.read_ms_range("interval_ms", nemesis.interval_min, nemesis.interval_max, 1, kMsMax);
    reader.read_ms_range("hold_ms", nemesis.hold_min, nemesis.hold_max, 1, kMsMax);
    std::uint64_t budget = nemesis.faults_max;
    if (reader.read_uint("faults_max", budget, 0, 1'000'000)) {
      nemesis.faults_max = static_cast<std::uint32_t>(budget);
    }
    if (reader.has("budgets")) {
      JsonObjectReader budgets = reader.object("budgets");
      for (std::size_t i = 0; i < kNemesisKinds; ++i) {
        std::uint64_t value = 0;
        if (budgets.read_uint(NemesisKinds::names[i], value, 0, 1'000'000)) {
          nemesis.kind_budgets[i] = static_cast<std::uint32_t>(value);
        }
      }
      budgets.finish();
    }
    reader.finish();
    scenario_.nemesis = std::move(nemesis);
  }

  void parse_checks(JsonObjectReader reader) {
    parse_checks_section(reader, faults_in_file_order_, scenario_, errors_);
  }

  void parse_explore(JsonObjectReader reader) {
    if (!reader.valid()) return;
    ExploreSection explore;
    std::uint64_t value = 0;
    auto read_u32 = [&](std::string_view name, std::uint32_t& out, std::uint64_t min,
                        std::uint64_t max) {
      value = out;
      if (reader.read_uint(name, value, min, max)) out = static_cast<std::uint32_t>(value);
    };
    read_u32("proposals", explore.proposals, 0, 255);
    read_u32("crashes", explore.crashes, 0, 100);
    read_u32("drops", explore.drops, 0, 100);
    read_u32("duplicates", explore.duplicates, 0, 100);
    read_u32("heartbeats", explore.heartbeats, 0, 100);
    read_u32("timeouts", explore.timeouts, 0, 100);
    reader.read_uint("term_max", explore.term_max, 1, 100);
    std::vector<std::string> campaigners;
    if (reader.read_string_list("campaigners", campaigners)) {
      for (std::size_t i = 0; i < campaigners.size(); ++i) {
        const std::optional<NodeIndex> node = node_from_name(campaigners[i], nodes_);
        if (!node) {
          errors_.add(reader.path_of("campaigners") + "/" + std::to_string(i),
                      "a node name n0..n" + std::to_string(nodes_ - 1), json(campaigners[i]));
        } else {
          explore.campaigners.push_back(*node);
        }
      }
    }
    reader.read_bool("pre_vote", explore.pre_vote);
    read_u32("entries_per_message_max", explore.entries_per_message_max, 1, 64);
    read_u32("inflight_messages_max", explore.inflight_messages_max, 1, 64);
    read_u32("messages_in_flight_max", explore.messages_in_flight_max, 1, 1000);
    reader.read_choice("dead_messages", explore.dead_messages, {"keep", "checked", "assumed"});
    bool collect = false;  // the old switch, in counterexample files written before: true meant
    if (reader.read_bool("collect_dead_messages", collect)) {  // the rule, trusted
      if (reader.has("dead_messages")) {
        reader.error("collect_dead_messages",
                     "only one of dead_messages and collect_dead_messages");
      }
      explore.dead_messages = collect ? "assumed" : "keep";
    }
    reader.read_bool("sleep_sets", explore.sleep_sets);
    reader.read_choice("strategy", explore.strategy, {"bfs", "dfs", "random"});
    reader.read_uint("depth_max", explore.depth_max, 0, 10'000);
    reader.read_uint("states_max", explore.states_max, 1, 1'000'000'000);
    if (reader.read_string("bug", explore.bug) && !explore.bug.empty() &&
        !bug_from_name(explore.bug)) {
      errors_.add(reader.path_of("bug"), "a catalogued bug name (sim/bugs/catalogue.cc)",
                  json(explore.bug));
    }
    read_u32("initial_voters", explore.initial_voters, 1, nodes_);
    read_u32("membership_changes", explore.membership_changes, 0, 16);
    reader.read_bool("joint_changes", explore.joint_changes);
    reader.read_string_list("schedule", explore.schedule);
    reader.read_choice("expect_violation", explore.expect_violation,
                       {"", "election_safety", "log_matching", "leader_completeness",
                        "state_machine_safety", "durability", "linearizability", "core_check"});
    reader.finish();
    scenario_.explore = explore;
  }

  void parse_expect(JsonObjectReader reader) {
    std::string verdict;
    if (reader.read_choice("verdict", verdict, {"pass", "fail"})) {
      scenario_.expect.pass = verdict == "pass";
    } else if (reader.valid() && !reader.has("verdict")) {
      reader.error("verdict", "\"pass\" or \"fail\"");
    }
    if (!scenario_.expect.pass) {
      if (!reader.read_choice(
              "checker", scenario_.expect.checker,
              {"safety", "durability", "linearizability", "queue", "recovery", "liveness"}) &&
          !reader.has("checker")) {
        reader.error("checker",
                     "the checker that must fire: safety, durability, "
                     "linearizability, queue, recovery or liveness");
      }
    } else if (reader.has("checker")) {
      reader.error("checker", "no checker when the verdict expected is \"pass\"");
    }
    reader.finish();
    if (!scenario_.expect.pass) {
      check_expected_checker_runs(scenario_, reader.path_of("checker"), errors_);
    }
  }

  const json& document_;
  JsonErrors& errors_;
  Scenario scenario_;
  NodeIndex nodes_ = 5;
  bool faults_in_file_order_ = true;
};

}  // namespace

Result<Scenario> parse_scenario(std::string_view text, const std::string& file_name) {
  auto document = files::parse_strict_json(text, file_name);
  if (!document.ok()) return document.status();
  JsonErrors errors;
  ScenarioParser parser(document.value(), errors);
  Scenario scenario = parser.parse();
  if (!errors.empty()) return errors.to_status(file_name);
  scenario.file = file_name;
  if (scenario.nemesis && scenario.nemesis->stop > scenario.duration) {
    scenario.nemesis->stop = scenario.duration;
  }
  // Cross-field rules the value checks above cannot see.
  if (Status status = scenario.cluster.validate(); !status.ok()) {
    return Status(StatusCode::invalid_argument, file_name + ": /cluster: " + status.message());
  }
  return scenario;
}

Result<Scenario> load_scenario(const std::string& path, std::size_t bytes_max) {
  auto text = files::read_input_file(path, "scenario file", bytes_max);
  if (!text.ok()) return text.status();
  return parse_scenario(text.value(), files::printable(path));
}

}  // namespace raftsim::sim

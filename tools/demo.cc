// raftsim demo: the kernel end to end. Five gossip nodes (sim/toys) on a lossy, duplicating,
// jittery network with torn writes enabled, driven through a fixed fault script: a partition and
// its heal, a crash and restart, a pause, clock drift and a wall-clock jump. It prints what
// happened, replays the run to prove determinism, and writes trace.jsonl and result.json.
#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "sim/cluster/service_cluster.h"
#include "sim/kernel/determinism.h"
#include "sim/kernel/world.h"
#include "sim/render/graphviz.h"
#include "sim/render/sequence_diagram.h"
#include "sim/toys/gossip.h"
#include "tools/commands.h"
#include "tools/options.h"

namespace raftsim::tools {
namespace {

using namespace raftsim::sim;
namespace po = boost::program_options;

constexpr NodeIndex kNodes = 5;

WorldConfig demo_config(std::uint64_t seed) {
  WorldConfig config;
  config.seed = seed;
  config.node_count = kNodes;
  config.link.latency_min = milliseconds(1);
  config.link.latency_max = milliseconds(10);
  config.link.loss = Ratio::percent(2);
  config.link.duplicate = Ratio::percent(1);
  config.disk.torn_write_on_crash = Ratio::percent(50);
  config.clocks.assign(kNodes, ClockConfig{});
  config.clocks[3].wall_offset = milliseconds(50);
  config.clocks[4].drift_ppm = 200;
  return config;
}

std::unique_ptr<World> build_demo_world(std::uint64_t seed) {
  GossipOptions options;
  options.node_count = kNodes;
  auto world = std::make_unique<World>(demo_config(seed), [options](Runtime& runtime) {
    return std::make_unique<GossipProcess>(runtime, options);
  });
  return world;
}

// The fault script. Each step notes itself in the trace so a reader can find it.
void run_demo_script(World& world) {
  world.boot_all();
  world.run_until(seconds(1));
  world.note("partition {0,1} | {2,3,4}");
  (void)world.network().partition({{0, 1}, {2, 3, 4}});
  world.run_until(seconds(2));
  world.network().heal();
  world.run_until(milliseconds(2500));
  world.crash(2);
  world.run_until(seconds(3));
  world.restart(2);
  world.run_until(milliseconds(3500));
  world.pause(1);
  world.run_until(seconds(4));
  world.resume(1);
  world.set_clock_drift(0, 100'000);
  world.jump_wall_clock(3, -seconds(2));
  world.run_until(seconds(5));
}

// Writes NAME.dot and, if Graphviz is installed, renders NAME.svg. Returns a line for the user.
std::string write_diagram_files(const std::string& out_dir, const std::string& name,
                                const std::string& dot) {
  auto files = write_diagram(out_dir, name, dot);
  if (!files.ok()) return "diagram: " + files.status().message();
  return "wrote " + files.value().dot_path + " and the diagram " + files.value().image_path;
}

// --- The Raft failover demo -------------------------------------------------------------------

constexpr NodeIndex kRaftNodes = 5;

ServiceClusterOptions raft_demo_options(std::uint64_t seed) {
  ServiceClusterOptions options;
  options.seed = seed;
  options.nodes = kRaftNodes;
  options.clients = 2;
  options.workload.think_time_max = milliseconds(50);
  options.link.latency_min = milliseconds(1);
  options.link.latency_max = milliseconds(4);
  return options;
}

struct RaftDemoRun {
  std::optional<Violation> violation;
  std::optional<NodeIndex> first_leader;
  std::optional<NodeIndex> second_leader;
  Time crash_at = 0;
  Time recovered_at = 0;  // a new leader with an entry of its term committed
};

// Elect, serve clients, crash the leader, wait for a new one, restart the old one.
RaftDemoRun run_raft_demo_script(ServiceCluster& cluster) {
  RaftDemoRun run;
  cluster.start();
  run.first_leader = cluster.await_leader(seconds(5));
  if (!run.first_leader) return run;
  if ((run.violation = cluster.run_until(milliseconds(1500)))) return run;
  run.first_leader = cluster.leader();
  run.crash_at = cluster.world().now();
  cluster.world().note("crash the leader, node " + std::to_string(*run.first_leader));
  cluster.world().crash(*run.first_leader);
  while (cluster.world().now() < run.crash_at + seconds(5)) {
    if ((run.violation = cluster.run_for(milliseconds(1)))) return run;
    auto leader = cluster.leader();
    if (leader && *leader != *run.first_leader) {
      const Raft* raft = cluster.raft(*leader);
      const Index committed = raft->log().committed();
      if (committed > 0 && raft->log().term_at(committed) == raft->term()) {
        run.second_leader = leader;
        run.recovered_at = cluster.world().now();
        break;
      }
    }
  }
  if ((run.violation = cluster.run_for(seconds(1)))) return run;
  cluster.world().restart(*run.first_leader);
  if ((run.violation = cluster.run_for(seconds(1)))) return run;
  if (auto leader = cluster.leader()) {
    run.violation = cluster.checker().check_durability(cluster.world(), cluster.history(), *leader);
  }
  return run;
}

// Wall milliseconds since `start` (the one figure that differs between identical runs).
long long wall_ms_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                               start)
      .count();
}

nlohmann::ordered_json raft_demo_json(std::uint64_t seed, const RaftDemoRun& run, bool pass,
                                      ServiceCluster& cluster, long long wall_ms,
                                      const DeterminismReport& determinism) {
  const bool recovered = run.second_leader.has_value();
  nlohmann::ordered_json result;
  result["command"] = "demo";
  result["scenario"] = "leader crash and failover (5 nodes, 2 clients)";
  result["seed"] = seed;
  result["verdict"] = pass ? "pass" : "fail";
  if (run.violation) {
    result["violation"] = {{"invariant", run.violation->invariant},
                           {"event", run.violation->event_number},
                           {"time_ns", run.violation->time},
                           {"nodes", run.violation->nodes},
                           {"detail", run.violation->detail}};
  }
  result["crashed_leader"] = run.first_leader ? static_cast<int>(*run.first_leader) : -1;
  result["new_leader"] = run.second_leader ? static_cast<int>(*run.second_leader) : -1;
  result["recovery_ms"] =
      recovered ? static_cast<double>(run.recovered_at - run.crash_at) / kMillisecond : -1.0;
  result["operations_ok"] = cluster.history().count(OperationStatus::ok);
  result["operations_fail"] = cluster.history().count(OperationStatus::fail);
  result["operations_info"] = cluster.history().count(OperationStatus::info) +
                              cluster.history().count(OperationStatus::pending);
  result["events"] = cluster.world().trace().event_count();
  result["messages"] = cluster.world().network().messages_sent();
  result["simulated_ms"] = cluster.world().now() / kMillisecond;
  result["wall_ms"] = wall_ms;
  result["trace_hash"] = cluster.world().trace().hash();
  result["trace_hash_string"] = std::to_string(cluster.world().trace().hash());
  result["deterministic"] = determinism.deterministic();
  return result;
}

// Writes trace.jsonl, history.json, result.json and the failover diagram; returns the diagram's
// line for the user.
std::string write_raft_demo_files(const std::string& out_dir, std::uint64_t seed,
                                  const RaftDemoRun& run, ServiceCluster& cluster,
                                  const nlohmann::ordered_json& result) {
  const bool recovered = run.second_leader.has_value();
  create_out_directory(out_dir);
  write_trace_output(out_dir + "/trace.jsonl", cluster.world().trace());
  write_output(out_dir + "/history.json", cluster.history().to_json() + "\n");
  write_output(out_dir + "/result.json", result.dump(2) + "\n");
  DiagramOptions diagram;
  diagram.from = run.crash_at - milliseconds(3);
  diagram.until = recovered ? run.recovered_at + milliseconds(15) : run.crash_at + seconds(1);
  diagram.rows_max = 160;
  diagram.show_clients = false;
  diagram.title = "raftsim demo, seed " + std::to_string(seed) + ": leader " +
                  std::to_string(run.first_leader.value_or(0)) + " crashes; node " +
                  (recovered ? std::to_string(*run.second_leader) : std::string("?")) +
                  " takes over after " +
                  std::to_string((run.recovered_at - run.crash_at) / kMillisecond) +
                  " ms (client traffic hidden)";
  return write_diagram_files(out_dir, "diagram",
                             render_sequence_diagram(cluster.world().trace(), kRaftNodes, diagram));
}

void print_raft_demo(std::uint64_t seed, const RaftDemoRun& run, ServiceCluster& cluster,
                     const nlohmann::ordered_json& result, const DeterminismReport& determinism) {
  const bool recovered = run.second_leader.has_value();
  std::printf("raftsim demo: leader crash and failover, 5 nodes, seed %llu: %s\n",
              static_cast<unsigned long long>(seed), result["verdict"] == "pass" ? "PASS" : "FAIL");
  if (run.violation) std::printf("  %s\n", run.violation->describe().c_str());
  std::printf(
      "  leader %d crashed at %lld ms; node %d leads with a committed entry %s\n",
      result["crashed_leader"].get<int>(), static_cast<long long>(run.crash_at / kMillisecond),
      result["new_leader"].get<int>(),
      recovered
          ? ("after " +
             std::to_string(static_cast<long long>(result["recovery_ms"].get<double>())) + " ms")
                .c_str()
          : "(never)");
  std::printf("  client operations: %zu ok, %zu fail, %zu unknown\n",
              cluster.history().count(OperationStatus::ok),
              cluster.history().count(OperationStatus::fail),
              result["operations_info"].get<std::size_t>());
  std::printf("  %llu events, %llu messages, %lld ms simulated in %lld ms wall\n",
              static_cast<unsigned long long>(cluster.world().trace().event_count()),
              static_cast<unsigned long long>(cluster.world().network().messages_sent()),
              static_cast<long long>(cluster.world().now() / kMillisecond),
              static_cast<long long>(result["wall_ms"].get<long long>()));
  std::printf("  %s\n", determinism.describe().c_str());
}

int run_raft_demo(std::uint64_t seed, const std::string& out_dir, bool json) {
  const auto wall_start = std::chrono::steady_clock::now();
  ServiceCluster cluster(raft_demo_options(seed));
  const RaftDemoRun run = run_raft_demo_script(cluster);
  const long long wall_ms = wall_ms_since(wall_start);
  const DeterminismReport determinism = check_determinism(
      [](std::uint64_t replay_seed) {
        ServiceCluster replay(raft_demo_options(replay_seed));
        (void)run_raft_demo_script(replay);
        return replay.world().trace();
      },
      seed);
  const bool pass = !run.violation && run.second_leader.has_value() && determinism.deterministic();
  const nlohmann::ordered_json result =
      raft_demo_json(seed, run, pass, cluster, wall_ms, determinism);
  std::string diagram_note;
  if (!out_dir.empty()) diagram_note = write_raft_demo_files(out_dir, seed, run, cluster, result);
  if (json) {
    std::printf("%s\n", result.dump(2).c_str());
  } else {
    print_raft_demo(seed, run, cluster, result, determinism);
    if (!out_dir.empty()) {
      std::printf("  wrote %s/result.json, trace.jsonl, history.json\n  %s\n", out_dir.c_str(),
                  diagram_note.c_str());
    }
  }
  return pass ? 0 : 1;
}

// --- The kernel demo ----------------------------------------------------------------------------

nlohmann::ordered_json kernel_demo_json(std::uint64_t seed, World& world, long long wall_ms,
                                        const DeterminismReport& determinism) {
  nlohmann::ordered_json result;
  result["command"] = "demo";
  result["seed"] = seed;
  result["verdict"] = determinism.deterministic() ? "pass" : "fail";
  result["trace_hash"] = world.trace().hash();
  result["trace_hash_string"] = std::to_string(world.trace().hash());
  result["events"] = world.trace().event_count();
  result["simulated_ms"] = world.now() / kMillisecond;
  result["wall_ms"] = wall_ms;
  result["messages_sent"] = world.network().messages_sent();
  result["messages_delivered"] = world.network().messages_delivered();
  result["messages_dropped"] = world.network().messages_dropped();
  result["deterministic"] = determinism.deterministic();
  nlohmann::ordered_json nodes = nlohmann::ordered_json::array();
  for (NodeIndex node = 0; node < kNodes; ++node) {
    auto* process = dynamic_cast<GossipProcess*>(world.host(node).process());
    nlohmann::ordered_json entry;
    entry["node"] = node;
    entry["state"] = host_state_name(world.host(node).state());
    entry["incarnation"] = world.host(node).incarnation();
    entry["counter"] = process != nullptr ? process->counter() : 0;
    entry["received"] = process != nullptr ? process->received() : 0;
    entry["recovered_records"] = process != nullptr ? process->recovered_records() : 0;
    entry["wall_clock_ms"] = world.host(node).wall_now_ns() / kMillisecond;
    nodes.push_back(entry);
  }
  result["nodes"] = nodes;
  return result;
}

// Writes trace.jsonl, result.json and the diagram around the crash; returns the diagram's line.
std::string write_kernel_demo_files(const std::string& out_dir, std::uint64_t seed, World& world,
                                    const nlohmann::ordered_json& result) {
  create_out_directory(out_dir);
  write_trace_output(out_dir + "/trace.jsonl", world.trace());
  write_output(out_dir + "/result.json", result.dump(2) + "\n");
  DiagramOptions diagram;
  diagram.from = milliseconds(2470);
  diagram.until = milliseconds(2560);
  diagram.title = "raftsim demo, seed " + std::to_string(seed) +
                  ": node 2 crashes at 2500 ms (messages to it are dropped)";
  return write_diagram_files(out_dir, "diagram",
                             render_sequence_diagram(world.trace(), kNodes, diagram));
}

void print_kernel_demo(std::uint64_t seed, World& world, const nlohmann::ordered_json& result,
                       const DeterminismReport& determinism) {
  std::printf("raftsim demo: 5 nodes, seed %llu, %lld ms simulated in %lld ms wall\n",
              static_cast<unsigned long long>(seed),
              static_cast<long long>(world.now() / kMillisecond),
              static_cast<long long>(result["wall_ms"].get<long long>()));
  std::printf("  events %llu, messages sent %llu, delivered %llu, dropped %llu\n",
              static_cast<unsigned long long>(world.trace().event_count()),
              static_cast<unsigned long long>(world.network().messages_sent()),
              static_cast<unsigned long long>(world.network().messages_delivered()),
              static_cast<unsigned long long>(world.network().messages_dropped()));
  for (const auto& entry : result["nodes"]) {
    std::printf("  node %s\n", entry.dump().c_str());
  }
  std::printf("  trace hash %llu\n  %s\n", static_cast<unsigned long long>(world.trace().hash()),
              determinism.describe().c_str());
}

int run_kernel_demo(std::uint64_t seed, const std::string& out_dir, bool json) {
  const auto wall_start = std::chrono::steady_clock::now();
  auto world = build_demo_world(seed);
  run_demo_script(*world);
  const long long wall_ms = wall_ms_since(wall_start);
  const DeterminismReport determinism = check_determinism(
      [](std::uint64_t replay_seed) {
        auto replay = build_demo_world(replay_seed);
        run_demo_script(*replay);
        return replay->trace();
      },
      seed);
  const nlohmann::ordered_json result = kernel_demo_json(seed, *world, wall_ms, determinism);
  std::string diagram_note;
  if (!out_dir.empty()) diagram_note = write_kernel_demo_files(out_dir, seed, *world, result);
  if (json) {
    std::printf("%s\n", result.dump(2).c_str());
  } else {
    print_kernel_demo(seed, *world, result, determinism);
    if (!out_dir.empty()) {
      std::printf("  wrote %s/trace.jsonl, %s/result.json\n  %s\n", out_dir.c_str(),
                  out_dir.c_str(), diagram_note.c_str());
    }
  }
  return determinism.deterministic() ? 0 : 1;
}

}  // namespace

int run_demo(const std::vector<std::string>& arguments) {
  po::options_description options("raftsim demo [options]");
  std::uint64_t seed = 1;
  std::string out_dir;
  bool json = false;
  bool kernel = false;
  add_help_option(options);
  add_json_option(options, json);
  options.add_options()("seed", po::value<std::uint64_t>(&seed)->default_value(1),
                        "root seed of the run")(
      "out", po::value<std::string>(&out_dir),
      "write result.json, trace.jsonl, history.json (raft) and diagram.dot/.svg here")(
      "kernel", po::bool_switch(&kernel),
      "run the kernel demo (gossip nodes under every fault kind) instead of the Raft failover");
  po::variables_map values = parse_arguments(arguments, options);
  if (print_help_if_asked(values, options)) return 0;
  return kernel ? run_kernel_demo(seed, out_dir, json) : run_raft_demo(seed, out_dir, json);
}

}  // namespace raftsim::tools

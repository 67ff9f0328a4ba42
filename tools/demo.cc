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

#include "sim/kernel/determinism.h"
#include "sim/kernel/world.h"
#include "sim/render/sequence_diagram.h"
#include "sim/toys/gossip.h"
#include "tools/commands.h"

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
std::string write_diagram(const std::string& out_dir, const std::string& name,
                          const std::string& dot) {
  const std::string dot_path = out_dir + "/" + name + ".dot";
  const std::string svg_path = out_dir + "/" + name + ".svg";
  std::ofstream(dot_path) << dot;
  const std::string command = "dot -Tsvg '" + dot_path + "' -o '" + svg_path + "' 2>/dev/null";
  if (std::system(command.c_str()) != 0) {
    return "wrote " + dot_path + " (Graphviz 'dot' not available or failed: no SVG)";
  }
  return "wrote " + dot_path + " and the diagram " + svg_path;
}

}  // namespace

int run_demo(const std::vector<std::string>& arguments) {
  po::options_description options("raftsim demo [options]");
  std::uint64_t seed = 1;
  std::string out_dir;
  bool json = false;
  options.add_options()("help,h", "show this help")(
      "seed", po::value<std::uint64_t>(&seed)->default_value(1), "root seed of the run")(
      "out", po::value<std::string>(&out_dir), "write trace.jsonl and result.json here")(
      "json", po::bool_switch(&json), "print one JSON object on stdout");
  po::variables_map values;
  try {
    po::store(po::command_line_parser(arguments).options(options).run(), values);
    po::notify(values);
  } catch (const po::error& error) {
    throw UsageError(error.what());
  }
  if (values.count("help")) {
    std::ostringstream help;
    help << options;
    std::printf("%s", help.str().c_str());
    return 0;
  }

  const auto wall_start = std::chrono::steady_clock::now();
  auto world = build_demo_world(seed);
  run_demo_script(*world);
  const auto wall_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now() - wall_start)
                           .count();

  const DeterminismReport determinism = check_determinism(
      [](std::uint64_t replay_seed) {
        auto replay = build_demo_world(replay_seed);
        run_demo_script(*replay);
        return replay->trace();
      },
      seed);

  nlohmann::ordered_json result;
  result["command"] = "demo";
  result["seed"] = seed;
  result["verdict"] = determinism.deterministic() ? "pass" : "fail";
  result["trace_hash"] = world->trace().hash();
  result["events"] = world->trace().event_count();
  result["simulated_ms"] = world->now() / kMillisecond;
  result["wall_ms"] = wall_ms;
  result["messages_sent"] = world->network().messages_sent();
  result["messages_delivered"] = world->network().messages_delivered();
  result["messages_dropped"] = world->network().messages_dropped();
  result["deterministic"] = determinism.deterministic();
  nlohmann::ordered_json nodes = nlohmann::ordered_json::array();
  for (NodeIndex node = 0; node < kNodes; ++node) {
    auto* process = dynamic_cast<GossipProcess*>(world->host(node).process());
    nlohmann::ordered_json entry;
    entry["node"] = node;
    entry["state"] = host_state_name(world->host(node).state());
    entry["incarnation"] = world->host(node).incarnation();
    entry["counter"] = process != nullptr ? process->counter() : 0;
    entry["received"] = process != nullptr ? process->received() : 0;
    entry["recovered_records"] = process != nullptr ? process->recovered_records() : 0;
    entry["wall_clock_ms"] = world->host(node).wall_now_ns() / kMillisecond;
    nodes.push_back(entry);
  }
  result["nodes"] = nodes;

  std::string diagram_note;
  if (!out_dir.empty()) {
    std::error_code error;
    std::filesystem::create_directories(out_dir, error);
    if (error)
      throw UsageError("cannot create --out directory '" + out_dir + "': " + error.message());
    std::ofstream(out_dir + "/trace.jsonl") << world->trace().to_jsonl();
    std::ofstream(out_dir + "/result.json") << result.dump(2) << "\n";
    DiagramOptions diagram;
    diagram.from = milliseconds(2470);
    diagram.until = milliseconds(2560);
    diagram.title = "raftsim demo, seed " + std::to_string(seed) +
                    ": node 2 crashes at 2500 ms (messages to it are dropped)";
    diagram_note =
        write_diagram(out_dir, "diagram", render_sequence_diagram(world->trace(), kNodes, diagram));
  }

  if (json) {
    std::printf("%s\n", result.dump(2).c_str());
  } else {
    std::printf("raftsim demo: 5 nodes, seed %llu, %lld ms simulated in %lld ms wall\n",
                static_cast<unsigned long long>(seed),
                static_cast<long long>(world->now() / kMillisecond),
                static_cast<long long>(wall_ms));
    std::printf("  events %llu, messages sent %llu, delivered %llu, dropped %llu\n",
                static_cast<unsigned long long>(world->trace().event_count()),
                static_cast<unsigned long long>(world->network().messages_sent()),
                static_cast<unsigned long long>(world->network().messages_delivered()),
                static_cast<unsigned long long>(world->network().messages_dropped()));
    for (const auto& entry : nodes) {
      std::printf("  node %s\n", entry.dump().c_str());
    }
    std::printf("  trace hash %llu\n  %s\n", static_cast<unsigned long long>(world->trace().hash()),
                determinism.describe().c_str());
    if (!out_dir.empty()) {
      std::printf("  wrote %s/trace.jsonl, %s/result.json\n  %s\n", out_dir.c_str(),
                  out_dir.c_str(), diagram_note.c_str());
    }
  }
  return determinism.deterministic() ? 0 : 1;
}

}  // namespace raftsim::tools

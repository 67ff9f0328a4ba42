// raftsim explore: the model checker's command. Reads a scenario's "explore" section (bounds,
// budgets, strategy), searches the real Raft cores' interleavings, and prints the counts and
// either "no violation within bounds" (exit 0), a counterexample (exit 1) or, when a limit
// (states, frontier, --time) stopped the search first, "unknown" (exit 4): a replayable
// scenario with the schedule, the trail, and a message-sequence diagram. A scenario with a
// schedule is replayed and checked instead (exit 1 when it reproduces its violation, 3 when it
// does not). Bad input exits 2. The wall clock is read here only, for --time and states/s.
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "sim/bugs/catalogue.h"
#include "sim/explore/explorer.h"
#include "sim/explore/raft_world.h"
#include "sim/files/text.h"
#include "sim/render/graphviz.h"
#include "sim/render/sequence_diagram.h"
#include "sim/scenario/parse.h"
#include "tools/commands.h"
#include "tools/explore_run.h"
#include "tools/options.h"

namespace raftsim::tools {

namespace po = boost::program_options;
using namespace raftsim::sim;
using namespace raftsim::sim::explore;

namespace {

constexpr int kExitViolation = 1;
constexpr int kExitInternal = 3;
constexpr int kExitUnknown = 4;  // no violation found, but the search stopped incomplete
// State graphs up to this size are also written as DOT (bigger ones are unreadable).
constexpr std::uint64_t kGraphDotStatesMax = 2000;

std::string bounds_text(const ExploreSection& explore, std::uint32_t nodes) {
  std::ostringstream out;
  out << nodes << " nodes, depth <= " << explore.depth_max << ", states <= " << explore.states_max
      << ", term <= " << explore.term_max << ", election timeouts <= " << explore.timeouts
      << ", proposals <= " << explore.proposals << ", crashes <= " << explore.crashes
      << ", drops <= " << explore.drops << ", duplicates <= " << explore.duplicates
      << ", heartbeats <= " << explore.heartbeats
      << ", messages in flight <= " << explore.messages_in_flight_max
      << ", entries per append <= " << explore.entries_per_message_max;
  if (!explore.campaigners.empty()) {
    out << ", campaigners";
    for (NodeIndex node : explore.campaigners) out << " n" << node;
  }
  out << (explore.pre_vote ? ", PreVote on" : ", PreVote off");
  out << ", dead messages " << explore.dead_messages;
  if (explore.sleep_sets) out << ", sleep sets (no in-flight bound)";
  return out.str();
}

// Replays `schedule` with a trace, renders the diagram, and returns the replayed world.
std::unique_ptr<RaftWorld> replay_with_trace(const RaftWorldConfig& config,
                                             const std::vector<std::string>& schedule, Trace& trace,
                                             std::optional<std::size_t>& failed_at) {
  auto world = std::make_unique<RaftWorld>(config);
  world->set_trace(&trace);
  for (std::size_t i = 0; i < schedule.size(); ++i) {
    const std::optional<Choice> choice = choice_from_label(*world, schedule[i]);
    if (!choice) {
      failed_at = i;
      break;
    }
    world->apply(*choice);
  }
  world->set_trace(nullptr);
  return world;
}

void write_diagram_files(const std::string& out_dir, const std::string& title, const Trace& trace,
                         std::uint32_t nodes) {
  DiagramOptions diagram;
  diagram.show_timers = true;
  diagram.fold_heartbeats = false;
  diagram.rows_max = 200;
  diagram.title = title;
  const std::string dot = render_sequence_diagram(trace, nodes, diagram);
  auto files = write_diagram(out_dir, "counterexample", dot, ImageFormat::svg);
  if (!files.ok()) {
    std::fprintf(stderr, "raftsim explore: diagram not rendered: %s\n",
                 files.status().message().c_str());
  } else {
    std::printf("diagram: %s\n", files.value().image_path.c_str());
  }
}

int replay_scenario(const Scenario& scenario, const RaftWorldConfig& config,
                    const std::string& out_dir) {
  const ExploreSection& explore = *scenario.explore;
  Trace trace;
  std::optional<std::size_t> failed_at;
  const auto world = replay_with_trace(config, explore.schedule, trace, failed_at);
  if (failed_at) {
    std::printf("replay: step %zu is not enabled here: %s\n", *failed_at + 1,
                explore.schedule[*failed_at].c_str());
    return kExitInternal;
  }
  const std::optional<explore::Violation> violation = world->violation();
  const std::string found = violation ? violation->invariant : "";
  std::printf("replay: %zu choices, fingerprint %016llx\n", explore.schedule.size(),
              static_cast<unsigned long long>(world->fingerprint()));
  if (violation) {
    std::printf("violation: %s: %s\n", violation->invariant.c_str(), violation->detail.c_str());
  }
  if (found != explore.expect_violation) {
    std::printf(
        "replay did NOT reproduce: expected %s, found %s\n",
        explore.expect_violation.empty() ? "no violation" : explore.expect_violation.c_str(),
        found.empty() ? "no violation" : found.c_str());
    return kExitInternal;
  }
  std::printf("replay reproduced %s\n", found.empty() ? "no violation" : found.c_str());
  if (!out_dir.empty()) {
    create_out_directory(out_dir);
    write_diagram_files(out_dir, scenario.name + ": replay", trace, config.nodes);
  }
  return violation ? kExitViolation : 0;
}

}  // namespace

RaftWorldConfig raft_world_config(const Scenario& scenario) {
  const ExploreSection& explore = *scenario.explore;
  RaftWorldConfig config;
  config.nodes = scenario.cluster.nodes;
  config.proposals = explore.proposals;
  config.crashes = explore.crashes;
  config.drops = explore.drops;
  config.duplicates = explore.duplicates;
  config.heartbeats = explore.heartbeats;
  config.timeouts = explore.timeouts;
  config.term_max = explore.term_max;
  if (!explore.campaigners.empty()) {
    config.campaigners_mask = 0;
    for (NodeIndex node : explore.campaigners) config.campaigners_mask |= 1u << node;
  }
  config.pre_vote = explore.pre_vote;
  config.entries_per_message_max = explore.entries_per_message_max;
  config.inflight_messages_max = explore.inflight_messages_max;
  config.messages_in_flight_max = explore.messages_in_flight_max;
  config.bug = explore.bug.empty() ? Bug::none : *bug_from_name(explore.bug);
  config.dead_messages = *dead_messages_from_name(explore.dead_messages);
  config.independent_deliveries = explore.sleep_sets;
  config.initial_voters = explore.initial_voters;
  config.membership_changes = explore.membership_changes;
  config.joint_changes = explore.joint_changes;
  return config;
}

ExploreRun run_explore_search(const Scenario& scenario, double seconds_max, bool progress,
                              std::uint64_t memory_mb) {
  const ExploreSection& explore = *scenario.explore;
  const RaftWorldConfig config = raft_world_config(scenario);
  ExploreOptions options;
  options.strategy = *strategy_from_name(explore.strategy);
  options.depth_max = explore.depth_max;
  options.states_max = explore.states_max;
  // A quarter of the memory for the visited set, the graph and the rest; three quarters for the
  // frontier's world copies. The cap is an estimate, deterministic, never measured at run time.
  const std::uint64_t copy_bytes =
      kWorldCopyBytesPerNode * std::max<std::uint64_t>(1, config.nodes);
  options.frontier_states_max =
      std::min(options.frontier_states_max, (memory_mb << 20) / 4 * 3 / copy_bytes);
  options.sleep_sets = explore.sleep_sets;
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  };
  if (seconds_max > 0) options.should_stop = [&] { return elapsed() > seconds_max; };
  if (progress) {
    options.progress = [&](std::uint64_t explored, std::uint64_t distinct, std::uint64_t depth) {
      std::fprintf(stderr, "explore: %.0f s, %llu explored, %llu distinct, depth %llu\n", elapsed(),
                   static_cast<unsigned long long>(explored),
                   static_cast<unsigned long long>(distinct),
                   static_cast<unsigned long long>(depth));
    };
  }
  const RaftWorld initial(config);
  Explorer explorer(initial, options);
  ExploreRun run;
  run.result = explorer.run();
  const bool memory_bound = options.frontier_states_max < ExploreOptions{}.frontier_states_max;
  if (memory_bound && run.result.stop_reason.starts_with("frontier limit")) {
    run.result.stop_reason += ", the bound --memory-mb " + std::to_string(memory_mb) + " sets";
  }
  if (options.strategy == Strategy::bfs) run.shortest_proven = run.result.violation.has_value();
  if (options.strategy == Strategy::dfs && run.result.violation) {
    // Depth-first search finds some trail; search again one shallower until none is found.
    // The figures stay those of the first search; only the trail and violation are replaced.
    ShortestTrail shortest = descend_to_shortest(initial, options, run.result);
    run.shortest_proven = shortest.proven;
    run.descent_searches = shortest.searches;
    run.result.trail = std::move(shortest.result.trail);
    run.result.violation = std::move(shortest.result.violation);
  }
  run.seconds = elapsed();
  if (run.result.graph_vertices <= kGraphDotStatesMax && run.result.graph_vertices > 0) {
    run.graph_dot =
        explorer.graph().to_dot([&](const Choice& choice) { return initial.short_label(choice); });
  }
  const std::vector<std::string> probes = initial.coverage_names();
  for (std::size_t i = 0; i < probes.size(); ++i) {
    std::string& list = (run.result.coverage >> i) & 1 ? run.reached : run.never_reached;
    list += (list.empty() ? "" : ", ") + probes[i];
  }
  // The trail as labels, by replaying it (labels name messages, which need the state).
  auto world = std::make_unique<RaftWorld>(config);
  for (const Choice& choice : run.result.trail) {
    run.schedule.push_back(world->describe(choice));
    world->apply(choice);
  }
  return run;
}

namespace {

void add_explore_options(po::options_description& options) {
  options.add_options()("scenario", po::value<std::string>(),
                        "scenario file with an \"explore\" section")(
      "strategy", po::value<std::string>(), "bfs | dfs | random (default: the scenario's)")(
      "max-depth", po::value<std::uint64_t>(), "depth bound (choices along a path)")(
      "max-states", po::value<std::uint64_t>(), "distinct states stored at most")(
      "crashes", po::value<std::uint32_t>(), "crash-and-restart budget")(
      "drops", po::value<std::uint32_t>(), "message loss budget")(
      "time", po::value<double>(),
      "stop after this many seconds of wall time, > 0 (default: no wall-clock limit)")(
      "replay", po::value<std::string>(), "replay a counterexample scenario file")(
      "sleep-sets", "bfs: sleep sets over deliveries to different nodes")(
      "dead-messages", po::value<std::string>(),
      "keep (default) | checked | assumed: remove stale messages (sim/explore/README.md)")(
      "memory-mb", po::value<std::uint64_t>(),
      "memory for the search, MiB (default 8192): bounds the BFS frontier of world copies; at the "
      "bound the search ends as unknown (exit 4)")(
      "out", po::value<std::string>(), "where a counterexample goes (default explore-out)");
}

// The scenario named by SCENARIO.json or --replay FILE (one of them); it needs an explore section.
Scenario load_explore_scenario(const po::variables_map& values) {
  std::string path;
  if (values.count("replay")) path = values["replay"].as<std::string>();
  if (values.count("scenario")) {
    if (!path.empty()) throw UsageError("give either SCENARIO.json or --replay FILE, not both");
    path = values["scenario"].as<std::string>();
  }
  if (path.empty()) throw UsageError("missing SCENARIO.json (see raftsim explore --help)");
  Result<Scenario> loaded =
      load_scenario(path, input_limit_bytes(values, kScenarioFileBytesDefault));
  if (!loaded.ok()) throw UsageError(loaded.status().message());
  Scenario scenario = std::move(loaded).value();
  if (!scenario.explore) {
    throw UsageError(files::printable(path) +
                     ": no \"explore\" section (see scenarios/README.md, \"explore\")");
  }
  return scenario;
}

// The command-line options override the scenario's explore section.
void apply_explore_overrides(const po::variables_map& values, ExploreSection& explore) {
  if (values.count("strategy")) {
    explore.strategy = values["strategy"].as<std::string>();
    if (!strategy_from_name(explore.strategy)) {
      throw UsageError("--strategy: expected bfs, dfs or random, found " + explore.strategy);
    }
  }
  if (values.count("max-depth")) explore.depth_max = values["max-depth"].as<std::uint64_t>();
  if (values.count("max-states")) explore.states_max = values["max-states"].as<std::uint64_t>();
  if (values.count("crashes")) explore.crashes = values["crashes"].as<std::uint32_t>();
  if (values.count("drops")) explore.drops = values["drops"].as<std::uint32_t>();
  if (values.count("sleep-sets")) explore.sleep_sets = true;
  if (values.count("dead-messages")) {
    explore.dead_messages = values["dead-messages"].as<std::string>();
    if (!dead_messages_from_name(explore.dead_messages)) {
      throw UsageError("--dead-messages: expected keep, checked or assumed, found " +
                       explore.dead_messages);
    }
  }
  if (values.count("bug")) {
    const std::string& name = values["bug"].as<std::string>();
    explore.bug = parse_bug_option(name) == Bug::none ? std::string() : name;
  }
  if (explore.states_max == 0) throw UsageError("--max-states must be positive");
}

// A finished search and what its report needs besides.
struct SearchReport {
  const Scenario& scenario;
  const ExploreRun& run;
  std::string bounds;
  double per_s = 0;           // states explored per wall second
  double distinct_per_s = 0;  // distinct states per wall second
};

void print_search_json(const SearchReport& report) {
  const ExploreSection& explore = *report.scenario.explore;
  const ExploreResult& result = report.run.result;
  nlohmann::ordered_json out{{"scenario", report.scenario.name},
                             {"strategy", explore.strategy},
                             {"bug", explore.bug.empty() ? "none" : explore.bug},
                             {"bounds", report.bounds},
                             {"states_explored", result.states_explored},
                             {"distinct_states", result.distinct_states},
                             {"depth_reached", result.depth_reached},
                             {"complete", result.complete},
                             {"states_per_s", report.per_s},
                             {"distinct_states_per_s", report.distinct_per_s},
                             {"wall_ms", report.run.seconds * 1000},
                             {"collision_probability", result.collision_probability},
                             {"state_hash", result.state_hash},
                             {"frontier_peak", result.frontier_peak},
                             {"reached", report.run.reached},
                             {"never_reached", report.run.never_reached}};
  if (result.violation) {
    out["violation"] = {{"invariant", result.violation->invariant},
                        {"detail", result.violation->detail},
                        {"trail_length", result.trail.size()}};
    if (explore.strategy == "dfs") {
      out["violation"]["shortest_proven"] = report.run.shortest_proven;
      out["violation"]["descent_searches"] = report.run.descent_searches;
    }
  }
  std::printf("%s\n", out.dump().c_str());
}

void print_search_text(const SearchReport& report) {
  const ExploreSection& explore = *report.scenario.explore;
  const ExploreResult& result = report.run.result;
  std::printf("explore %s: strategy %s, bug %s\n", report.scenario.name.c_str(),
              explore.strategy.c_str(), explore.bug.empty() ? "none" : explore.bug.c_str());
  std::printf("bounds: %s\n", report.bounds.c_str());
  std::printf("states explored %llu, distinct states %llu, depth reached %llu\n",
              static_cast<unsigned long long>(result.states_explored),
              static_cast<unsigned long long>(result.distinct_states),
              static_cast<unsigned long long>(result.depth_reached));
  std::printf("%.2f s, %.0f states/s, %.0f distinct states/s, at most %llu world copies held\n",
              report.run.seconds, report.per_s, report.distinct_per_s,
              static_cast<unsigned long long>(result.frontier_peak));
  std::printf("reached: %s\nnever reached: %s\n", report.run.reached.c_str(),
              report.run.never_reached.empty() ? "-" : report.run.never_reached.c_str());
  std::printf("fingerprints: 64-bit; probability of a collision <= %.2g; state hash %016llx\n",
              result.collision_probability, static_cast<unsigned long long>(result.state_hash));
  if (result.violation) return;
  if (result.complete) {
    std::printf("no violation within bounds (%s)\n", report.bounds.c_str());
  } else {
    std::printf("unknown: no violation found, but the search is INCOMPLETE: %s (exit 4)\n",
                result.stop_reason.c_str());
  }
}

// Writes counterexample.json (replayable), trail.txt and, for small graphs, state-graph.dot;
// returns the trail as text.
std::string write_counterexample(const SearchReport& report, const std::string& out_dir) {
  const ExploreRun& run = report.run;
  create_out_directory(out_dir);
  Scenario counterexample = report.scenario;
  counterexample.name = report.scenario.name + "-counterexample";
  counterexample.explore->schedule = run.schedule;
  counterexample.explore->expect_violation = run.result.violation->invariant;
  write_output(out_dir + "/counterexample.json", scenario_to_json(counterexample));
  std::string trail_text;
  for (std::size_t i = 0; i < run.schedule.size(); ++i) {
    trail_text += std::to_string(i + 1) + ". " + run.schedule[i] + "\n";
  }
  trail_text +=
      "=> " + run.result.violation->invariant + ": " + run.result.violation->detail + "\n";
  write_output(out_dir + "/trail.txt", trail_text);
  if (!run.graph_dot.empty()) write_output(out_dir + "/state-graph.dot", run.graph_dot);
  return trail_text;
}

// A violation: writes the counterexample, checks that its trail replays, and (in text mode)
// prints it and draws its diagram.
int report_violation(const SearchReport& report, const RaftWorldConfig& config,
                     const std::string& out_dir, bool json) {
  const ExploreRun& run = report.run;
  const ExploreResult& result = run.result;
  const std::string trail_text = write_counterexample(report, out_dir);
  Trace trace;
  std::optional<std::size_t> failed_at;
  const auto replayed = replay_with_trace(config, run.schedule, trace, failed_at);
  if (failed_at || replayed->violation() != result.violation) {
    std::fprintf(stderr, "raftsim explore: internal error: the trail does not replay\n");
    return kExitInternal;
  }
  if (json) return kExitViolation;
  std::printf("VIOLATION %s: %s\n", result.violation->invariant.c_str(),
              result.violation->detail.c_str());
  std::printf("counterexample: %zu choices (the strategy's own path had %llu)\n%s",
              run.schedule.size(), static_cast<unsigned long long>(result.trail_length_found),
              trail_text.c_str());
  if (report.scenario.explore->strategy == "dfs") {
    std::printf("shortest: %s (%u more depth-first searches, each one choice shallower)\n",
                run.shortest_proven ? "yes, none shorter within the bounds" : "not proven",
                run.descent_searches);
  }
  std::printf("replay: raftsim explore --replay %s\n", (out_dir + "/counterexample.json").c_str());
  write_diagram_files(out_dir,
                      report.scenario.name + ": " + result.violation->invariant + " after " +
                          std::to_string(run.schedule.size()) + " choices",
                      trace, config.nodes);
  return kExitViolation;
}

}  // namespace

int run_explore(const std::vector<std::string>& arguments) {
  po::options_description options("raftsim explore SCENARIO.json [options]");
  bool json = false;
  std::string bug;  // read through `values` with the other overrides
  add_help_option(options);
  add_json_option(options, json);
  add_bug_option(options, bug);
  add_explore_options(options);
  add_input_limit_option(options);
  po::positional_options_description positional;
  positional.add("scenario", 1);
  const po::variables_map values = parse_arguments(arguments, options, &positional);
  if (print_help_if_asked(values, options)) return 0;
  Scenario scenario = load_explore_scenario(values);
  apply_explore_overrides(values, *scenario.explore);
  // As in fuzz: --time must be positive; without it the search is bounded by the scenario's own
  // explore bounds only.
  if (values.count("time") && !(values["time"].as<double>() > 0)) {
    throw UsageError("--time: expected a number of seconds above 0");
  }
  const double seconds_max = values.count("time") ? values["time"].as<double>() : 0;
  const std::string out_dir =
      values.count("out") ? values["out"].as<std::string>() : std::string("explore-out");
  const RaftWorldConfig config = raft_world_config(scenario);
  if (!scenario.explore->schedule.empty()) return replay_scenario(scenario, config, out_dir);

  const std::uint64_t memory_mb =
      values.count("memory-mb") ? values["memory-mb"].as<std::uint64_t>() : kExploreMemoryMbDefault;
  if (memory_mb < 16 || memory_mb > (std::uint64_t{1} << 20)) {
    throw UsageError("--memory-mb: expected 16 to 1048576, found " + std::to_string(memory_mb));
  }
  const ExploreRun run = run_explore_search(scenario, seconds_max, /*progress=*/true, memory_mb);
  const double states = static_cast<double>(run.result.states_explored);
  const double distinct = static_cast<double>(run.result.distinct_states);
  const SearchReport report{scenario, run, bounds_text(*scenario.explore, config.nodes),
                            run.seconds > 0 ? states / run.seconds : 0,
                            run.seconds > 0 ? distinct / run.seconds : 0};
  if (json) {
    print_search_json(report);
  } else {
    print_search_text(report);
  }
  if (!run.result.violation) return run.result.complete ? 0 : kExitUnknown;
  return report_violation(report, config, out_dir, json);
}

}  // namespace raftsim::tools

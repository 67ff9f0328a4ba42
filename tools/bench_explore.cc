// raftsim bench explore: the model checker's throughput and sizes, written to
// results/explore-bench.md and .json with the command at the top. Runs the exhaustive correct
// configuration and each bug scenario from scenarios/ (so run it from the repository root), plus
// a throughput run capped by a state count. Numbers come from this machine's wall clock.
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "sim/scenario/parse.h"
#include "tools/commands.h"
#include "tools/explore_run.h"
#include "tools/options.h"

namespace raftsim::tools {

namespace {

struct BenchCase {
  const char* file;
  const char* what;
  const char* dead_messages;  // the reduction's mode for this row (sim/explore/README.md)
  bool sleep_sets;
};

// Rows of one scenario in several dead-message modes run one after the other (same sitting,
// alternating), so the before (`assumed`, the old default) and after (`keep`, the new default;
// `checked`) numbers share the machine's load.
constexpr BenchCase kCases[] = {
    {"scenarios/explore-correct-3-nodes.json", "exhaustive, correct code", "keep", false},
    {"scenarios/explore-correct-3-nodes.json", "exhaustive, correct code", "assumed", false},
    {"scenarios/explore-correct-3-nodes.json", "exhaustive, correct code", "checked", false},
    {"scenarios/explore-throughput-3-nodes.json", "throughput (capped state count)", "keep", false},
    {"scenarios/explore-throughput-3-nodes.json", "throughput (capped state count)", "assumed",
     false},
    {"scenarios/explore-divergent-logs-3-nodes.json", "divergent logs, 3 terms, a drop", "keep",
     false},
    {"scenarios/explore-divergent-logs-3-nodes.json", "divergent logs, 3 terms, a drop", "assumed",
     false},
    {"scenarios/explore-divergent-logs-3-nodes.json", "divergent logs, 3 terms, a drop", "checked",
     false},
    {"scenarios/explore-5-nodes-duplicates.json", "5 nodes, a duplicate", "keep", false},
    {"scenarios/explore-5-nodes-duplicates.json", "5 nodes, a duplicate", "assumed", false},
    {"scenarios/explore-5-nodes-duplicates.json", "5 nodes, a duplicate", "checked", false},
    // Without a reduction the Figure 8 search outgrows the BFS frontier (600k world copies, ~6 GB)
    // before depth 18; `checked` keeps every stale message whose delivery would change anything.
    {"scenarios/explore-commit-prev-term.json", "bug commit-prev-term (Figure 8)", "checked",
     false},
    {"scenarios/explore-commit-prev-term.json", "bug commit-prev-term (Figure 8)", "assumed",
     false},
    {"scenarios/explore-vote-not-persisted.json", "bug vote-not-persisted", "keep", false},
    {"scenarios/explore-vote-not-persisted.json", "bug vote-not-persisted", "assumed", false},
    {"scenarios/explore-no-truncate-on-conflict.json", "bug no-truncate-on-conflict", "keep",
     false},
    {"scenarios/explore-no-truncate-on-conflict.json", "bug no-truncate-on-conflict", "assumed",
     false},
    {"scenarios/explore-stale-vote-counted.json", "bug stale-vote-counted", "keep", false},
    {"scenarios/explore-stale-vote-counted.json", "bug stale-vote-counted", "assumed", false},
    {"scenarios/explore-stale-vote-counted.json", "bug stale-vote-counted", "checked", false},
    {"scenarios/explore-correct-3-nodes.json", "exhaustive, correct code, sleep sets", "keep",
     true},
    {"scenarios/explore-commit-prev-term.json", "Figure 8, sleep sets", "checked", true},
};

// Runs one case; appends its JSON row to `runs` and its table row to `md`. False: the scenario
// does not load (said on stderr).
bool run_bench_case(const BenchCase& bench, nlohmann::ordered_json& runs, std::ostringstream& md) {
  Result<sim::Scenario> scenario = sim::load_scenario(bench.file);
  if (!scenario.ok() || !scenario.value().explore) {
    std::fprintf(stderr, "bench explore: %s: %s\n", bench.file,
                 scenario.ok() ? "no explore section" : scenario.status().message().c_str());
    return false;
  }
  std::fprintf(stderr, "bench explore: %s...\n", bench.file);
  scenario.value().explore->sleep_sets = bench.sleep_sets;
  scenario.value().explore->dead_messages = bench.dead_messages;
  const ExploreRun run = run_explore_search(scenario.value(), 0, /*progress=*/false);
  const auto& result = run.result;
  const double distinct_per_s = static_cast<double>(result.distinct_states) / run.seconds;
  const double explored_per_s = static_cast<double>(result.states_explored) / run.seconds;
  const std::string verdict = result.violation
                                  ? result.violation->invariant + " after " +
                                        std::to_string(result.trail.size()) + " choices"
                                  : "no violation";
  runs.push_back({{"run", bench.what},
                  {"scenario", bench.file},
                  {"dead_messages", bench.dead_messages},
                  {"strategy", scenario.value().explore->strategy},
                  {"distinct_states", result.distinct_states},
                  {"states_explored", result.states_explored},
                  {"depth_reached", result.depth_reached},
                  {"complete", result.complete},
                  {"wall_ms", run.seconds * 1000},
                  {"distinct_states_per_s", distinct_per_s},
                  {"states_per_s", explored_per_s},
                  {"result", verdict},
                  {"trail_length", result.trail.size()},
                  {"probes_never_reached", run.never_reached}});
  char line[1024];
  std::snprintf(
      line, sizeof line,
      "| %s | `%s` | %s | %s | %llu | %llu | %llu | %s | %.2f | %.0f | %.0f | %s | %s |\n",
      bench.what, bench.file, bench.dead_messages, scenario.value().explore->strategy.c_str(),
      static_cast<unsigned long long>(result.distinct_states),
      static_cast<unsigned long long>(result.states_explored),
      static_cast<unsigned long long>(result.depth_reached), result.complete ? "yes" : "no",
      run.seconds, distinct_per_s, explored_per_s, verdict.c_str(),
      run.never_reached.empty() ? "-" : run.never_reached.c_str());
  md << line;
  return true;
}

// The dead-message modes side by side: distinct states and rates of each scenario's rows.
std::string dead_message_summary(const nlohmann::ordered_json& runs) {
  std::string text =
      "\n## Dead-message modes (before: `assumed`, the old default; after: `keep`, the new "
      "default; `checked`)\n\n| scenario | mode | distinct states | x keep | explored/s | "
      "result |\n|---|---|---|---|---|---|\n";
  for (const auto& run : runs) {
    if (run["run"].get<std::string>().find("sleep sets") != std::string::npos) continue;
    double keep_states = 0;
    for (const auto& other : runs) {
      if (other["scenario"] == run["scenario"] && other["dead_messages"] == "keep" &&
          other["run"] == run["run"]) {
        keep_states = other["distinct_states"].get<double>();
      }
    }
    char line[512];
    char ratio[32] = "-";
    if (keep_states > 0) {
      std::snprintf(ratio, sizeof ratio, "%.2f",
                    run["distinct_states"].get<double>() / keep_states);
    }
    std::snprintf(
        line, sizeof line, "| `%s` | %s | %llu | %s | %.0f | %s |\n",
        run["scenario"].get<std::string>().c_str(), run["dead_messages"].get<std::string>().c_str(),
        static_cast<unsigned long long>(run["distinct_states"].get<std::uint64_t>()), ratio,
        run["states_per_s"].get<double>(), run["result"].get<std::string>().c_str());
    text += line;
  }
  return text;
}

// The section under the table: the exhaustive and throughput rows against the target and TLC.
std::string summary_markdown(const nlohmann::ordered_json& runs) {
  const double exhaustive_s = runs[0]["wall_ms"].get<double>() / 1000;
  constexpr std::size_t kThroughputRow = 3;  // kCases: the throughput run, `keep`
  const double throughput = runs[kThroughputRow]["distinct_states_per_s"].get<double>();
  char summary[4096];
  std::snprintf(
      summary, sizeof summary,
      "\n## Against the target and TLC\n\n"
      "- **Target: at least 200,000 distinct states/s on one core for 3-node Raft. Measured: "
      "%.0f distinct states/s (%.0f states generated/s) on the throughput run -- target "
      "missed** by about %.1fx. Every successor is a full copy of three real `raftsim::Raft` "
      "cores (deques and vectors: some 50 heap allocations per copy) that is hashed and checked; "
      "malloc/free is about 45%% of a profile. Cheaper copies (an arena, or cores without "
      "deques) are the next step. Sleep sets (optional, the last two rows) visit the same "
      "states through 7-28%% fewer transitions but do not save time here: the sleep-set "
      "bookkeeping costs about what the skipped copies would have.\n"
      "- Exhaustive configuration (correct code, no dead-message reduction): %llu distinct "
      "states, %llu generated, depth %llu, %.1f s, no violation. Bounds: 3 nodes, term <= 1 (each "
      "node may campaign once), 1 "
      "client command, at most 1 crash-and-restart, no drops.\n"
      "- TLC on the Raft TLA+ spec with 3 servers: about 6.43M distinct states in about 3.4 min "
      "(~32k distinct/s). Our rate per distinct state is of the same order, but our "
      "configurations are much smaller: the spec is an abstract model (a message bag, terms and "
      "logs only), while this explores the real core, whose state also holds per-peer progress "
      "(probe/replicate, in-flight windows, pipelining), the stable index, the persisted hard "
      "state, leader no-ops, separate durable stores and the invariants' histories; states the "
      "spec merges stay distinct here, so the space grows faster per bound (two terms with one "
      "command already exceed 4M states). Time is abstracted the same way (timers are choices); "
      "CheckQuorum and lease reads are off.\n"
      "- Machine: 2 cores shared with other work; one search uses one core. Counts and state "
      "hashes are deterministic; times vary with load.\n",
      throughput, runs[kThroughputRow]["states_per_s"].get<double>(), 200'000.0 / throughput,
      static_cast<unsigned long long>(runs[0]["distinct_states"].get<std::uint64_t>()),
      static_cast<unsigned long long>(runs[0]["states_explored"].get<std::uint64_t>()),
      static_cast<unsigned long long>(runs[0]["depth_reached"].get<std::uint64_t>()), exhaustive_s);
  return summary + dead_message_summary(runs);
}

// The CPU's model name as lscpu shows it (from /proc/cpuinfo), or "unknown".
std::string cpu_model() {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind("model name", 0) != 0) continue;
    const std::size_t colon = line.find(':');
    if (colon != std::string::npos) return line.substr(colon + 2);
  }
  return "unknown";
}

}  // namespace

int run_bench_explore(bool json, const std::string& results_dir) {
  nlohmann::ordered_json out;
  out["command"] = "raftsim bench explore";
  out["runs"] = nlohmann::ordered_json::array();
  std::ostringstream md;
  md << "# raftsim explore benchmark\n\n`raftsim bench explore` (from the repository root; "
        "one core, Release build). CPU: "
     << cpu_model()
     << " (2 cores, shared with other work while measured: rates vary with load; counts and "
        "state hashes do not).\n\n"
     << "| run | scenario | dead messages | strategy | distinct states | states explored | depth "
        "| complete | time s | distinct/s | explored/s | result | probes never reached |\n"
     << "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const BenchCase& bench : kCases) {
    if (!run_bench_case(bench, out["runs"], md)) return 2;
  }
  md << summary_markdown(out["runs"]);
  const std::string md_path = results_dir + "/explore-bench.md";
  const std::string json_path = results_dir + "/explore-bench.json";
  write_output(md_path, md.str());
  write_output(json_path, out.dump(2) + "\n");
  if (json) {
    std::printf("%s\n", out.dump().c_str());
  } else {
    std::printf("%s\nwritten: %s, %s\n", md.str().c_str(), md_path.c_str(), json_path.c_str());
  }
  return 0;
}

}  // namespace raftsim::tools

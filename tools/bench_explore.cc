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

namespace raftsim::tools {

namespace {

struct BenchCase {
  const char* file;
  const char* what;
  std::uint64_t states_max_override;  // 0: the scenario's
};

constexpr BenchCase kCases[] = {
    {"scenarios/explore-correct-3-nodes.json", "exhaustive, correct code", 0},
    {"scenarios/explore-throughput-3-nodes.json", "throughput (capped state count)", 0},
    {"scenarios/explore-commit-prev-term.json", "bug commit-prev-term (Figure 8)", 0},
    {"scenarios/explore-vote-not-persisted.json", "bug vote-not-persisted", 0},
    {"scenarios/explore-no-truncate-on-conflict.json", "bug no-truncate-on-conflict", 0},
};

}  // namespace

int run_bench_explore(bool json, const std::string& results_dir) {
  nlohmann::ordered_json out;
  out["command"] = "raftsim bench explore";
  out["runs"] = nlohmann::ordered_json::array();
  std::ostringstream md;
  md << "# raftsim explore benchmark\n\n`raftsim bench explore` (from the repository root; "
        "one core, Release build)\n\n"
     << "| run | scenario | strategy | distinct states | states explored | depth | complete | "
        "time s | distinct/s | explored/s | result |\n"
     << "|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const BenchCase& bench : kCases) {
    Result<sim::Scenario> scenario = sim::load_scenario(bench.file);
    if (!scenario.ok() || !scenario.value().explore) {
      std::fprintf(stderr, "bench explore: %s: %s\n", bench.file,
                   scenario.ok() ? "no explore section" : scenario.status().message().c_str());
      return 2;
    }
    std::fprintf(stderr, "bench explore: %s...\n", bench.file);
    const ExploreRun run = run_explore_search(scenario.value(), 0, /*progress=*/false);
    const auto& result = run.result;
    const double distinct_per_s = static_cast<double>(result.distinct_states) / run.seconds;
    const double explored_per_s = static_cast<double>(result.states_explored) / run.seconds;
    const std::string verdict =
        result.violation ? result.violation->invariant + " after " +
                               std::to_string(result.trail.size()) + " choices"
                         : "no violation";
    out["runs"].push_back({{"run", bench.what},
                           {"scenario", bench.file},
                           {"strategy", scenario.value().explore->strategy},
                           {"distinct_states", result.distinct_states},
                           {"states_explored", result.states_explored},
                           {"depth_reached", result.depth_reached},
                           {"complete", result.complete},
                           {"wall_ms", run.seconds * 1000},
                           {"distinct_states_per_s", distinct_per_s},
                           {"states_per_s", explored_per_s},
                           {"result", verdict},
                           {"trail_length", result.trail.size()}});
    char line[512];
    std::snprintf(line, sizeof line,
                  "| %s | `%s` | %s | %llu | %llu | %llu | %s | %.2f | %.0f | %.0f | %s |\n",
                  bench.what, bench.file, scenario.value().explore->strategy.c_str(),
                  static_cast<unsigned long long>(result.distinct_states),
                  static_cast<unsigned long long>(result.states_explored),
                  static_cast<unsigned long long>(result.depth_reached),
                  result.complete ? "yes" : "no", run.seconds, distinct_per_s, explored_per_s,
                  verdict.c_str());
    md << line;
  }
  const std::string md_path = results_dir + "/explore-bench.md";
  const std::string json_path = results_dir + "/explore-bench.json";
  std::ofstream(md_path) << md.str();
  std::ofstream(json_path) << out.dump(2) << "\n";
  if (json) {
    std::printf("%s\n", out.dump().c_str());
  } else {
    std::printf("%s\nwritten: %s, %s\n", md.str().c_str(), md_path.c_str(), json_path.c_str());
  }
  return 0;
}

}  // namespace raftsim::tools

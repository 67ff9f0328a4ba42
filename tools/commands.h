// raftsim CLI: the subcommands main() dispatches to. Each takes the arguments after its name and
// returns a process exit code as DESIGN.md defines them (0 ok, 1 check failed, 2 bad input,
// 3 internal error). Usage errors are thrown as UsageError and turned into exit 2 by main().
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/bugs/catalogue.h"
#include "sim/scenario/scenario.h"

namespace raftsim::tools {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

int run_demo(const std::vector<std::string>& arguments);
int run_bench(const std::vector<std::string>& arguments);
// raftsim bench queue: job-queue throughput and leader-crash recovery (tools/bench_queue.cc);
// exit 0, or 1 if a run failed its end-of-run checks.
int run_bench_queue(double seconds_measured, std::uint64_t seeds, bool json);
// raftsim bench snapshot: full versus partial job-queue snapshots (tools/bench_snapshot.cc);
// exit 0, or 1 if a restored state differed from the original.
int run_bench_snapshot(std::uint64_t jobs, bool json);
// raftsim bench membership: write unavailability per kind of membership change (100 seeds a row).
int run_bench_membership(std::uint64_t seeds, bool json);
// raftsim run / validate: scenario files (tools/run.cc); run exits 0 / 1 / 2 / 4, validate 0 / 2.
int run_run(const std::vector<std::string>& arguments);
int run_validate(const std::vector<std::string>& arguments);
// raftsim check: linearizability of a history (tools/check.cc); exit 0 / 1 / 2 / 4.
int run_check(const std::vector<std::string>& arguments);
// raftsim check --bench DIR: checker timings on porcupine's test data (tools/check_bench.cc).
int run_check_bench(const std::string& directory, bool json);
// raftsim render: a trace.jsonl as a message-sequence diagram (tools/render.cc); exit 0 / 2 / 3.
int run_render(const std::vector<std::string>& arguments);

// raftsim explore: the model checker (tools/explore.cc); exit 0 / 1 / 2 / 3.
int run_explore(const std::vector<std::string>& arguments);
// raftsim bench explore: explorer throughput and the exhaustive configuration
// (tools/bench_explore.cc); writes results/explore-bench.md and .json.
int run_bench_explore(bool json, const std::string& results_dir);
// raftsim bugs: the bug catalogue (tools/bugs.cc); exit 0.
int run_bugs(const std::vector<std::string>& arguments);
// `--bug NAME` as a Bug ("" and "none": Bug::none); an unknown name is a UsageError.
Bug parse_bug_option(const std::string& name);
// raftsim fuzz / shrink (tools/fuzz.cc, tools/shrink.cc); exit 0 / 1 / 2.
int run_fuzz(const std::vector<std::string>& arguments);
int run_shrink(const std::vector<std::string>& arguments);
// raftsim fuzz --merge: prints the sum of the shards' campaign.json (tools/fuzz_merge.cc); exit 1
// when a shard has a failure or the merged unknown share is above unknown_percent_max.
int merge_campaigns(const std::vector<std::string>& paths, bool json, double unknown_percent_max,
                    std::size_t input_limit_bytes);
// raftsim fuzz --regressions DIR: `raftsim run` over every scenario file in DIR (its exit code).
int run_regressions(const std::string& directory, bool json);
// Runs `scenario` with a trace; writes DIR/STEM.trace.jsonl and the diagram around its first
// failure as DIR/STEM.svg (DIR/STEM.dot without Graphviz). Returns the image path.
std::string write_failure_diagram(const sim::Scenario& scenario, const std::string& dir,
                                  const std::string& stem);
// raftsim bench bugs: a fuzz campaign per catalogued bug (tools/bench_bugs.cc); exit 0.
int run_bench_bugs(const std::vector<std::string>& arguments);

// Heap allocations made by this process so far (tools/allocation_counter.cc).
unsigned long long allocation_count();

}  // namespace raftsim::tools

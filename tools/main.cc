// raftsim: command-line entry point. Dispatches to subcommands; this is the one place where
// exceptions are caught and turned into exit codes.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "tools/commands.h"

namespace {

constexpr int kExitUsage = 2;
constexpr int kExitInternal = 3;

void print_usage(std::FILE* out) {
  std::fputs(
      "usage: raftsim <command> [options]\n"
      "\n"
      "commands:\n"
      "  run SCENARIO.json... [--seed N]        run scenario files and judge them; --out DIR\n"
      "      [--out DIR] [--check-determinism]  writes result.json, and on failure the trace,\n"
      "      [--trace] [--junit FILE] [--json]  a replayable scenario and a diagram\n"
      "      [--bug NAME]                       inject a catalogued bug (see 'raftsim bugs')\n"
      "  validate SCENARIO.json...              check scenario files without running them\n"
      "  bugs [--json]                          list the bug catalogue\n"
      "  fuzz [--scenario BASE] [--runs N|--time S] [--seed S] [--shard I/N] [--bug NAME]\n"
      "       [--out DIR] [--keep-going] [--regressions DIR]\n"
      "                                         swarm-test random scenarios; on a failure\n"
      "                                         write, shrink and draw it (exit 1)\n"
      "  shrink FAILING.json [--out MIN.json]   reduce a failing scenario to what matters\n"
      "  bench bugs [--seeds N] [--out DIR]     fuzz each catalogued bug (results/bug-hunt.md)\n"
      "  demo [--seed S] [--out DIR] [--json]   run the kernel demo: a 5-node cluster under\n"
      "                                         partitions, crashes, pauses and clock drift\n"
      "  bench kernel [--json] [--seconds S]    measure the simulation kernel's event rates\n"
      "  check HISTORY [--format F] [--model M] check a history for linearizability\n"
      "        [--budget ...] [--out DIR]       (exit 1 not linearizable, 4 unknown)\n"
      "  render TRACE.jsonl -o OUT.svg|png|dot  draw a trace as a message-sequence diagram\n"
      "        [--focus-ms T] [--highlight K]   (exit 3 when Graphviz is missing or fails)\n"
      "  explore SCENARIO.json [--strategy S]   model-check the real Raft code: every "
      "interleaving\n"
      "        [--max-depth D] [--bug NAME]     within the scenario's bounds; a violation writes\n"
      "        [--replay FILE] [--out DIR]      a replayable counterexample and a diagram\n"
      "\n"
      "Run 'raftsim <command> --help' for a command's options.\n"
      "Exit codes: 0 ok, 1 a check failed, 2 bad input or usage, 3 internal error,\n"
      "4 linearizability unknown within the budget.\n",
      out);
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> arguments(argv + 1, argv + argc);
  if (arguments.empty() || arguments[0] == "--help" || arguments[0] == "-h" ||
      arguments[0] == "help") {
    print_usage(arguments.empty() ? stderr : stdout);
    return arguments.empty() ? kExitUsage : 0;
  }
  const std::string command = arguments[0];
  arguments.erase(arguments.begin());
  try {
    if (command == "demo") return raftsim::tools::run_demo(arguments);
    if (command == "bench") return raftsim::tools::run_bench(arguments);
    if (command == "check") return raftsim::tools::run_check(arguments);
    if (command == "run") return raftsim::tools::run_run(arguments);
    if (command == "validate") return raftsim::tools::run_validate(arguments);
    if (command == "render") return raftsim::tools::run_render(arguments);
    if (command == "explore") return raftsim::tools::run_explore(arguments);
    if (command == "bugs") return raftsim::tools::run_bugs(arguments);
    if (command == "fuzz") return raftsim::tools::run_fuzz(arguments);
    if (command == "shrink") return raftsim::tools::run_shrink(arguments);
    std::fprintf(stderr, "raftsim: unknown command '%s'\n\n", command.c_str());
    print_usage(stderr);
    return kExitUsage;
  } catch (const raftsim::tools::UsageError& error) {
    std::fprintf(stderr, "raftsim %s: %s\n", command.c_str(), error.what());
    return kExitUsage;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "raftsim %s: internal error: %s\n", command.c_str(), error.what());
    return kExitInternal;
  }
}

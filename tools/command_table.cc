// raftsim CLI: the command table (see command_table.h).
#include "tools/command_table.h"

#include "tools/commands.h"

namespace raftsim::tools {
namespace {

constexpr Command kCommands[] = {
    {"run", "SCENARIO.json... [--seed N] [--out DIR] [--bug NAME] [--json]",
     "run scenario files and judge them; a failure writes its trace, a replay and a diagram",
     run_run},
    {"validate", "SCENARIO.json...", "check scenario files without running them", run_validate},
    {"explore", "SCENARIO.json | --replay FILE [--max-depth D] [--out DIR]",
     "model-check the real Raft code over every interleaving within the scenario's bounds",
     run_explore},
    {"fuzz", "[--scenario BASE] [--runs N | --time S] [--seed S] [--out DIR] | --merge DIR...",
     "swarm-test random scenarios; write, shrink and draw each failure", run_fuzz},
    {"shrink", "FAILING.json [--out MIN.json]", "reduce a failing scenario to what matters",
     run_shrink},
    {"check", "HISTORY [--format F] [--model M] [--budget ...] [--out DIR]",
     "check a history for linearizability (raftsim, porcupine-kv or jepsen format)", run_check},
    {"render", "TRACE.jsonl -o OUT.svg|png|dot [--focus-ms T]",
     "draw a trace as a message-sequence diagram", run_render},
    {"bugs", "[--json]", "list the catalogue of injectable bugs", run_bugs},
    {"demo", "[--kernel] [--seed S] [--out DIR]",
     "a 5-node cluster under partitions, crashes, pauses and clock drift", run_demo},
    {"bench", "kernel|raft|queue|snapshot|membership|explore|bugs [--json]",
     "measure speed, recovery and bug-finding (results/)", run_bench},
};

}  // namespace

std::span<const Command> command_table() {
  return kCommands;
}

const Command* find_command(std::string_view name) {
  for (const Command& command : kCommands) {
    if (command.name == name) return &command;
  }
  return nullptr;
}

std::string usage_text() {
  std::string text = "usage: raftsim <command> [options]\n\ncommands:\n";
  for (const Command& command : kCommands) {
    text += "  " + std::string(command.name) + " " + std::string(command.synopsis) + "\n";
    text += "      " + std::string(command.summary) + "\n";
  }
  text +=
      "\nRun 'raftsim <command> --help' for a command's options.\n"
      "Exit codes: 0 ok, 1 a check failed, 2 bad input or usage, 3 internal error,\n"
      "4 verdict unknown within the budget.\n";
  return text;
}

}  // namespace raftsim::tools

// raftsim CLI: the command table. Each command declares its name, synopsis, one-line summary and
// run function; main() dispatches through the table and `raftsim --help` is generated from it,
// so a command cannot be missing from the usage text. A command's own `--help` comes from its
// option descriptions (tools/options.h).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace raftsim::tools {

struct Command {
  std::string_view name;
  std::string_view synopsis;  // the arguments, as in "raftsim NAME SYNOPSIS"
  std::string_view summary;   // what it does, one line
  int (*run)(const std::vector<std::string>& arguments);
};

std::span<const Command> command_table();
const Command* find_command(std::string_view name);
// The usage text: every command with its synopsis and summary, and the exit codes.
std::string usage_text();

}  // namespace raftsim::tools

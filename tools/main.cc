// raftsim: command-line entry point. Dispatches through the command table; this is the one place
// where exceptions are caught and turned into exit codes.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "sim/files/text.h"
#include "tools/command_table.h"
#include "tools/commands.h"

namespace {

constexpr int kExitUsage = 2;
constexpr int kExitInternal = 3;

// A message made safe to print line by line: its line breaks stay, anything else that could
// forge output or drive the terminal is escaped (the parts quoting input were escaped already).
std::string safe_lines(const std::string& text) {
  std::string out;
  std::size_t start = 0;
  for (;;) {
    const std::size_t end = text.find('\n', start);
    out += raftsim::files::printable(text.substr(start, end - start), /*escape_backslashes=*/false);
    if (end == std::string::npos) return out;
    out += '\n';
    start = end + 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  using raftsim::files::printable;
  std::vector<std::string> arguments(argv + 1, argv + argc);
  if (arguments.empty() || arguments[0] == "--help" || arguments[0] == "-h" ||
      arguments[0] == "help") {
    if (arguments.size() == 2 && raftsim::tools::find_command(arguments[1]) != nullptr) {
      return raftsim::tools::find_command(arguments[1])->run({"--help"});
    }
    std::fputs(raftsim::tools::usage_text().c_str(), arguments.empty() ? stderr : stdout);
    return arguments.empty() ? kExitUsage : 0;
  }
  const std::string name = printable(arguments[0]);
  const raftsim::tools::Command* command = raftsim::tools::find_command(arguments[0]);
  if (command == nullptr) {
    std::fprintf(stderr, "raftsim: unknown command '%s'\n\n%s", name.c_str(),
                 raftsim::tools::usage_text().c_str());
    return kExitUsage;
  }
  arguments.erase(arguments.begin());
  try {
    return command->run(arguments);
  } catch (const raftsim::tools::UsageError& error) {
    std::fprintf(stderr, "raftsim %s: %s\n", name.c_str(), safe_lines(error.what()).c_str());
    return kExitUsage;
  } catch (const std::exception& error) {
    std::fprintf(stderr, "raftsim %s: internal error: %s\n", name.c_str(),
                 safe_lines(error.what()).c_str());
    return kExitInternal;
  }
}

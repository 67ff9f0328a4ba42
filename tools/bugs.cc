// raftsim bugs: lists the bug catalogue (sim/bugs/catalogue.h), one name and a one-line description
// per bug, and parses `--bug NAME` for the commands that take it. A misspelt name is a usage
// error (exit 2) that suggests the nearest catalogued name.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "sim/bugs/catalogue.h"
#include "sim/scenario/json_reader.h"
#include "tools/commands.h"
#include "tools/options.h"

namespace raftsim::tools {

Bug parse_bug_option(const std::string& name) {
  if (name.empty() || name == "none") return Bug::none;
  if (std::optional<Bug> bug = bug_from_name(name)) return *bug;
  std::vector<std::string_view> known;
  for (const BugInfo& info : bug_catalogue()) known.push_back(info.name);
  const std::string closest = sim::closest_name(name, known);
  throw UsageError("--bug: unknown bug '" + name + "'" +
                   (closest.empty() ? "" : " (did you mean '" + closest + "'?)") +
                   "; 'raftsim bugs' lists them");
}

int run_bugs(const std::vector<std::string>& arguments) {
  namespace po = boost::program_options;
  po::options_description options("raftsim bugs [--json]");
  bool json = false;
  add_help_option(options);
  add_json_option(options, json);
  po::variables_map values = parse_arguments(arguments, options);
  if (print_help_if_asked(values, options)) return 0;
  if (json) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const BugInfo& info : bug_catalogue()) {
      out.push_back({{"name", info.name}, {"description", info.description}});
    }
    std::printf("%s\n", out.dump(2).c_str());
    return 0;
  }
  for (const BugInfo& info : bug_catalogue()) {
    std::printf("%-28s %s\n", std::string(info.name).c_str(),
                std::string(info.description).c_str());
  }
  return 0;
}

}  // namespace raftsim::tools

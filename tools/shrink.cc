// raftsim shrink: reduces a failing scenario file to the few faults and operations that matter
// (sim/fuzz/shrink.h), keeping its seed and its failing checker. Writes a normal scenario file
// that expects that checker to fail, and its diagram. Exit 0 shrunk, 2 bad input or the file
// does not fail (nothing to shrink).
#include <boost/program_options.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "sim/fuzz/shrink.h"
#include "sim/scenario/parse.h"
#include "tools/commands.h"
#include "tools/options.h"

namespace raftsim::tools {

namespace {
using namespace raftsim::sim;
namespace po = boost::program_options;

std::string describe(const ScenarioSize& size) {
  return std::to_string(size.faults) + " faults (" + std::to_string(size.fault_steps) +
         " steps), " + std::to_string(size.operations) + " operations, " +
         std::to_string(size.nodes) + " nodes, " + std::to_string(size.clients) + " clients, " +
         std::to_string(size.duration / kMillisecond) + " ms";
}
}  // namespace

int run_shrink(const std::vector<std::string>& arguments) {
  po::options_description options("raftsim shrink FAILING.json [--out MIN.json] [--bug NAME]");
  std::string input, output, bug, checker;
  std::size_t runs_max = 400;
  bool json = false;
  add_help_option(options);
  add_json_option(options, json);
  add_bug_option(options, bug);
  options.add_options()("scenario", po::value<std::string>(&input), "the failing scenario file")(
      "out", po::value<std::string>(&output),
      "where to write the shrunk scenario (default: FAILING.min.json)")(
      "checker", po::value<std::string>(&checker),
      "the checker that must keep failing (default: the first that fails)")(
      "runs-max", po::value<std::size_t>(&runs_max)->default_value(400),
      "candidate runs to spend at most");
  add_input_limit_option(options);
  po::positional_options_description positional;
  positional.add("scenario", 1);
  po::variables_map values = parse_arguments(arguments, options, &positional);
  if (print_help_if_asked(values, options)) return 0;
  if (input.empty()) throw UsageError("no scenario file given (see raftsim shrink --help)");
  if (!output.empty()) check_output_file("--out", output);
  auto loaded = load_scenario(input, input_limit_bytes(values, kScenarioFileBytesDefault));
  if (!loaded.ok()) throw UsageError("invalid scenario:\n" + loaded.status().message());
  Scenario scenario = std::move(loaded).value();
  if (values.count("bug")) scenario.bug = parse_bug_option(bug);
  if (output.empty()) {
    output =
        input.size() > 5 && input.ends_with(".json") ? input.substr(0, input.size() - 5) : input;
    output += ".min.json";
  }
  ShrinkOptions shrink_options;
  shrink_options.runs_max = runs_max;
  shrink_options.progress = [](const std::string& stage, std::size_t runs) {
    std::fprintf(stderr, "shrink: %s, %zu runs\n", stage.c_str(), runs);
  };
  auto shrunk = shrink_scenario(scenario, checker, shrink_options);
  if (!shrunk.ok()) throw UsageError(shrunk.status().message());
  Scenario minimal = shrunk.value().minimal;
  minimal.name = scenario.name + "-min";
  minimal.description =
      "shrunk by raftsim shrink from " + input + ": " + shrunk.value().checker + " fails";
  write_output(output, scenario_to_json(minimal));
  std::filesystem::path directory = std::filesystem::path(output).parent_path();
  if (directory.empty()) directory = ".";
  const std::string stem = std::filesystem::path(output).stem().string();
  const std::string diagram = write_failure_diagram(minimal, directory.string(), stem);
  const ScenarioSize& from = shrunk.value().original;
  const ScenarioSize& to = shrunk.value().final;
  if (json) {
    nlohmann::ordered_json out = {{"input", input},
                                  {"output", output},
                                  {"checker", shrunk.value().checker},
                                  {"runs", shrunk.value().runs},
                                  {"faults", {from.faults, to.faults}},
                                  {"fault_steps", {from.fault_steps, to.fault_steps}},
                                  {"operations", {from.operations, to.operations}},
                                  {"nodes", {from.nodes, to.nodes}},
                                  {"clients", {from.clients, to.clients}},
                                  {"diagram", diagram}};
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    std::printf("shrunk %s (%s fails) in %zu runs\n  from: %s\n  to:   %s\n  wrote %s, %s\n",
                input.c_str(), shrunk.value().checker.c_str(), shrunk.value().runs,
                describe(from).c_str(), describe(to).c_str(), output.c_str(), diagram.c_str());
  }
  return 0;
}

}  // namespace raftsim::tools

// raftsim run / validate: scenario files from the command line. `run` validates every file
// first (exit 2, nothing run, on any error), runs each with its seed, prints a one-line summary,
// writes result.json (and on failure the trace, the history, a replayable concrete scenario and a
// message-sequence diagram) and optionally JUnit XML. Exit: 0 every expectation met, 1 a check
// failed or an expected failure did not happen, 4 linearizability unknown.
#include <unistd.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "sim/files/artifact_writer.h"
#include "sim/files/text.h"
#include "sim/kernel/determinism.h"
#include "sim/markup/markup.h"
#include "sim/render/graphviz.h"
#include "sim/render/sequence_diagram.h"
#include "sim/scenario/parse.h"
#include "sim/scenario/runner.h"
#include "tools/commands.h"
#include "tools/options.h"

namespace raftsim::tools {
namespace {

using namespace raftsim::sim;
namespace po = boost::program_options;
using Clock = std::chrono::steady_clock;

double elapsed_ms(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::string format_ms(double value) {
  char text[32];
  std::snprintf(text, sizeof text, value < 10 ? "%.1f" : "%.0f", value);
  return text;
}

std::string shell_quote(const std::string& text) {
  if (text.find_first_not_of(
          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./") ==
      std::string::npos) {
    return text;
  }
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

struct RunOutcome {
  std::string file;
  std::string name;
  std::uint64_t seed = 0;
  int exit_code = 0;
  std::string summary;
  std::string failure;  // for JUnit: why the expectation was not met
  std::string replay;   // the command that reproduces the run
  double wall_ms = 0;
};

// Draws a progress line on stderr once a run has taken a second, if stderr is a terminal.
class ProgressLine {
 public:
  explicit ProgressLine(std::string name)
      : name_(std::move(name)), start_(Clock::now()), enabled_(isatty(STDERR_FILENO) != 0) {}
  ~ProgressLine() {
    if (drawn_) std::fprintf(stderr, "\r\033[K");
  }
  void update(const RunProgress& progress) {
    if (!enabled_) return;
    const double wall = elapsed_ms(start_);
    if (wall < 1000 || wall - last_drawn_ < 200) return;
    last_drawn_ = wall;
    drawn_ = true;
    std::fprintf(stderr, "\r\033[K%s: %s %.1f / %.1f s simulated, %zu ops ok, %zu faults, %.0f s",
                 name_.c_str(), progress.settling ? "settling," : "",
                 static_cast<double>(progress.now) / kSecond,
                 static_cast<double>(progress.end) / kSecond, progress.operations_ok,
                 progress.faults_applied, wall / 1000);
    std::fflush(stderr);
  }

 private:
  std::string name_;
  Clock::time_point start_;
  bool enabled_;
  bool drawn_ = false;
  double last_drawn_ = 0;
};

struct RunFlags {
  std::optional<std::uint64_t> seed;
  std::string out_dir;
  bool check_determinism = false;
  bool trace = false;
  bool diagram = false;
  bool json = false;
  bool bug_given = false;  // --bug was given: replay hints name the bug even when it is "none"
};

// Runs the scenario again with the same seed and compares the two traces.
DeterminismReport check_replay(const Scenario& scenario, std::uint64_t seed,
                               ScenarioRunner& runner) {
  ScenarioRunner replay(scenario, seed);
  (void)replay.run();
  DeterminismReport determinism;
  determinism.seed = seed;
  determinism.first_hash = runner.cluster().world().trace().hash();
  determinism.second_hash = replay.cluster().world().trace().hash();
  determinism.divergence =
      first_divergence(runner.cluster().world().trace(), replay.cluster().world().trace());
  return determinism;
}

// One scenario's run, as run_one() reports it.
struct ScenarioRun {
  const Scenario& scenario;
  ScenarioRunner& runner;
  const ScenarioRunReport& report;
  const std::optional<DeterminismReport>& determinism;
  RunOutcome& outcome;
};

// result.json's content; sets outcome.exit_code (a nondeterministic run fails).
nlohmann::ordered_json run_result_json(const ScenarioRun& run) {
  const Scenario& scenario = run.scenario;
  nlohmann::ordered_json result = run.report.to_json();
  result["file"] = scenario.file;
  result["description"] = scenario.description;
  result["expected"] = scenario.expect.pass ? "pass" : "fail: " + scenario.expect.checker;
  result["wall_ms"] = run.outcome.wall_ms;
  if (run.determinism) {
    result["deterministic"] = run.determinism->deterministic();
    if (!run.determinism->deterministic()) result["determinism"] = run.determinism->describe();
  }
  run.outcome.exit_code = run.report.exit_code();
  if (run.determinism && !run.determinism->deterministic()) run.outcome.exit_code = 1;
  result["exit_code"] = run.outcome.exit_code;
  return result;
}

// The message-sequence diagram around the failure (or the first fault that was applied);
// returns the line for the "wrote" list and records the diagram's path in `result`.
std::string write_run_diagram(const ScenarioRun& run, const std::string& out_dir,
                              nlohmann::ordered_json& result) {
  const CheckerFinding* failure = run.report.first_failure();
  DiagramOptions diagram;
  Time focus = failure != nullptr ? failure->at : 0;
  if (failure == nullptr) {
    for (const AppliedFault& applied : run.report.timeline) {
      if (!applied.skipped) {
        focus = applied.step.at;
        break;
      }
    }
  }
  // The rows leading up to the failure (or the first fault), and a few after it.
  diagram.focus = focus;
  if (failure != nullptr && !failure->blamed.empty()) {
    diagram.highlight = failure->blamed;
    diagram.clients_highlighted_only = true;
  }
  diagram.title = run.scenario.name + ", seed " + std::to_string(run.outcome.seed) + ": " +
                  (failure != nullptr ? failure->checker + " failed: " + failure->summary
                                      : std::string("around the first fault"));
  if (diagram.title.size() > 160) diagram.title = diagram.title.substr(0, 157) + "...";
  const std::string dot = render_sequence_diagram(run.runner.cluster().world().trace(),
                                                  run.scenario.cluster.server_slots(), diagram);
  auto files = write_diagram(out_dir, "diagram", dot, ImageFormat::svg);
  if (files.ok()) {
    result["diagram"] = files.value().image_path;
    return "diagram.dot, diagram.svg";
  }
  // No Graphviz: the DOT text is still there to render elsewhere.
  result["diagram"] = out_dir + "/diagram.dot";
  return "diagram.dot (" + files.status().message() + ")";
}

// Writes the run's files into out_dir (adding to `result` where they are); returns their names.
std::vector<std::string> write_run_files(const ScenarioRun& run, const RunFlags& flags,
                                         const std::string& out_dir,
                                         nlohmann::ordered_json& result) {
  const Scenario& scenario = run.scenario;
  ServiceCluster& cluster = run.runner.cluster();
  const bool failed = run.report.verdict != RunVerdict::pass;
  std::vector<std::string> written;
  create_out_directory(out_dir);
  if (failed || flags.trace) {
    write_trace_output(out_dir + "/trace.jsonl", cluster.world().trace());
    written.push_back("trace.jsonl");
  }
  if (scenario.cluster.workload_type == ServiceClusterOptions::Workload::queue) {
    write_output(out_dir + "/history.json", cluster.queue_history().to_json() + "\n");
  } else {
    write_output(out_dir + "/history.json", cluster.history().to_json() + "\n");
  }
  written.push_back("history.json");
  if (failed) {
    // The realised timeline as a plain scenario: it replays even if the code changes the
    // choices a seed leads to.
    Scenario concrete = run.report.concrete_scenario(scenario);
    concrete.name = scenario.name + "-replay";
    write_output(out_dir + "/replay.json", scenario_to_json(concrete));
    written.push_back("replay.json");
    result["replay_concrete"] = "raftsim run " + shell_quote(out_dir + "/replay.json");
  }
  if (failed || flags.diagram) written.push_back(write_run_diagram(run, out_dir, result));
  write_output(out_dir + "/result.json", result.dump(2) + "\n");
  written.push_back("result.json");
  return written;
}

// The one-line summary: verdict, the failure (or why an expected one is missing), figures.
std::string summary_line(const ScenarioRun& run) {
  const Scenario& scenario = run.scenario;
  const ScenarioRunReport& report = run.report;
  const CheckerFinding* failure = report.first_failure();
  std::string line;
  const bool met = run.outcome.exit_code == 0;
  const bool over_budget = report.verdict == RunVerdict::budget_exceeded;
  line += met                          ? "PASS "
          : over_budget                ? "OVER BUDGET "
          : run.outcome.exit_code == 4 ? "UNKNOWN "
                                       : "FAIL ";
  line += scenario.name + " seed " + std::to_string(run.outcome.seed) + ": ";
  if (over_budget) {
    line += report.budget_exceeded + "; ";
  } else if (!scenario.expect.pass && met) {
    line += "failed as expected (" + scenario.expect.checker + ": " + failure->summary + "); ";
  } else if (failure != nullptr) {
    line += failure->checker + ": " + failure->summary + "; ";
  } else if (!met && report.verdict == RunVerdict::pass) {
    line += "expected " + scenario.expect.checker + " to fail, but every check passed; ";
  }
  const std::optional<DeterminismReport>& determinism = run.determinism;
  if (determinism && !determinism->deterministic()) line += determinism->describe() + "; ";
  const auto& times = report.recovery_times;
  line +=
      format_ms(static_cast<double>(report.simulated) / kMillisecond / 1000) + " s simulated in " +
      format_ms(run.outcome.wall_ms / 1000) + " s, " + std::to_string(report.operations_ok) +
      " ops ok, " + std::to_string(report.timeline.size()) + " faults, recovery max " +
      format_ms(times.empty() ? 0 : static_cast<double>(times.back()) / kMillisecond) + " ms p50 " +
      format_ms(static_cast<double>(RecoveryTracker::percentile(times, 50)) / kMillisecond) + " ms";
  if (determinism && determinism->deterministic()) line += ", deterministic";
  return line;
}

RunOutcome run_one(const Scenario& scenario, const RunFlags& flags, const std::string& out_dir,
                   nlohmann::ordered_json* json_out) {
  RunOutcome outcome;
  outcome.file = scenario.file;
  outcome.name = scenario.name;
  outcome.seed = flags.seed.value_or(scenario.seed);
  const auto start = Clock::now();
  ProgressLine progress_line(scenario.name);
  ScenarioRunOptions options;
  options.progress = [&](const RunProgress& progress) { progress_line.update(progress); };
  ScenarioRunner runner(scenario, outcome.seed, options);
  const ScenarioRunReport report = runner.run();
  outcome.wall_ms = elapsed_ms(start);
  std::optional<DeterminismReport> determinism;
  if (flags.check_determinism) determinism = check_replay(scenario, outcome.seed, runner);
  const ScenarioRun run{scenario, runner, report, determinism, outcome};

  nlohmann::ordered_json result = run_result_json(run);
  // With the bug on the command line, the hint reproduces the run even when the file's own "bug"
  // was overridden (by --bug none too).
  const bool name_bug = scenario.bug != Bug::none || flags.bug_given;
  const std::string replay_command =
      "raftsim run " + shell_quote(scenario.file) + " --seed " + std::to_string(outcome.seed) +
      (name_bug ? " --bug " + std::string(bug_name(scenario.bug)) : "");
  outcome.replay = replay_command;
  result["replay"] = replay_command;
  if (scenario.bug != Bug::none) result["bug"] = bug_name(scenario.bug);
  std::vector<std::string> written;
  if (!out_dir.empty()) written = write_run_files(run, flags, out_dir, result);

  const std::string line = summary_line(run);
  const CheckerFinding* failure = report.first_failure();
  const bool met = outcome.exit_code == 0;
  outcome.summary = line;
  if (!met)
    outcome.failure = failure != nullptr ? failure->checker + ": " + failure->summary : line;
  if (json_out != nullptr) {
    *json_out = result;
    return outcome;
  }
  std::printf("%s\n", line.c_str());
  if (!out_dir.empty()) {
    std::string files;
    for (const std::string& name : written) files += (files.empty() ? "" : ", ") + name;
    std::printf("  wrote %s: %s\n", out_dir.c_str(), files.c_str());
  }
  if (!met) std::printf("  replay: %s\n", replay_command.c_str());
  return outcome;
}

// Where each scenario's files go: --out itself for one scenario, else a subdirectory named after
// the scenario as one safe path component (never "..", a slash or a control byte). Two
// scenarios that would share one are refused before anything runs, naming both files; --out is
// checked before the first run too.
std::vector<std::string> output_directories(const std::vector<Scenario>& scenarios,
                                            const std::vector<std::string>& files,
                                            const std::string& out_dir) {
  std::vector<std::string> directories(scenarios.size());
  if (out_dir.empty()) return directories;
  create_out_directory(out_dir);
  std::map<std::string, std::size_t> taken;
  for (std::size_t index = 0; index < scenarios.size(); ++index) {
    if (scenarios.size() == 1) {
      directories[index] = out_dir;
      break;
    }
    const std::string component = files::safe_component(scenarios[index].name);
    if (auto [other, fresh] = taken.emplace(component, index); !fresh) {
      throw UsageError("'" + files::printable(files[other->second]) + "' and '" +
                       files::printable(files[index]) + "' would both write to " + out_dir + "/" +
                       component + " (scenario names '" +
                       files::printable(scenarios[other->second].name) + "' and '" +
                       files::printable(scenarios[index].name) + "'): rename one");
    }
    directories[index] = out_dir + "/" + component;
  }
  return directories;
}

void write_junit(const std::string& path, const std::vector<RunOutcome>& outcomes) {
  std::size_t failures = 0;
  double total_ms = 0;
  for (const RunOutcome& outcome : outcomes) {
    failures += outcome.exit_code != 0;
    total_ms += outcome.wall_ms;
  }
  std::ostringstream out;
  out << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  out << "<testsuites><testsuite name=\"raftsim\" tests=\"" << outcomes.size() << "\" failures=\""
      << failures << "\" errors=\"0\" time=\"" << total_ms / 1000 << "\">\n";
  for (const RunOutcome& outcome : outcomes) {
    out << "  <testcase classname=\"raftsim.scenarios\" name=\""
        << escape_markup(outcome.name + " (seed " + std::to_string(outcome.seed) + ")")
        << "\" file=\"" << escape_markup(outcome.file) << "\" time=\"" << outcome.wall_ms / 1000
        << "\">";
    if (outcome.exit_code != 0) {
      out << "\n    <failure message=\"" << escape_markup(outcome.failure) << "\">"
          << escape_markup(outcome.summary) << "\nreplay: " << escape_markup(outcome.replay)
          << "</failure>\n  ";
    }
    out << "</testcase>\n";
  }
  out << "</testsuite></testsuites>\n";
  write_output(path, out.str());
}

std::vector<Scenario> load_all(const std::vector<std::string>& files, std::size_t bytes_max) {
  std::vector<Scenario> scenarios;
  std::string errors;
  for (const std::string& file : files) {
    auto scenario = load_scenario(file, bytes_max);
    if (!scenario.ok()) {
      errors += (errors.empty() ? "" : "\n") + scenario.status().message();
    } else {
      scenarios.push_back(std::move(scenario).value());
    }
  }
  if (!errors.empty()) throw UsageError("invalid scenario (nothing was run):\n" + errors);
  return scenarios;
}

}  // namespace

int run_run(const std::vector<std::string>& arguments) {
  po::options_description options("raftsim run SCENARIO.json... [options]");
  std::vector<std::string> files;
  std::uint64_t seed = 0;
  std::string junit;
  std::string bug;
  RunFlags flags;
  add_help_option(options);
  options.add_options()("scenario", po::value<std::vector<std::string>>(&files),
                        "scenario files to run")("seed", po::value<std::uint64_t>(&seed),
                                                 "root seed (default: the scenario's own)")(
      "out", po::value<std::string>(&flags.out_dir),
      "write result.json, history.json and, on failure, trace.jsonl, replay.json and the "
      "diagram here (a subdirectory per scenario when several are given)")(
      "check-determinism", po::bool_switch(&flags.check_determinism),
      "run twice and compare the trace hashes")("trace", po::bool_switch(&flags.trace),
                                                "write trace.jsonl even when the run passes")(
      "diagram", po::bool_switch(&flags.diagram),
      "draw the diagram even when the run passes (around the first fault)")(
      "junit", po::value<std::string>(&junit), "write JUnit XML for CI systems");
  add_json_option(options, flags.json);
  add_bug_option(options, bug);
  add_input_limit_option(options);
  po::positional_options_description positional;
  positional.add("scenario", -1);
  po::variables_map values = parse_arguments(arguments, options, &positional);
  if (print_help_if_asked(values, options)) return 0;
  if (files.empty()) throw UsageError("no scenario file given (see raftsim run --help)");
  const std::size_t input_limit = input_limit_bytes(values, kScenarioFileBytesDefault);
  if (values.count("seed")) flags.seed = seed;
  const bool inject = values.count("bug") > 0;
  flags.bug_given = inject;
  const Bug injected = inject ? parse_bug_option(bug) : Bug{};
  std::vector<Scenario> scenarios = load_all(files, input_limit);
  if (inject) {
    for (Scenario& scenario : scenarios) scenario.bug = injected;
  }

  const std::vector<std::string> out_dirs = output_directories(scenarios, files, flags.out_dir);
  if (!junit.empty()) check_output_file("--junit", junit);

  std::vector<RunOutcome> outcomes;
  nlohmann::ordered_json json_results = nlohmann::ordered_json::array();
  int exit_code = 0;
  for (std::size_t index = 0; index < scenarios.size(); ++index) {
    const Scenario& scenario = scenarios[index];
    const std::string& out_dir = out_dirs[index];
    nlohmann::ordered_json json_result;
    outcomes.push_back(run_one(scenario, flags, out_dir, flags.json ? &json_result : nullptr));
    if (flags.json) json_results.push_back(json_result);
    const int code = outcomes.back().exit_code;
    if (code == 1 || (code == 4 && exit_code == 0)) exit_code = code;
  }
  if (flags.json) {
    std::printf("%s\n", (scenarios.size() == 1 ? json_results[0] : json_results).dump(2).c_str());
  } else if (scenarios.size() > 1) {
    std::size_t met = 0;
    for (const RunOutcome& outcome : outcomes) met += outcome.exit_code == 0;
    std::printf("%zu of %zu scenarios met their expectation\n", met, outcomes.size());
  }
  if (!junit.empty()) write_junit(junit, outcomes);
  return exit_code;
}

int run_validate(const std::vector<std::string>& arguments) {
  po::options_description options("raftsim validate SCENARIO.json...");
  std::vector<std::string> files;
  add_help_option(options);
  options.add_options()("scenario", po::value<std::vector<std::string>>(&files),
                        "scenario files to check");
  add_input_limit_option(options);
  po::positional_options_description positional;
  positional.add("scenario", -1);
  po::variables_map values = parse_arguments(arguments, options, &positional);
  if (print_help_if_asked(values, options)) return 0;
  if (files.empty()) throw UsageError("no scenario file given (see raftsim validate --help)");
  const std::size_t input_limit = input_limit_bytes(values, kScenarioFileBytesDefault);
  bool all_valid = true;
  for (const std::string& file : files) {
    auto scenario = load_scenario(file, input_limit);
    if (scenario.ok()) {
      std::printf("%s: ok (%s: %u nodes, %u clients, %zu fault steps%s)\n",
                  files::printable(file).c_str(), files::printable(scenario.value().name).c_str(),
                  scenario.value().cluster.nodes, scenario.value().cluster.clients,
                  scenario.value().faults.size(), scenario.value().nemesis ? ", nemesis" : "");
    } else {
      all_valid = false;
      std::fprintf(stderr, "%s\n", scenario.status().message().c_str());
    }
  }
  return all_valid ? 0 : 2;
}

}  // namespace raftsim::tools

// raftsim fuzz: swarm-testing campaigns. Each run draws its own scenario from (campaign seed,
// run index) (sim/fuzz/generate.h); --shard I/N takes the indices i = I mod N, so a campaign
// splits across processes or machines with no coordination, and --merge adds their results.
// On a failure: the generated and the realised (concrete) scenario, the shrunk scenario and its
// diagram are written, and the exit code is 1. PR mode: --regressions DIR re-runs saved files.
#include <unistd.h>

#include <algorithm>
#include <boost/program_options.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>

#include "sim/files/input_file.h"
#include "sim/fuzz/campaign.h"
#include "sim/fuzz/campaign_report.h"
#include "sim/fuzz/generate.h"
#include "sim/fuzz/shrink.h"
#include "sim/fuzz/steering.h"
#include "sim/render/graphviz.h"
#include "sim/render/sequence_diagram.h"
#include "sim/scenario/parse.h"
#include "tools/commands.h"
#include "tools/options.h"

namespace raftsim::tools {

namespace {

using namespace raftsim::sim;
namespace po = boost::program_options;
using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

struct FuzzFlags {
  std::string out_dir = "out/fuzz";
  std::size_t shrink_runs_max = 400;
  double shrink_seconds_max = 60;  // per failure
  // With --time: shrinking ends here too, so the whole command ends near its deadline.
  std::optional<Clock::time_point> deadline;
  bool json = false;
  bool no_shrink = false;
  double unknown_percent_max = kUnknownSharePercentMaxDefault;
};

std::pair<std::uint64_t, std::uint64_t> parse_shard(const std::string& text) {
  const std::size_t slash = text.find('/');
  try {
    if (slash == std::string::npos) throw std::invalid_argument("no slash");
    std::size_t used = 0;
    const std::uint64_t index = std::stoull(text.substr(0, slash), &used);
    if (used != slash) throw std::invalid_argument("index");
    const std::string count_text = text.substr(slash + 1);
    const std::uint64_t count = std::stoull(count_text, &used);
    if (used != count_text.size() || count == 0 || index >= count) {
      throw std::invalid_argument("range");
    }
    return {index, count};
  } catch (const std::exception&) {
    throw UsageError("--shard: expected I/N with 0 <= I < N (e.g. 3/16), found '" + text + "'");
  }
}

// Writes one failure's files and shrinks it; returns its JSON entry.
nlohmann::ordered_json save_failure(const CampaignFailure& failure, const FuzzFlags& flags) {
  const std::string dir = flags.out_dir + "/failure-" + std::to_string(failure.run_index);
  create_out_directory(dir);
  nlohmann::ordered_json entry = {{"run_index", failure.run_index},
                                  {"seed", failure.scenario.seed},
                                  {"checker", failure.checker},
                                  {"summary", failure.summary},
                                  {"runs_to_failure", failure.runs_at},
                                  {"wall_s_to_failure", failure.wall_s_at},
                                  {"dir", dir}};
  Scenario generated = failure.scenario;
  generated.expect = Expectation{false, failure.checker};
  write_output(dir + "/scenario.json", scenario_to_json(generated));
  Scenario concrete = failure.report.concrete_scenario(generated);
  concrete.name = generated.name + "-replay";
  write_output(dir + "/replay.json", scenario_to_json(concrete));
  if (flags.no_shrink) return entry;
  ShrinkOptions shrink_options;
  shrink_options.runs_max = flags.shrink_runs_max;
  auto shrink_deadline =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(
                         std::chrono::duration<double>(flags.shrink_seconds_max));
  if (flags.deadline) shrink_deadline = std::min(shrink_deadline, *flags.deadline);
  if (Clock::now() >= shrink_deadline) {
    entry["shrink_error"] = "not shrunk: the campaign's --time deadline has passed";
    return entry;
  }
  shrink_options.should_stop = [shrink_deadline] { return Clock::now() >= shrink_deadline; };
  concrete.file = dir + "/replay.json";
  const auto shrink_start = Clock::now();
  auto shrunk = shrink_scenario(concrete, failure.checker, shrink_options);
  entry["shrink_wall_s"] = seconds_since(shrink_start);
  if (!shrunk.ok()) {
    entry["shrink_error"] = shrunk.status().message();
    return entry;
  }
  // Shrinking keeps the best scenario so far when a budget ends it: say that it did.
  if (!shrunk.value().stopped.empty()) {
    entry["shrink_stopped"] = shrunk.value().stopped == "runs_max"
                                  ? "candidate runs used up (--shrink-runs-max)"
                                  : "wall time used up (--shrink-seconds-max or --time)";
  }
  Scenario minimal = shrunk.value().minimal;
  minimal.name = generated.name + "-min";
  minimal.description =
      "shrunk by raftsim fuzz from " + dir + "/replay.json: " + failure.checker + " fails";
  write_output(dir + "/min.json", scenario_to_json(minimal));
  const ScenarioSize& from = shrunk.value().original;
  const ScenarioSize& to = shrunk.value().final;
  entry["shrunk"] = {{"file", dir + "/min.json"},
                     {"runs", shrunk.value().runs},
                     {"faults", {from.faults, to.faults}},
                     {"fault_steps", {from.fault_steps, to.fault_steps}},
                     {"operations", {from.operations, to.operations}},
                     {"nodes", {from.nodes, to.nodes}},
                     {"clients", {from.clients, to.clients}}};
  entry["diagram"] = write_failure_diagram(minimal, dir, "min");
  return entry;
}

// Writes a run the budget stopped: its generated scenario and its realised timeline, both with
// the events_max that stopped it, so `raftsim run DIR/replay.json` stops at the same event.
nlohmann::ordered_json save_budget_run(const CampaignBudgetRun& run, const FuzzFlags& flags) {
  const std::string dir = flags.out_dir + "/budget-" + std::to_string(run.run_index);
  create_out_directory(dir);
  write_output(dir + "/scenario.json", scenario_to_json(run.scenario));
  Scenario concrete = run.report.concrete_scenario(run.scenario);
  concrete.name = run.scenario.name + "-replay";
  write_output(dir + "/replay.json", scenario_to_json(concrete));
  return {{"run_index", run.run_index},
          {"seed", run.scenario.seed},
          {"reason", run.report.budget_exceeded},
          {"events", run.report.events},
          {"simulated_ms", run.report.simulated / kMillisecond},
          {"wall_s", run.wall_s},
          {"dir", dir}};
}

}  // namespace

std::string write_failure_diagram(const Scenario& scenario, const std::string& dir,
                                  const std::string& stem) {
  ScenarioRunner runner(scenario, scenario.seed);
  ScenarioRunReport report = runner.run();
  const Trace& trace = runner.cluster().world().trace();
  write_trace_output(dir + "/" + stem + ".trace.jsonl", trace);
  DiagramOptions diagram;
  const CheckerFinding* failure = report.first_failure();
  if (failure != nullptr) {
    diagram.focus = failure->at;
    if (!failure->blamed.empty()) {
      diagram.highlight = failure->blamed;
      diagram.clients_highlighted_only = true;
    }
  }
  diagram.title =
      scenario.name + ", seed " + std::to_string(scenario.seed) +
      (scenario.bug != Bug::none ? ", bug " + std::string(bug_name(scenario.bug)) : "") + ": " +
      (failure != nullptr ? failure->checker + " failed: " + failure->summary
                          : std::string("every check passed"));
  if (diagram.title.size() > 160) diagram.title = diagram.title.substr(0, 157) + "...";
  const std::string dot = render_sequence_diagram(trace, scenario.cluster.server_slots(), diagram);
  auto files = write_diagram(dir, stem, dot, ImageFormat::svg);
  return files.ok() ? files.value().image_path : dir + "/" + stem + ".dot";
}

namespace {

// The weights a steered campaign generates run `run_index` with: the runs of the batches before
// its own are run again (steering is a pure function of them). Unsteered: the defaults.
FuzzProfileWeights steered_weights_for_run(const CampaignOptions& campaign,
                                           std::uint64_t run_index) {
  if (!campaign.steer) return FuzzProfileWeights{};
  const std::uint64_t batch = run_index / kSteeringBatchRuns;
  CampaignOptions earlier = campaign;
  earlier.runs = batch * kSteeringBatchRuns;
  earlier.seconds.reset();
  earlier.keep_going = true;
  earlier.failures_max = 0;
  earlier.progress = nullptr;
  if (batch > 0)
    std::fprintf(stderr, "fuzz: re-running runs 0..%llu to steer like the campaign\n",
                 static_cast<unsigned long long>(*earlier.runs - 1));
  const CampaignResult result = run_campaign(earlier, monotonic_seconds);
  return steer_weights(campaign.seed, batch, result.steering_observations);
}

// The command line of `raftsim fuzz`, as parsed; configure_campaign() turns it into a campaign.
struct FuzzArguments {
  std::string base_file, shard = "0/1", bug, regressions;
  std::uint64_t runs = 0, seed = 1, events_max = 0;
  double seconds = 0;
  CampaignOptions campaign;
  std::vector<std::string> merge;
  bool keep_going = false, pr_mode = false;
  std::optional<std::uint64_t> print_run;  // --print-run: show this run's scenario and exit
  FuzzFlags flags;
  std::optional<Scenario> base;  // --scenario, loaded; campaign.base points here
};

void add_fuzz_options(po::options_description& options, FuzzArguments& fuzz) {
  FuzzFlags& flags = fuzz.flags;
  add_help_option(options);
  add_json_option(options, fuzz.flags.json);
  add_bug_option(options, fuzz.bug);
  options.add_options()(
      "scenario", po::value<std::string>(&fuzz.base_file),
      "base scenario: keep its cluster, workload and faults, vary the seed (and add a random "
      "nemesis if it has no faults)")("runs", po::value<std::uint64_t>(&fuzz.runs),
                                      "run indices 0..N-1 (this shard's share of them)")(
      "time", po::value<double>(&fuzz.seconds), "run for this many wall-clock seconds")(
      "seed", po::value<std::uint64_t>(&fuzz.seed)->default_value(1), "campaign seed")(
      "shard", po::value<std::string>(&fuzz.shard), "I/N: take the run indices i with i % N == I")(
      "out", po::value<std::string>(&flags.out_dir)->default_value("out/fuzz"),
      "write campaign.json, coverage.md and one directory per failure here")(
      "keep-going", po::bool_switch(&fuzz.keep_going), "do not stop at the first failure")(
      "regressions", po::value<std::string>(&fuzz.regressions),
      "first re-run every scenario file in this directory (PR mode: e.g. scenarios/regressions)")(
      "pr", po::bool_switch(&fuzz.pr_mode),
      "fixed-budget mode for pull requests: --time 120 (unless --runs or --time is given), "
      "--regressions scenarios/regressions (unless given) and --keep-going")(
      "no-shrink", po::bool_switch(&flags.no_shrink), "write failures without shrinking them")(
      "shrink-runs-max", po::value<std::size_t>(&flags.shrink_runs_max)->default_value(400),
      "candidate runs the shrinker may spend per failure")(
      "shrink-seconds-max", po::value<double>(&flags.shrink_seconds_max)->default_value(60),
      "wall seconds the shrinker may spend per failure (with --time, also ends at the deadline)")(
      "events-max", po::value<std::uint64_t>(&fuzz.events_max),
      "event budget of every run (default: the generator's; 0: every scenario's default, "
      "100,000,000); a run that reaches it is reported as budget exceeded")(
      "run-seconds-max", po::value<double>(&fuzz.campaign.run_seconds_max)->default_value(30),
      "wall-clock guard of one run (last resort; the event budget is the deterministic one)")(
      "merge", po::value<std::vector<std::string>>(&fuzz.merge)->multitoken(),
      "merge the campaign.json of shards (directories or files) and exit")(
      "unknown-max-percent", po::value<double>(&fuzz.flags.unknown_percent_max)->default_value(2.0),
      "fail the campaign (exit 1) when more runs than this end unknown or over budget")(
      "steer", po::bool_switch(&fuzz.campaign.steer),
      "move profile weights towards runs that reach rare probes, batch by batch (deterministic; "
      "not with --shard or --scenario)")(
      "print-run", po::value<std::uint64_t>(),
      "print the scenario of this run index (for --seed, --bug, --scenario) and exit: a passing "
      "run becomes a file for 'raftsim run'");
}

// Checks the options and fills fuzz.campaign (budget, shard, bug, PR mode, base scenario).
void configure_campaign(const po::variables_map& values, FuzzArguments& fuzz) {
  CampaignOptions& campaign = fuzz.campaign;
  if (values.count("runs") && values.count("time")) {
    throw UsageError("give --runs or --time, not both");
  }
  if (!(fuzz.flags.unknown_percent_max >= 0 && fuzz.flags.unknown_percent_max <= 100)) {
    throw UsageError("--unknown-max-percent: expected a percentage from 0 to 100");
  }
  if (values.count("time") && !(fuzz.seconds > 0)) {
    throw UsageError("--time: expected a number of seconds above 0");
  }
  if (!(campaign.run_seconds_max > 0) || !(fuzz.flags.shrink_seconds_max >= 0)) {
    throw UsageError("--run-seconds-max: expected seconds > 0; --shrink-seconds-max: >= 0");
  }
  if (values.count("events-max")) campaign.events_max = fuzz.events_max;
  campaign.seed = fuzz.seed;
  std::tie(campaign.shard_index, campaign.shard_count) = parse_shard(fuzz.shard);
  if (values.count("runs")) campaign.runs = fuzz.runs;
  if (values.count("time")) campaign.seconds = fuzz.seconds;
  if (fuzz.pr_mode) {
    if (!campaign.runs && !campaign.seconds) campaign.seconds = 120;
    if (fuzz.regressions.empty()) fuzz.regressions = "scenarios/regressions";
    fuzz.keep_going = true;
  }
  if (!campaign.runs && !campaign.seconds) campaign.runs = 100;
  campaign.bug = values.count("bug") ? parse_bug_option(fuzz.bug) : Bug::none;
  campaign.keep_going = fuzz.keep_going;
  if (campaign.steer && (campaign.shard_count > 1 || !fuzz.base_file.empty())) {
    throw UsageError(
        "--steer needs the whole generated campaign in one process: not with "
        "--shard I/N (N > 1) or --scenario");
  }
  if (!fuzz.base_file.empty()) {
    auto loaded =
        load_scenario(fuzz.base_file, input_limit_bytes(values, kScenarioFileBytesDefault));
    if (!loaded.ok()) throw UsageError("invalid --scenario:\n" + loaded.status().message());
    fuzz.base = std::move(loaded).value();
    campaign.base = &*fuzz.base;
  }
}

// Runs the campaign with a progress line on stderr (redrawn in place on a terminal); with --time
// the shrinking of its failures ends at the same deadline.
CampaignResult run_campaign_with_progress(CampaignOptions& campaign, FuzzFlags& flags) {
  const bool tty = isatty(STDERR_FILENO) != 0;
  campaign.progress = [tty](const std::string& line) {
    std::fprintf(stderr, tty ? "\r\033[Kfuzz: %s" : "fuzz: %s\n", line.c_str());
  };
  if (campaign.seconds) {
    flags.deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                        std::chrono::duration<double>(*campaign.seconds));
  }
  CampaignResult result = run_campaign(campaign, monotonic_seconds);
  if (tty) std::fprintf(stderr, "\r\033[K");
  return result;
}

// The failures and the runs over budget, written to their directories (failures shrunk).
struct SavedRuns {
  nlohmann::ordered_json failures = nlohmann::ordered_json::array();
  nlohmann::ordered_json over_budget = nlohmann::ordered_json::array();
};

SavedRuns save_runs(const CampaignResult& result, const FuzzFlags& flags) {
  create_out_directory(flags.out_dir);
  SavedRuns saved;
  for (const CampaignFailure& failure : result.failures) {
    std::fprintf(stderr, "fuzz: run %llu failed (%s: %s); shrinking...\n",
                 static_cast<unsigned long long>(failure.run_index), failure.checker.c_str(),
                 failure.summary.substr(0, 120).c_str());
    saved.failures.push_back(save_failure(failure, flags));
  }
  for (const CampaignBudgetRun& run : result.budget_exceeded) {
    std::fprintf(stderr, "fuzz: run %llu exceeded its budget (%s)\n",
                 static_cast<unsigned long long>(run.run_index),
                 run.report.budget_exceeded.c_str());
    saved.over_budget.push_back(save_budget_run(run, flags));
  }
  return saved;
}

void print_saved_runs(const SavedRuns& saved) {
  for (const auto& run : saved.over_budget) {
    std::printf("  OVER BUDGET run %s seed %s: %s (%s)\n", run["run_index"].dump().c_str(),
                run["seed"].dump().c_str(), run["reason"].get<std::string>().c_str(),
                run["dir"].get<std::string>().c_str());
  }
  for (const auto& failure : saved.failures) {
    std::printf("  FAIL run %s seed %s: %s\n", failure["run_index"].dump().c_str(),
                failure["seed"].dump().c_str(), failure["checker"].get<std::string>().c_str());
    if (failure.contains("shrunk")) {
      const auto& shrunk = failure["shrunk"];
      std::printf("    shrunk: faults %s -> %s, operations %s -> %s: %s\n",
                  shrunk["faults"][0].dump().c_str(), shrunk["faults"][1].dump().c_str(),
                  shrunk["operations"][0].dump().c_str(), shrunk["operations"][1].dump().c_str(),
                  shrunk["file"].get<std::string>().c_str());
      std::printf("    diagram: %s\n", failure["diagram"].get<std::string>().c_str());
    }
  }
}

void print_campaign(const CampaignOptions& campaign, const CampaignResult& result,
                    const nlohmann::ordered_json& summary, const SavedRuns& saved,
                    const FuzzFlags& flags) {
  std::printf(
      "fuzz seed %llu shard %s%s: %llu runs in %.1f s (%.1f runs/s), %llu passed, "
      "%llu unknown, %zu over budget, %zu failures\n",
      static_cast<unsigned long long>(campaign.seed), summary["shard"].get<std::string>().c_str(),
      campaign.bug == Bug::none ? "" : (" bug " + std::string(bug_name(campaign.bug))).c_str(),
      static_cast<unsigned long long>(result.runs), result.wall_s,
      summary["runs_per_s"].get<double>(), static_cast<unsigned long long>(result.passed),
      static_cast<unsigned long long>(result.unknown), result.budget_exceeded.size(),
      result.failures.size());
  std::printf("  slowest run %llu: %.2f s; most events in a run: %llu%s\n",
              static_cast<unsigned long long>(result.slowest_run_index), result.slowest_run_wall_s,
              static_cast<unsigned long long>(result.events_per_run_max),
              result.interrupted > 0 ? "; the last run was cut short by the deadline" : "");
  print_saved_runs(saved);
  std::printf("  %s\n",
              describe_unknown_share(UnknownShare{summary["unknown_share_percent"].get<double>(),
                                                  summary["unknown_share_exceeded"].get<bool>()},
                                     result.unknown + result.budget_exceeded.size(),
                                     flags.unknown_percent_max)
                  .c_str());
  std::printf("  wrote %s/campaign.json, %s/coverage.md\n\n%s", flags.out_dir.c_str(),
              flags.out_dir.c_str(), result.coverage.to_markdown().c_str());
  std::printf("\n%s", result.probes.to_markdown().c_str());
}

// Saves the failures and runs over budget, writes campaign.json and coverage.md, prints.
void report_campaign(const CampaignOptions& campaign, const CampaignResult& result,
                     const FuzzFlags& flags, int regression_code) {
  const SavedRuns saved = save_runs(result, flags);
  const nlohmann::ordered_json summary =
      campaign_json(campaign, result, saved.failures, saved.over_budget, regression_code,
                    flags.unknown_percent_max);
  write_output(flags.out_dir + "/campaign.json", summary.dump(2) + "\n");
  write_output(flags.out_dir + "/coverage.md", campaign_coverage_markdown(campaign, result));
  if (flags.json) {
    std::printf("%s\n", summary.dump(2).c_str());
  } else {
    print_campaign(campaign, result, summary, saved, flags);
  }
}

}  // namespace

int run_fuzz(const std::vector<std::string>& arguments) {
  po::options_description options(
      "raftsim fuzz [--scenario BASE.json] [--runs N | --time SECONDS] [--seed S] [--shard I/N] "
      "[--bug NAME] [--out DIR] [--keep-going] [--regressions DIR]\nraftsim fuzz --merge "
      "DIR_OR_CAMPAIGN_JSON...");
  FuzzArguments fuzz;
  add_fuzz_options(options, fuzz);
  add_input_limit_option(options);
  po::variables_map values = parse_arguments(arguments, options);
  if (print_help_if_asked(values, options)) return 0;
  if (!fuzz.merge.empty()) {
    return merge_campaigns(fuzz.merge, fuzz.flags.json, fuzz.flags.unknown_percent_max,
                           input_limit_bytes(values, files::kInputBytesDefault));
  }
  configure_campaign(values, fuzz);
  if (values.count("print-run")) {
    FuzzRunSpec spec{fuzz.campaign.seed, values["print-run"].as<std::uint64_t>(), fuzz.campaign.bug,
                     fuzz.campaign.base};
    const FuzzProfileWeights weights = steered_weights_for_run(fuzz.campaign, spec.run_index);
    if (fuzz.campaign.steer) spec.weights = &weights;
    std::printf("%s\n", scenario_to_json(generate_scenario(spec)).c_str());
    return 0;
  }
  int regression_code = 0;
  if (!fuzz.regressions.empty()) regression_code = run_regressions(fuzz.regressions, false);
  const CampaignResult result = run_campaign_with_progress(fuzz.campaign, fuzz.flags);
  report_campaign(fuzz.campaign, result, fuzz.flags, regression_code);
  if (!result.failures.empty()) return 1;
  if (judge_unknown_share(result.runs, result.unknown + result.budget_exceeded.size(),
                          fuzz.flags.unknown_percent_max)
          .exceeded) {
    return 1;
  }
  return regression_code;
}

}  // namespace raftsim::tools

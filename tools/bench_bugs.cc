// raftsim bench bugs: how well fuzzing finds each catalogued bug. For every entry of
// bug_catalogue() it runs campaigns with the bug injected (campaign seeds 1..N, each up to a run
// and a wall-time budget), reports runs and wall time to the first failure (median over the
// campaigns that found it), the checker, and the smallest shrunk size among the failures found. A
// bug whose injection is absent on this build is simply never found: reported as such, never faked.
#include <algorithm>
#include <boost/program_options.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "sim/fuzz/campaign.h"
#include "sim/fuzz/shrink.h"
#include "sim/scenario/parse.h"
#include "tools/commands.h"
#include "tools/options.h"

namespace raftsim::tools {

namespace {
using namespace raftsim::sim;
namespace po = boost::program_options;

// The median over the campaigns that found a bug (the mean of the two middle values when even).
double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const std::size_t middle = values.size() / 2;
  return values.size() % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

struct BugHunt {
  const BugInfo* info = nullptr;
  std::size_t campaigns = 0, found = 0;
  std::vector<double> runs_to_failure, seconds_to_failure;
  std::map<std::string, std::size_t> checkers;
  std::optional<ShrinkResult> shrunk;
  std::string shrunk_file, shrink_error;
  std::size_t failures_found = 0;  // over all campaigns
  std::size_t shrunk_count = 0;    // failures shrunk; the smallest result is kept
  std::uint64_t runs_total = 0;
};

std::string checker_list(const std::map<std::string, std::size_t>& checkers) {
  std::string text;
  for (const auto& [checker, count] : checkers) {
    text += (text.empty() ? "" : ", ") + checker +
            (checkers.size() > 1 ? " (" + std::to_string(count) + ")" : "");
  }
  return text.empty() ? "-" : text;
}

struct BugsBenchOptions {
  std::uint64_t seeds = 10, runs = 2000, give_up = 3, failures_per_campaign = 5, shrinks_max = 12;
  double seconds = 60;
  std::string out_dir = "results", only, command_line = "raftsim bench bugs";
  bool json = false;
};

void add_bench_bugs_options(po::options_description& options, BugsBenchOptions& bench) {
  add_help_option(options);
  add_json_option(options, bench.json);
  options.add_options()("seeds", po::value<std::uint64_t>(&bench.seeds)->default_value(10),
                        "campaign seeds 1..N per bug")(
      "runs", po::value<std::uint64_t>(&bench.runs)->default_value(2000),
      "runs per campaign at most")("seconds", po::value<double>(&bench.seconds)->default_value(60),
                                   "wall seconds per campaign at most")(
      "give-up-after", po::value<std::uint64_t>(&bench.give_up)->default_value(3),
      "stop a bug after this many campaigns in a row found nothing (0: never)")(
      "failures-per-campaign",
      po::value<std::uint64_t>(&bench.failures_per_campaign)->default_value(5),
      "keep a campaign going after its first failure until it has this many (within its budget)")(
      "shrinks-max", po::value<std::uint64_t>(&bench.shrinks_max)->default_value(12),
      "shrink at most this many failures per bug, those with the fewest faults first")(
      "bug", po::value<std::string>(&bench.only), "only this bug")(
      "out", po::value<std::string>(&bench.out_dir)->default_value("results"),
      "write bug-hunt.md, bug-hunt.json and bugs/<name>.json (smallest shrunk scenario) here");
}

// Runs the campaigns of one bug (seeds 1..N, given up after `give_up` misses in a row while
// nothing was found); returns every failure they found.
std::vector<CampaignFailure> run_bug_campaigns(const BugsBenchOptions& bench, BugHunt& hunt) {
  const BugInfo& info = *hunt.info;
  std::uint64_t misses_in_a_row = 0;
  std::vector<CampaignFailure> found;
  for (std::uint64_t seed = 1; seed <= bench.seeds; ++seed) {
    CampaignOptions campaign;
    campaign.seed = seed;
    campaign.runs = bench.runs;
    campaign.seconds = bench.seconds;
    campaign.bug = info.bug;
    campaign.keep_going = true;
    campaign.failures_max = bench.failures_per_campaign;
    CampaignResult result = run_campaign(campaign, monotonic_seconds);
    ++hunt.campaigns;
    hunt.runs_total += result.runs;
    if (result.failures.empty()) {
      std::fprintf(stderr, "bench bugs: %s seed %llu: not found in %llu runs (%.1f s)\n",
                   std::string(info.name).c_str(), static_cast<unsigned long long>(seed),
                   static_cast<unsigned long long>(result.runs), result.wall_s);
      if (bench.give_up > 0 && ++misses_in_a_row >= bench.give_up && hunt.found == 0) break;
      continue;
    }
    misses_in_a_row = 0;
    const CampaignFailure& failure = result.failures.front();
    ++hunt.found;
    hunt.runs_to_failure.push_back(static_cast<double>(failure.runs_at));
    hunt.seconds_to_failure.push_back(failure.wall_s_at);
    ++hunt.checkers[failure.checker];
    std::fprintf(stderr, "bench bugs: %s seed %llu: %s failed after %llu runs (%.2f s)\n",
                 std::string(info.name).c_str(), static_cast<unsigned long long>(seed),
                 failure.checker.c_str(), static_cast<unsigned long long>(failure.runs_at),
                 failure.wall_s_at);
    for (CampaignFailure& each : result.failures) found.push_back(std::move(each));
  }
  return found;
}

// Indexes into `found` of the failures to shrink: the fewest faults (then operations) first.
std::vector<std::size_t> shrink_order(const std::vector<CampaignFailure>& found,
                                      std::size_t shrinks_max) {
  std::vector<std::pair<std::pair<std::size_t, std::size_t>, std::size_t>> order;  // size, index
  for (std::size_t index = 0; index < found.size(); ++index) {
    const CampaignFailure& failure = found[index];
    const ScenarioSize size =
        scenario_size(failure.report.concrete_scenario(failure.scenario), failure.report);
    order.push_back({{size.faults, size.operations}, index});
  }
  std::stable_sort(order.begin(), order.end());
  if (order.size() > shrinks_max) order.resize(shrinks_max);
  std::vector<std::size_t> indexes;
  for (const auto& [size, index] : order) indexes.push_back(index);
  return indexes;
}

// Writes OUT/bugs/<bug>.json: the shrunk scenario, named and described after the bug.
void write_shrunk_scenario(const BugsBenchOptions& bench, const CampaignFailure& failure,
                           ShrinkResult shrunk, BugHunt& hunt) {
  const BugInfo& info = *hunt.info;
  Scenario minimal = shrunk.minimal;
  minimal.name = std::string(info.name);
  minimal.description = "bug " + std::string(info.name) + " (" + std::string(info.description) +
                        "): " + failure.checker + " fails. Found by raftsim fuzz --bug " +
                        std::string(info.name) + " (" + failure.scenario.name +
                        ": campaign seed, run index), "
                        "shrunk by raftsim shrink.";
  hunt.shrunk_file = bench.out_dir + "/bugs/" + std::string(info.name) + ".json";
  write_output(hunt.shrunk_file, scenario_to_json(minimal));
  hunt.shrunk = std::move(shrunk);
}

// Shrinks the failures with the fewest faults (each keeps its own seed) and keeps the smallest
// result: a timing-sensitive failure is 1-minimal at a size another failure's often beats.
void shrink_smallest(const BugsBenchOptions& bench, const std::vector<CampaignFailure>& found,
                     BugHunt& hunt) {
  const std::vector<std::size_t> order = shrink_order(found, bench.shrinks_max);
  hunt.failures_found = found.size();
  for (const std::size_t index : order) {
    const CampaignFailure& failure = found[index];
    Scenario concrete = failure.report.concrete_scenario(failure.scenario);
    auto shrunk = shrink_scenario(concrete, failure.checker);
    if (!shrunk.ok()) {
      hunt.shrink_error = shrunk.status().message();
      continue;
    }
    ++hunt.shrunk_count;
    const ScenarioSize& size = shrunk.value().final;
    std::fprintf(stderr, "bench bugs: %s: shrunk failure %zu/%zu (%s): %zu -> %zu faults\n",
                 std::string(hunt.info->name).c_str(), hunt.shrunk_count, order.size(),
                 failure.scenario.name.c_str(), shrunk.value().original.faults, size.faults);
    if (hunt.shrunk && std::pair(hunt.shrunk->final.faults, hunt.shrunk->final.operations) <=
                           std::pair(size.faults, size.operations)) {
      continue;
    }
    write_shrunk_scenario(bench, failure, std::move(shrunk).value(), hunt);
  }
}

BugHunt hunt_bug(const BugsBenchOptions& bench, const BugInfo& info) {
  BugHunt hunt;
  hunt.info = &info;
  const std::vector<CampaignFailure> found = run_bug_campaigns(bench, hunt);
  shrink_smallest(bench, found, hunt);
  return hunt;
}

nlohmann::ordered_json shrunk_json(const BugHunt& hunt) {
  const ShrinkResult& shrunk = *hunt.shrunk;
  return {{"file", hunt.shrunk_file},
          {"checker", shrunk.checker},
          {"runs", shrunk.runs},
          {"failures_found", hunt.failures_found},
          {"failures_shrunk", hunt.shrunk_count},
          {"passes_with_bug_off_checked", shrunk.bug_off_must_pass},
          {"faults", {shrunk.original.faults, shrunk.final.faults}},
          {"fault_steps", {shrunk.original.fault_steps, shrunk.final.fault_steps}},
          {"operations", {shrunk.original.operations, shrunk.final.operations}},
          {"nodes", {shrunk.original.nodes, shrunk.final.nodes}}};
}

nlohmann::ordered_json hunt_json(const BugHunt& hunt) {
  nlohmann::ordered_json entry = {{"bug", hunt.info->name},
                                  {"description", hunt.info->description},
                                  {"campaigns", hunt.campaigns},
                                  {"campaigns_found", hunt.found},
                                  {"runs_total", hunt.runs_total}};
  entry["found"] = hunt.found > 0;
  if (hunt.found == 0) return entry;
  entry["runs_to_failure"] = hunt.runs_to_failure;
  entry["seconds_to_failure"] = hunt.seconds_to_failure;
  entry["runs_to_failure_median"] = median(hunt.runs_to_failure);
  entry["seconds_to_failure_median"] = median(hunt.seconds_to_failure);
  entry["checkers"] = hunt.checkers;
  if (hunt.shrunk) {
    entry["shrunk"] = shrunk_json(hunt);
  } else {
    entry["shrink_error"] = hunt.shrink_error;
  }
  return entry;
}

// The bug's row of the Markdown table.
std::string hunt_row(const BugHunt& hunt) {
  std::string row = "| `" + std::string(hunt.info->name) + "` | ";
  if (hunt.found == 0) {
    return row + "no: not in " + std::to_string(hunt.campaigns) + " campaigns (" +
           std::to_string(hunt.runs_total) + " runs) | - | - | - | - | - |";
  }
  char numbers[160];
  std::snprintf(numbers, sizeof numbers, "%zu/%zu campaigns | %.0f | %.2f | ", hunt.found,
                hunt.campaigns, median(hunt.runs_to_failure), median(hunt.seconds_to_failure));
  row += numbers + checker_list(hunt.checkers) + " | ";
  if (!hunt.shrunk) return row + "shrink failed | - |";
  const ShrinkResult& shrunk = *hunt.shrunk;
  return row + std::to_string(shrunk.original.faults) + " → " +
         std::to_string(shrunk.final.faults) + " (" + std::to_string(shrunk.final.fault_steps) +
         ") | " + std::to_string(shrunk.original.operations) + " → " +
         std::to_string(shrunk.final.operations) + " |";
}

void write_bug_hunt_markdown(const BugsBenchOptions& bench, const std::string& table) {
  std::ostringstream md;
  md << "# Bug hunt: does fuzzing find the catalogued bugs?\n\nProduced by:\n\n```\n"
     << bench.command_line << "\n```\n\n"
     << "Per bug: campaigns with campaign seeds 1.." << bench.seeds << " (each at most "
     << bench.runs << " runs and " << bench.seconds << " s of wall time; a bug is given up after "
     << bench.give_up
     << " campaigns in a row found nothing), `raftsim fuzz --bug NAME --seed S --runs "
     << bench.runs
     << "` each. Runs and wall time to the first failure are medians over the campaigns that "
        "found the bug. Each campaign goes on after its first failure until it has "
     << bench.failures_per_campaign << " (within its budget); of all the failures of a bug, the "
     << bench.shrinks_max
     << " with the fewest faults are shrunk (`raftsim shrink`, each with its own seed and "
        "checker; a candidate is kept only if it still fails that checker with the bug and "
        "passes with the bug off) and the smallest result is reported, as original → shrunk; "
        "its scenario is `results/bugs/<bug>.json` (committed as `scenarios/bugs/<bug>.json`). "
        "Faults count "
        "injecting steps (partition, crash, clock, ...), steps "
        "also count repairs (heal, restart, resume). A bug not found may simply not be injected "
        "on this build (built with RAFTSIM_BUG_INJECTION=0, every site is compiled out): the "
        "table cannot tell and does not "
        "guess.\n\n"
     << table;
  write_output(bench.out_dir + "/bug-hunt.md", md.str());
}

// Writes bug-hunt.json and bug-hunt.md and prints the table (or the JSON).
void report_bug_hunts(const BugsBenchOptions& bench, const std::vector<BugHunt>& hunts) {
  nlohmann::ordered_json out;
  out["command"] = bench.command_line;
  out["budget"] = {{"campaign_seeds", bench.seeds},
                   {"runs_per_campaign_max", bench.runs},
                   {"seconds_per_campaign_max", bench.seconds},
                   {"give_up_after", bench.give_up},
                   {"failures_per_campaign", bench.failures_per_campaign},
                   {"shrinks_max", bench.shrinks_max}};
  out["bugs"] = nlohmann::ordered_json::array();
  std::string table =
      "| bug | found | runs to first failure (median) | wall s to first failure (median) | "
      "checker | shrunk faults (steps) | shrunk operations |\n|---|---|---|---|---|---|---|\n";
  for (const BugHunt& hunt : hunts) {
    table += hunt_row(hunt) + "\n";
    out["bugs"].push_back(hunt_json(hunt));
  }
  write_output(bench.out_dir + "/bug-hunt.json", out.dump(2) + "\n");
  write_bug_hunt_markdown(bench, table);
  if (bench.json) {
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    std::printf("%s\nwrote %s/bug-hunt.md, %s/bug-hunt.json\n", table.c_str(),
                bench.out_dir.c_str(), bench.out_dir.c_str());
  }
}

}  // namespace

int run_bench_bugs(const std::vector<std::string>& arguments) {
  po::options_description options("raftsim bench bugs [options]");
  BugsBenchOptions bench;
  add_bench_bugs_options(options, bench);
  po::variables_map values = parse_arguments(arguments, options);
  if (print_help_if_asked(values, options)) return 0;
  for (const std::string& argument : arguments) bench.command_line += " " + argument;
  if (bench.seeds < 1 || bench.runs < 1 || !(bench.seconds > 0) ||
      bench.failures_per_campaign < 1 || bench.shrinks_max < 1) {
    throw UsageError("--seeds, --runs, --seconds, --failures-per-campaign, --shrinks-max > 0");
  }
  const Bug only_bug = bench.only.empty() ? Bug::none : parse_bug_option(bench.only);
  create_out_directory(bench.out_dir + "/bugs");
  std::vector<BugHunt> hunts;
  for (const BugInfo& info : bug_catalogue()) {
    if (only_bug != Bug::none && info.bug != only_bug) continue;
    hunts.push_back(hunt_bug(bench, info));
  }
  report_bug_hunts(bench, hunts);
  return 0;
}

}  // namespace raftsim::tools

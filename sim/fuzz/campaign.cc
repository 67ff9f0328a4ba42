// raftsim: the fuzz campaign loop (campaign.h).
#include "sim/fuzz/campaign.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "sim/fuzz/generate.h"

namespace raftsim::sim {

namespace {

void report_progress(const CampaignOptions& options, const CampaignResult& result,
                     std::uint64_t index, double elapsed) {
  char line[300];
  const double rate = elapsed > 0 ? static_cast<double>(result.runs) / elapsed : 0;
  double left = 0;
  if (options.seconds) {
    left = *options.seconds - elapsed;
  } else if (options.runs && rate > 0) {
    const std::uint64_t remaining = (*options.runs - index) / options.shard_count;
    left = static_cast<double>(remaining) / rate;
  }
  std::snprintf(line, sizeof line,
                "%llu runs, %.1f runs/s, %zu failures, %zu over budget, slowest run %llu "
                "(%.2f s), %.0f s left",
                static_cast<unsigned long long>(result.runs), rate, result.failures.size(),
                result.budget_exceeded.size(),
                static_cast<unsigned long long>(result.slowest_run_index),
                result.slowest_run_wall_s, left);
  options.progress(line);
}

// A judged run's share of the campaign's counts: runs, events, the slowest run, probes.
void count_run(CampaignResult& result, std::uint64_t index, const ScenarioRunReport& report,
               double run_wall_s) {
  ++result.runs;
  result.last_index = index;
  result.probes.add_run(report.probes);
  result.events_per_run_max = std::max(result.events_per_run_max, report.events);
  if (run_wall_s > result.slowest_run_wall_s) {
    result.slowest_run_wall_s = run_wall_s;
    result.slowest_run_index = index;
  }
}

}  // namespace

CampaignResult run_campaign(const CampaignOptions& options, const CampaignClock& clock) {
  CampaignResult result;
  const double start = clock();
  auto seconds_since = [&clock](double from) { return clock() - from; };
  double last_progress = 0;
  std::optional<CampaignSteering> steering;
  if (options.steer) steering.emplace(options.seed);
  for (std::uint64_t index = options.shard_index;; index += options.shard_count) {
    if (options.runs && index >= *options.runs) break;
    const double elapsed = seconds_since(start);
    if (options.seconds && elapsed >= *options.seconds) break;
    if (options.progress && elapsed - last_progress >= 1.0) {
      last_progress = elapsed;
      report_progress(options, result, index, elapsed);
    }
    FuzzRunSpec spec{options.seed, index, options.bug, options.base};
    if (steering) spec.weights = &steering->weights_for(index);
    Scenario scenario = generate_scenario(spec);
    if (options.events_max) scenario.events_max = *options.events_max;
    ScenarioRunOptions run_options;
    run_options.record_trace = false;
    run_options.before_fault = [&](const FaultStep& step, const std::string& origin,
                                   ServiceCluster& cluster) {
      result.coverage.observe(step, origin, cluster);
    };
    // The wall-clock guard: this run's own limit, and the campaign's deadline.
    const double run_start = clock();
    bool deadline_hit = false;
    run_options.should_stop = [&] {
      if (options.seconds && seconds_since(start) >= *options.seconds) {
        deadline_hit = true;
        return true;
      }
      return seconds_since(run_start) >= options.run_seconds_max;
    };
    ScenarioRunReport report = run_scenario(scenario, scenario.seed, run_options);
    const double run_wall_s = seconds_since(run_start);
    if (deadline_hit && report.verdict == RunVerdict::budget_exceeded) {
      ++result.interrupted;  // the campaign's time is up, not the run's fault
      break;
    }
    count_run(result, index, report, run_wall_s);
    if (steering) steering->observe(spec, scenario, report.probes);
    if (report.verdict == RunVerdict::pass) {
      ++result.passed;
    } else if (report.verdict == RunVerdict::unknown) {
      ++result.unknown;
      for (const CheckerFinding& finding : report.findings) {
        if (finding.status != CheckStatus::unknown) continue;
        if (result.unknown_runs.size() < kCampaignUnknownRunsListed) {
          result.unknown_runs.push_back({index, finding.checker, finding.summary});
        }
        break;
      }
    } else if (report.verdict == RunVerdict::budget_exceeded) {
      result.budget_exceeded.push_back({index, std::move(scenario), std::move(report), run_wall_s});
    } else {
      CampaignFailure failure;
      failure.run_index = index;
      const CheckerFinding* first = report.first_failure();
      failure.checker = first != nullptr ? first->checker : "unknown";
      failure.summary = first != nullptr ? first->summary : run_verdict_name(report.verdict);
      failure.wall_s_at = seconds_since(start);
      failure.runs_at = result.runs;
      failure.scenario = std::move(scenario);
      failure.report = std::move(report);
      result.failures.push_back(std::move(failure));
      if (!options.keep_going) break;
      if (options.failures_max > 0 && result.failures.size() >= options.failures_max) break;
    }
  }
  result.wall_s = seconds_since(start);
  if (steering) {
    result.steering = steering->to_json();
    result.steering_observations = std::move(steering->observations());
  }
  return result;
}

}  // namespace raftsim::sim

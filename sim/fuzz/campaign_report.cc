// raftsim: campaign.json, coverage.md, the unknown share and shard merging (campaign_report.h).
#include "sim/fuzz/campaign_report.h"

#include <cstdio>
#include <filesystem>
#include <utility>

#include "sim/files/input_file.h"
#include "sim/files/strict_json.h"
#include "sim/files/text.h"

namespace raftsim::sim {

UnknownShare judge_unknown_share(std::uint64_t runs, std::uint64_t undecided, double percent_max) {
  UnknownShare share;
  if (runs == 0) return share;
  share.percent = 100.0 * static_cast<double>(undecided) / static_cast<double>(runs);
  share.exceeded = share.percent > percent_max;
  return share;
}

std::string describe_unknown_share(const UnknownShare& share, std::uint64_t undecided,
                                   double percent_max) {
  char text[200];
  std::snprintf(text, sizeof text,
                "unknown share %.2f%% (%llu runs unknown or over budget; %s %.2f%%)", share.percent,
                static_cast<unsigned long long>(undecided),
                share.exceeded ? "FAILS: above the ceiling" : "ceiling", percent_max);
  return text;
}

namespace {

nlohmann::ordered_json unknown_runs_json(const std::vector<CampaignUnknownRun>& runs) {
  nlohmann::ordered_json out = nlohmann::ordered_json::array();
  for (const CampaignUnknownRun& run : runs) {
    out.push_back(
        {{"run_index", run.run_index}, {"checker", run.checker}, {"summary", run.summary}});
  }
  return out;
}

std::string shard_name(const CampaignOptions& options) {
  return std::to_string(options.shard_index) + "/" + std::to_string(options.shard_count);
}

}  // namespace

nlohmann::ordered_json campaign_json(const CampaignOptions& options, const CampaignResult& result,
                                     nlohmann::ordered_json failures,
                                     nlohmann::ordered_json over_budget, int regressions_exit_code,
                                     double unknown_percent_max) {
  const std::uint64_t undecided = result.unknown + result.budget_exceeded.size();
  const UnknownShare share = judge_unknown_share(result.runs, undecided, unknown_percent_max);
  return {{"seed", options.seed},
          {"shard", shard_name(options)},
          {"bug", bug_name(options.bug)},
          {"runs", result.runs},
          {"passed", result.passed},
          {"unknown", result.unknown},
          {"budget_exceeded", result.budget_exceeded.size()},
          {"interrupted_by_deadline", result.interrupted},
          {"wall_s", result.wall_s},
          {"slowest_run",
           {{"run_index", result.slowest_run_index}, {"wall_s", result.slowest_run_wall_s}}},
          {"events_per_run_max", result.events_per_run_max},
          {"runs_per_s", result.wall_s > 0 ? static_cast<double>(result.runs) / result.wall_s : 0},
          {"failures", std::move(failures)},
          {"unknown_runs", unknown_runs_json(result.unknown_runs)},
          {"over_budget", std::move(over_budget)},
          {"regressions_exit_code", regressions_exit_code},
          {"coverage", result.coverage.to_json()},
          {"probes", result.probes.to_json()},
          {"steering", options.steer ? result.steering : nlohmann::ordered_json("off")},
          {"unknown_share_percent", share.percent},
          {"unknown_max_percent", unknown_percent_max},
          {"unknown_share_exceeded", share.exceeded}};
}

std::string campaign_coverage_markdown(const CampaignOptions& options,
                                       const CampaignResult& result) {
  return "# Fault coverage: seed " + std::to_string(options.seed) + ", shard " +
         shard_name(options) + ", " + std::to_string(result.runs) + " runs\n\n" +
         result.coverage.to_markdown() + "\n" + result.probes.to_markdown();
}

namespace {

// Adds one shard's campaign.json; nlohmann throws on a field that is missing or mistyped.
Status add_shard(const std::string& path, const nlohmann::json& campaign, MergedCampaigns& merged,
                 nlohmann::ordered_json& failures) {
  auto add = [&](const char* name, std::uint64_t value) {
    merged.summary[name] = merged.summary[name].get<std::uint64_t>() + value;
  };
  add("runs", campaign.at("runs").get<std::uint64_t>());
  add("passed", campaign.at("passed").get<std::uint64_t>());
  add("unknown", campaign.at("unknown").get<std::uint64_t>());
  add("budget_exceeded", campaign.value("budget_exceeded", std::uint64_t{0}));
  for (const auto& failure : campaign.at("failures")) {
    failures.push_back(nlohmann::ordered_json::parse(failure.dump()));
  }
  merged.coverage.merge_json(campaign.at("coverage"));
  // Shards of a build without probes have no table: they add nothing to it.
  if (campaign.contains("probes")) {
    if (Status status = merged.probes.merge_json(campaign.at("probes")); !status.ok()) {
      return Status(StatusCode::invalid_argument,
                    "'" + files::printable(path) + "': " + status.message());
    }
  }
  return Status();
}

}  // namespace

Result<MergedCampaigns> merge_campaign_files(const std::vector<std::string>& paths,
                                             double unknown_percent_max,
                                             std::size_t input_limit_bytes) {
  MergedCampaigns merged;
  merged.summary = {
      {"shards", paths.size()}, {"runs", 0}, {"passed", 0}, {"unknown", 0}, {"budget_exceeded", 0}};
  nlohmann::ordered_json failures = nlohmann::ordered_json::array();
  for (const std::string& given : paths) {
    const std::string path =
        std::filesystem::is_directory(given) ? given + "/campaign.json" : given;
    auto text = files::read_input_file(path, "campaign file", input_limit_bytes);
    if (!text.ok()) return text.status();
    auto parsed = files::parse_strict_json(text.value(), files::printable(path));
    if (!parsed.ok()) return parsed.status();
    try {
      if (Status added = add_shard(path, parsed.value(), merged, failures); !added.ok()) {
        return added;
      }
    } catch (const nlohmann::json::exception& error) {
      return Status(StatusCode::invalid_argument,
                    "'" + files::printable(path) + "' is not a campaign.json: " + error.what());
    }
  }
  merged.undecided = merged.summary["unknown"].get<std::uint64_t>() +
                     merged.summary["budget_exceeded"].get<std::uint64_t>();
  merged.share = judge_unknown_share(merged.summary["runs"].get<std::uint64_t>(), merged.undecided,
                                     unknown_percent_max);
  merged.summary["failures"] = std::move(failures);
  merged.summary["coverage"] = merged.coverage.to_json();
  merged.summary["probes"] = merged.probes.to_json();
  merged.summary["unknown_share_percent"] = merged.share.percent;
  merged.summary["unknown_share_exceeded"] = merged.share.exceeded;
  return merged;
}

}  // namespace raftsim::sim

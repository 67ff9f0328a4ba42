// raftsim: what a fuzz campaign reports -- campaign.json, coverage.md, the unknown share against
// its ceiling -- and the sum of several shards' campaign.json (`raftsim fuzz --merge`). An
// unknown run (verdict unknown, or stopped by a budget) is a finding to explain, so a campaign
// with too many of them fails. The CLI (tools/fuzz.cc) only saves runs, writes and prints.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "raft/base/status.h"
#include "sim/fuzz/campaign.h"

namespace raftsim::sim {

inline constexpr double kUnknownSharePercentMaxDefault = 2.0;

struct UnknownShare {
  double percent = 0;
  bool exceeded = false;
};
UnknownShare judge_unknown_share(std::uint64_t runs, std::uint64_t undecided, double percent_max);
std::string describe_unknown_share(const UnknownShare& share, std::uint64_t undecided,
                                   double percent_max);

// campaign.json: the options, the counts, `failures` and `over_budget` as the caller saved them
// (each with the directory it wrote), coverage, probes, steering and the unknown share.
nlohmann::ordered_json campaign_json(const CampaignOptions& options, const CampaignResult& result,
                                     nlohmann::ordered_json failures,
                                     nlohmann::ordered_json over_budget, int regressions_exit_code,
                                     double unknown_percent_max);
// coverage.md: the fault coverage and the probe table of the campaign.
std::string campaign_coverage_markdown(const CampaignOptions& options,
                                       const CampaignResult& result);

// Several shards' campaign.json added up.
struct MergedCampaigns {
  nlohmann::ordered_json summary;  // shards, counts, failures, coverage, probes, unknown share
  UnknownShare share;
  std::uint64_t undecided = 0;  // runs unknown or over budget
  FaultCoverage coverage;
  ProbeTable probes;
};
// `paths`: campaign.json files or directories holding one. Errors (unreadable, not a
// campaign.json, incompatible probe tables) name the file; `input_limit_bytes` caps each read.
Result<MergedCampaigns> merge_campaign_files(const std::vector<std::string>& paths,
                                             double unknown_percent_max,
                                             std::size_t input_limit_bytes);

}  // namespace raftsim::sim

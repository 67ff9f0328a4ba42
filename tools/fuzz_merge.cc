// raftsim fuzz's inputs beside the campaign itself: --merge prints the sum of the shards'
// campaign.json (sim/fuzz/campaign_report.h adds them up); --regressions re-runs saved scenarios.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "sim/fuzz/campaign_report.h"
#include "tools/commands.h"
#include "tools/options.h"

namespace raftsim::tools {

using namespace raftsim::sim;

int merge_campaigns(const std::vector<std::string>& paths, bool json, double unknown_percent_max,
                    std::size_t input_limit_bytes) {
  auto merged = merge_campaign_files(paths, unknown_percent_max, input_limit_bytes);
  if (!merged.ok()) throw UsageError("--merge: " + merged.status().message());
  const MergedCampaigns& total = merged.value();
  const nlohmann::ordered_json& summary = total.summary;
  if (json) {
    std::printf("%s\n", summary.dump(2).c_str());
  } else {
    std::printf("merged %zu shards: %s runs, %s passed, %s unknown, %s over budget, %zu failures\n",
                paths.size(), summary["runs"].dump().c_str(), summary["passed"].dump().c_str(),
                summary["unknown"].dump().c_str(), summary["budget_exceeded"].dump().c_str(),
                summary["failures"].size());
    for (const auto& failure : summary["failures"]) {
      std::printf("  FAIL run %s: %s (%s)\n", failure["run_index"].dump().c_str(),
                  failure["checker"].get<std::string>().c_str(),
                  failure.value("dir", std::string()).c_str());
    }
    std::printf("  %s\n\n%s\n%s",
                describe_unknown_share(total.share, total.undecided, unknown_percent_max).c_str(),
                total.coverage.to_markdown().c_str(), total.probes.to_markdown().c_str());
  }
  return summary["failures"].empty() && !total.share.exceeded ? 0 : 1;
}

// Re-runs every scenario file in `directory` (`raftsim run`'s exit code; 0 if there are none).
int run_regressions(const std::string& directory, bool json) {
  std::vector<std::string> files;
  std::error_code error;
  for (const auto& item : std::filesystem::directory_iterator(directory, error)) {
    if (item.path().extension() == ".json") files.push_back(item.path().string());
  }
  if (error) throw UsageError("--regressions: cannot read '" + directory + "': " + error.message());
  std::sort(files.begin(), files.end());
  if (files.empty()) return 0;
  std::vector<std::string> arguments = files;
  if (json) arguments.push_back("--json");
  std::fprintf(stderr, "fuzz: re-running %zu regression scenarios from %s\n", files.size(),
               directory.c_str());
  return run_run(arguments);
}

}  // namespace raftsim::tools

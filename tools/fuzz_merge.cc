// raftsim fuzz's inputs beside the campaign itself: --merge adds up the campaign.json of shards
// -- runs, verdicts, failures, fault coverage and the probe table -- into one report and judges
// the unknown share (tools/fuzz.cc writes the shards); --regressions re-runs saved scenarios.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "sim/files/input_file.h"
#include "sim/files/strict_json.h"
#include "sim/files/text.h"
#include "sim/fuzz/coverage.h"
#include "sim/fuzz/probe_table.h"
#include "tools/commands.h"
#include "tools/fuzz_campaign.h"
#include "tools/fuzz_unknown_share.h"
#include "tools/options.h"

namespace raftsim::tools {

using namespace raftsim::sim;

int merge_campaigns(const std::vector<std::string>& paths, bool json, double unknown_percent_max) {
  FaultCoverage coverage;
  ProbeTable probes;
  std::uint64_t runs = 0, passed = 0, unknown = 0, budget_exceeded = 0;
  nlohmann::ordered_json failures = nlohmann::ordered_json::array();
  for (const std::string& given : paths) {
    const std::string path =
        std::filesystem::is_directory(given) ? given + "/campaign.json" : given;
    auto text = files::read_input_file(path, "campaign file");
    if (!text.ok()) throw UsageError("--merge: " + text.status().message());
    auto parsed = files::parse_strict_json(text.value(), files::printable(path));
    if (!parsed.ok()) throw UsageError("--merge: " + parsed.status().message());
    const nlohmann::json& campaign = parsed.value();
    try {
      runs += campaign.at("runs").get<std::uint64_t>();
      passed += campaign.at("passed").get<std::uint64_t>();
      unknown += campaign.at("unknown").get<std::uint64_t>();
      budget_exceeded += campaign.value("budget_exceeded", std::uint64_t{0});
      for (const auto& failure : campaign.at("failures")) {
        failures.push_back(nlohmann::ordered_json::parse(failure.dump()));
      }
      coverage.merge_json(campaign.at("coverage"));
      // Shards of a build without probes have no table: they add nothing to it.
      if (campaign.contains("probes")) {
        if (Status merged = probes.merge_json(campaign.at("probes")); !merged.ok()) {
          throw UsageError("--merge: '" + files::printable(path) + "': " + merged.message());
        }
      }
    } catch (const nlohmann::json::exception& error) {
      throw UsageError("--merge: '" + files::printable(path) +
                       "' is not a campaign.json: " + error.what());
    }
  }
  nlohmann::ordered_json merged = {{"shards", paths.size()},
                                   {"runs", runs},
                                   {"passed", passed},
                                   {"unknown", unknown},
                                   {"budget_exceeded", budget_exceeded},
                                   {"failures", failures},
                                   {"coverage", coverage.to_json()},
                                   {"probes", probes.to_json()}};
  const UnknownShare share =
      judge_unknown_share(runs, unknown + budget_exceeded, unknown_percent_max);
  merged["unknown_share_percent"] = share.percent;
  merged["unknown_share_exceeded"] = share.exceeded;
  if (json) {
    std::printf("%s\n", merged.dump(2).c_str());
  } else {
    std::printf(
        "merged %zu shards: %llu runs, %llu passed, %llu unknown, %llu over budget, %zu "
        "failures\n",
        paths.size(), static_cast<unsigned long long>(runs),
        static_cast<unsigned long long>(passed), static_cast<unsigned long long>(unknown),
        static_cast<unsigned long long>(budget_exceeded), failures.size());
    for (const auto& failure : failures) {
      std::printf("  FAIL run %s: %s (%s)\n", failure["run_index"].dump().c_str(),
                  failure["checker"].get<std::string>().c_str(),
                  failure.value("dir", std::string()).c_str());
    }
    std::printf(
        "  %s\n\n%s\n%s",
        describe_unknown_share(share, unknown + budget_exceeded, unknown_percent_max).c_str(),
        coverage.to_markdown().c_str(), probes.to_markdown().c_str());
  }
  return failures.empty() && !share.exceeded ? 0 : 1;
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

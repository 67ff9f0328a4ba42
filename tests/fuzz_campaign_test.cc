// The campaign loop and its report as sim/ library code (sim/fuzz/campaign*.h): the loop reads
// time only through the clock it is given, so a fake clock makes its deadline and run guard
// deterministic here; campaign.json carries the unknown share; merging shards adds them up and
// reports a bad file as a value naming it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "sim/fuzz/campaign.h"
#include "sim/fuzz/campaign_report.h"

namespace raftsim::sim {
namespace {

namespace fs = std::filesystem;

// A clock that moves `step` seconds each time it is read.
CampaignClock stepping_clock(double step) {
  return [now = 0.0, step]() mutable {
    now += step;
    return now;
  };
}

TEST(Campaign, RunsTheGivenRunsOfItsShard) {
  CampaignOptions options;
  options.seed = 5;
  options.runs = 6;
  options.shard_index = 1;
  options.shard_count = 2;
  options.keep_going = true;
  const CampaignResult result = run_campaign(options, stepping_clock(0.0));
  EXPECT_EQ(result.runs, 3u);  // indices 1, 3, 5
  EXPECT_EQ(result.last_index, 5u);
  EXPECT_EQ(result.runs, result.passed + result.unknown + result.budget_exceeded.size() +
                             result.failures.size());
}

TEST(Campaign, TheDeadlineIsReadFromTheGivenClock) {
  CampaignOptions options;
  options.seed = 5;
  options.seconds = 10;
  options.keep_going = true;
  // Each run reads the clock a few times before it starts (the loop, the run's start), so a
  // clock moving a second a read reaches the ten-second deadline after a few runs, on any machine.
  const CampaignResult first = run_campaign(options, stepping_clock(1.0));
  const CampaignResult second = run_campaign(options, stepping_clock(1.0));
  EXPECT_GT(first.runs + first.interrupted, 0u);
  EXPECT_LT(first.runs, 10u);
  EXPECT_EQ(first.runs, second.runs);
  EXPECT_EQ(first.interrupted, second.interrupted);
}

TEST(CampaignReport, CampaignJsonCarriesTheUnknownShare) {
  CampaignOptions options;
  CampaignResult result;
  result.runs = 200;
  result.passed = 195;
  result.unknown = 5;
  const auto json = campaign_json(options, result, nlohmann::ordered_json::array(),
                                  nlohmann::ordered_json::array(), 0, 2.0);
  EXPECT_DOUBLE_EQ(json["unknown_share_percent"].get<double>(), 2.5);
  EXPECT_TRUE(json["unknown_share_exceeded"].get<bool>());
  EXPECT_EQ(json["shard"], "0/1");
  EXPECT_NE(campaign_coverage_markdown(options, result).find("200 runs"), std::string::npos);
}

TEST(CampaignReport, MergingAddsShardsAndNamesABadFile) {
  const fs::path dir = fs::temp_directory_path() / ("raftsim-merge-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  CampaignOptions options;
  options.runs = 4;
  options.keep_going = true;
  std::vector<std::string> shards;
  for (std::uint64_t shard = 0; shard < 2; ++shard) {
    options.shard_index = shard;
    options.shard_count = 2;
    const CampaignResult result = run_campaign(options, stepping_clock(0.0));
    const fs::path file = dir / ("shard" + std::to_string(shard) + ".json");
    std::ofstream(file) << campaign_json(options, result, nlohmann::ordered_json::array(),
                                         nlohmann::ordered_json::array(), 0, 2.0)
                               .dump();
    shards.push_back(file.string());
  }
  auto merged = merge_campaign_files(shards, 2.0, 1 << 20);
  ASSERT_TRUE(merged.ok()) << merged.status().message();
  EXPECT_EQ(merged.value().summary["runs"].get<std::uint64_t>(), 4u);
  EXPECT_EQ(merged.value().summary["shards"].get<std::size_t>(), 2u);

  std::ofstream(dir / "bad.json") << R"({"runs": 1})";
  shards.push_back((dir / "bad.json").string());
  auto refused = merge_campaign_files(shards, 2.0, 1 << 20);
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("bad.json"), std::string::npos)
      << refused.status().message();
  fs::remove_all(dir);
}

}  // namespace
}  // namespace raftsim::sim

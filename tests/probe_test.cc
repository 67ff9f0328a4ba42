// Probes of raft/ and jobqueue/ and the campaign's probe table: every listed probe has exactly
// one site; a reached probe is counted, into the installed sink only; counts replay identically
// and counting never changes a trace; the never-hit list of a tiny campaign is right; shard
// tables merge by summing.
#include <gtest/gtest.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "raft/base/probe.h"
#include "raft/core/raft.h"
#include "sim/fuzz/generate.h"
#include "sim/fuzz/probe_table.h"
#include "sim/scenario/parse.h"
#include "sim/scenario/runner.h"
#include "tests/stale_vote_request.h"

namespace raftsim::sim {
namespace {

const std::string kSource = RAFTSIM_SOURCE_DIR;

// Every RAFTSIM_PROBE(name) site under raft/ and jobqueue/, by name.
std::map<std::string, int> probe_sites() {
  std::map<std::string, int> sites;
  // A plain scan, not std::regex: GCC 12's -Wmaybe-uninitialized fires inside <regex> under
  // the sanitizer build (-Werror).
  const std::string marker = "RAFTSIM_PROBE(";
  for (const char* folder : {"raft", "jobqueue"}) {
    for (const auto& entry :
         std::filesystem::recursive_directory_iterator(kSource + "/" + folder)) {
      const std::string path = entry.path().string();
      if (!entry.is_regular_file() || path.ends_with("probe.h")) continue;
      if (!path.ends_with(".cc") && !path.ends_with(".h")) continue;
      std::stringstream text;
      text << std::ifstream(path).rdbuf();
      const std::string body = text.str();
      for (std::size_t at = body.find(marker); at != std::string::npos;
           at = body.find(marker, at + 1)) {
        const std::size_t begin = at + marker.size();
        std::size_t end = begin;
        while (end < body.size() &&
               (std::isalnum(static_cast<unsigned char>(body[end])) != 0 || body[end] == '_')) {
          ++end;
        }
        if (end > begin && end < body.size() && body[end] == ')') {
          ++sites[body.substr(begin, end - begin)];
        }
      }
    }
  }
  return sites;
}

TEST(ProbeRegistry, EveryListedProbeHasExactlyOneSiteAndEverySiteIsListed) {
  const std::map<std::string, int> sites = probe_sites();
  for (std::size_t i = 0; i < kProbeCount; ++i) {
    const std::string name(probe_name(static_cast<Probe>(i)));
    EXPECT_EQ(sites.contains(name) ? sites.at(name) : 0, 1) << name;
    EXPECT_EQ(probe_by_name(name), static_cast<Probe>(i));
  }
  for (const auto& [name, count] : sites) EXPECT_TRUE(probe_by_name(name).has_value()) << name;
  EXPECT_GE(kProbeCount, 30u);
}

TEST(Probes, AReachedProbeIsCountedIntoTheInstalledSinkOnly) {
  ProbeCounts outer, inner;
  step_stale_vote_request();  // no sink: counted nowhere (and no crash)
  {
    const ScopedProbeSink installed(&outer);
    step_stale_vote_request();
    {
      const ScopedProbeSink nested(&inner);
      step_stale_vote_request();
      step_stale_vote_request();
    }
    const ScopedProbeSink none(nullptr);
    step_stale_vote_request();
  }
  EXPECT_EQ(outer[Probe::core_vote_rejected_stale_log], 1u);
  EXPECT_EQ(inner[Probe::core_vote_rejected_stale_log], 2u);
  EXPECT_EQ(outer[Probe::core_vote_rejected_already_voted], 0u);
  EXPECT_EQ(outer.probes_hit(), 1u);
}

Scenario load(const std::string& name) {
  auto loaded = load_scenario(kSource + "/scenarios/" + name);
  EXPECT_TRUE(loaded.ok()) << loaded.status().message();
  return std::move(loaded).value();
}

ScenarioRunReport run(const Scenario& scenario, bool count_probes = true) {
  ScenarioRunOptions options;
  options.count_probes = count_probes;
  return run_scenario(scenario, scenario.seed, options);
}

TEST(Probes, CountsReplayIdenticallyAndCountingNeverChangesTheTrace) {
  for (const char* name : {"queue-snapshot-install-to-lagging-follower.json",
                           "long-partition-divergent-logs.json", "disruptive-rejoin.json"}) {
    const Scenario scenario = load(name);
    const ScenarioRunReport first = run(scenario);
    const ScenarioRunReport second = run(scenario);
    const ScenarioRunReport uncounted = run(scenario, /*count_probes=*/false);
    EXPECT_EQ(first.probes, second.probes) << name;
    EXPECT_GE(first.probes.probes_hit(), 8u) << name;
    EXPECT_EQ(uncounted.probes.probes_hit(), 0u) << name;
    EXPECT_EQ(first.trace_hash, uncounted.trace_hash) << name;
    EXPECT_EQ(first.trace_hash, second.trace_hash) << name;
    EXPECT_TRUE(first.to_json().contains("probes"));
  }
}

TEST(ProbeTable, TheNeverHitListOfATinyCampaignIsExactlyTheProbesNoRunReached) {
  ProbeTable table;
  ProbeCounts reached;  // computed here independently: the union of the runs' probes
  for (std::uint64_t index = 0; index < 3; ++index) {
    const Scenario scenario = generate_scenario(FuzzRunSpec{7, index});
    const ScenarioRunReport report = run(scenario);
    table.add_run(report.probes);
    reached.add(report.probes);
  }
  std::vector<Probe> expected;
  for (std::size_t i = 0; i < kProbeCount; ++i) {
    if (reached.hits[i] == 0) expected.push_back(static_cast<Probe>(i));
  }
  EXPECT_EQ(table.never_hit(), expected);
  EXPECT_FALSE(expected.empty());  // three short runs never reach everything
  EXPECT_LT(expected.size(), kProbeCount);
  const std::string markdown = table.to_markdown();
  for (Probe probe : expected) {
    EXPECT_NE(markdown.find("- " + std::string(probe_name(probe)) + ":"), std::string::npos);
  }
  EXPECT_EQ(table.to_json()["never_hit"].size(), expected.size());
}

TEST(ProbeTable, ShardTablesMergeBySumming) {
  ProbeCounts one, two;
  one.hits[static_cast<std::size_t>(Probe::queue_lease_expired)] = 3;
  two.hits[static_cast<std::size_t>(Probe::queue_lease_expired)] = 4;
  two.hits[static_cast<std::size_t>(Probe::storage_segment_rolled)] = 1;
  ProbeTable shard_a, shard_b, merged;
  shard_a.add_run(one);
  shard_b.add_run(two);
  shard_b.add_run(ProbeCounts{});
  ASSERT_TRUE(merged.merge_json(nlohmann::json::parse(shard_a.to_json().dump())).ok());
  ASSERT_TRUE(merged.merge_json(nlohmann::json::parse(shard_b.to_json().dump())).ok());
  EXPECT_EQ(merged.runs(), 3u);
  EXPECT_EQ(merged.runs_hitting(Probe::queue_lease_expired), 2u);
  EXPECT_EQ(merged.total_hits(Probe::queue_lease_expired), 7u);
  EXPECT_EQ(merged.runs_hitting(Probe::storage_segment_rolled), 1u);
  nlohmann::json unknown = nlohmann::json::parse(shard_a.to_json().dump());
  unknown["probes"][0]["probe"] = "no_such_probe";
  EXPECT_FALSE(merged.merge_json(unknown).ok());
}

}  // namespace
}  // namespace raftsim::sim

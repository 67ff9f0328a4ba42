// The generator's per-run knobs (sim/fuzz/generate_knobs.h): batches and in-flight windows over
// 1..64, PreVote and CheckQuorum both ways, snapshot thresholds small and large, read- and
// write-heavy mixes, message-kind delays beyond the election timeout and aimed WAL corruption
// all appear in generated runs and parse back; the delay_messages step, the corrupt aims and
// disk.wal_segment_bytes parse, write back and reject bad values; correct code survives a
// sealed segment's corruption.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "sim/fuzz/generate.h"
#include "sim/fuzz/generate_knobs.h"
#include "sim/scenario/parse.h"
#include "sim/scenario/runner.h"

namespace raftsim::sim {
namespace {

constexpr std::uint64_t kCampaignSeed = 11;

TEST(FuzzKnobs, OneTo64IsLogUniformByOctave) {
  Random random = Random::stream(5, "test");
  constexpr int kDraws = 7'000;
  std::map<int, int> octaves;  // 0: {1}, 1: {2}, 2: {3-4}, ... 6: {33-64}
  std::set<std::uint32_t> seen;
  for (int i = 0; i < kDraws; ++i) {
    const std::uint32_t value = draw_one_to_64_log_uniform(random);
    ASSERT_GE(value, 1u);
    ASSERT_LE(value, 64u);
    seen.insert(value);
    int octave = 0;
    while ((1u << octave) < value) ++octave;
    ++octaves[octave];
  }
  for (int octave = 0; octave <= 6; ++octave) {
    EXPECT_GT(octaves[octave], kDraws / 7 * 8 / 10) << "octave " << octave;
    EXPECT_LT(octaves[octave], kDraws / 7 * 12 / 10) << "octave " << octave;
  }
  EXPECT_TRUE(seen.contains(1) && seen.contains(64) && seen.contains(33)) << "both ends drawn";
}

// Over 400 generated runs every knob takes values at both ends of its range, and every step a
// knob adds parses back.
TEST(FuzzKnobs, GeneratedRunsDrawEveryKnobOverItsRange) {
  constexpr std::uint64_t kRuns = 400;
  std::size_t batch_one = 0, batch_high = 0, window_one = 0, window_high = 0;
  std::size_t pre_vote_on = 0, pre_vote_off = 0, check_quorum_on = 0, check_quorum_off = 0;
  std::size_t snapshot_small = 0, snapshot_large = 0, kept_small = 0;
  std::size_t read_heavy = 0, write_heavy = 0, small_wal = 0;
  std::set<std::string> delayed_kinds, aims;
  for (std::uint64_t index = 0; index < kRuns; ++index) {
    const Scenario scenario = generate_scenario({kCampaignSeed, index});
    const std::string text = scenario_to_json(scenario);
    auto parsed = parse_scenario(text, "generated");
    ASSERT_TRUE(parsed.ok()) << "run " << index << ": " << parsed.status().message();
    EXPECT_EQ(scenario_to_json(parsed.value()), text);
    const ServiceClusterOptions& cluster = scenario.cluster;
    const RaftConfig& raft = cluster.raft;
    batch_one += raft.entries_per_message_max == 1;
    batch_high += raft.entries_per_message_max > 32;
    window_one += raft.inflight_messages_max == 1;
    window_high += raft.inflight_messages_max > 32;
    (raft.pre_vote ? pre_vote_on : pre_vote_off) += 1;
    (raft.check_quorum ? check_quorum_on : check_quorum_off) += 1;
    EXPECT_TRUE(!raft.lease_read || raft.check_quorum) << "run " << index;
    if (cluster.snapshot_every_entries != 0) {
      snapshot_small += cluster.snapshot_every_entries <= 8;
      snapshot_large += cluster.snapshot_every_entries >= 200;
      kept_small += raft.entries_kept_after_snapshot <= 2;
    }
    if (cluster.workload_type == ServiceClusterOptions::Workload::kv) {
      read_heavy += cluster.workload.get_weight > 4 * cluster.workload.put_weight;
      write_heavy += cluster.workload.put_weight > 4 * cluster.workload.get_weight;
    }
    small_wal += cluster.wal_segment_bytes != 0 && cluster.wal_segment_bytes <= 16'384;
    const Time timeout_max = cluster.tick_ns * raft.election_timeout_ticks_max;
    for (const FaultStep& step : scenario.faults) {
      if (const auto* delay = step.as<DelayMessagesFault>()) {
        // Either a window's start, held past the largest election timeout, or its end.
        EXPECT_TRUE(delay->delay == 0 || delay->delay > timeout_max) << "run " << index;
        if (delay->delay != 0) delayed_kinds.insert(std::string(delay->kind_name()));
      }
      if (const auto* disk = step.as<DiskFault>(); disk && disk->aim != DiskFault::Aim::any_file) {
        EXPECT_NE(cluster.wal_segment_bytes, 0u) << "aimed corruption only with small segments";
        aims.insert(std::string(DiskFault::kAimNames[static_cast<std::size_t>(disk->aim)]));
      }
    }
  }
  EXPECT_GT(batch_one, 10u);
  EXPECT_GT(batch_high, 10u);
  EXPECT_GT(window_one, 10u);
  EXPECT_GT(window_high, 10u);
  EXPECT_GT(pre_vote_off, kRuns / 4);
  EXPECT_GT(pre_vote_on, kRuns / 4);
  EXPECT_GT(check_quorum_off, kRuns / 5);
  EXPECT_GT(check_quorum_on, kRuns / 4);
  EXPECT_GT(snapshot_small, 10u);
  EXPECT_GT(snapshot_large, 10u);
  EXPECT_GT(kept_small, 10u);
  EXPECT_GT(read_heavy, 10u);
  EXPECT_GT(write_heavy, 10u);
  EXPECT_GT(small_wal, kRuns / 5);
  for (const char* kind : {"vote_response", "pre_vote_response", "append_response", "append"}) {
    EXPECT_TRUE(delayed_kinds.contains(kind)) << kind << " never delayed";
  }
  EXPECT_TRUE(aims.contains("sealed_segment") && aims.contains("last_record_of_sealed_segment"));
}

Result<Scenario> parse_with_step(const std::string& step, const std::string& disk = "{}") {
  return parse_scenario(R"({"version": 1, "name": "k", "cluster": {"nodes": 3}, "disk": )" + disk +
                            R"(, "faults": [)" + step + "]}",
                        "k.json");
}

TEST(DelayMessages, ParsesWritesBackAndRejectsBadValues) {
  auto parsed = parse_with_step(
      R"({"at_ms": 100, "action": "delay_messages", "from": "n1", "to": ["n0", "n2"],)"
      R"( "kind": "append_response", "delay_ms": 400})");
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  const auto* delay = parsed.value().faults.at(0).as<DelayMessagesFault>();
  ASSERT_NE(delay, nullptr);
  EXPECT_EQ(delay->kind_name(), "append_response");
  EXPECT_EQ(delay->delay, milliseconds(400));
  const std::string text = scenario_to_json(parsed.value());
  EXPECT_NE(text.find(R"("kind": "append_response")"), std::string::npos) << text;
  auto again = parse_scenario(text, "again");
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(scenario_to_json(again.value()), text);

  auto unknown = parse_with_step(
      R"({"at_ms": 1, "action": "delay_messages", "kind": "vote_reply", "delay_ms": 5})");
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("/faults/0/kind"), std::string::npos)
      << unknown.status().message();
  auto no_delay = parse_with_step(R"({"at_ms": 1, "action": "delay_messages", "kind": "append"})");
  ASSERT_FALSE(no_delay.ok());
  EXPECT_NE(no_delay.status().message().find("delay_ms"), std::string::npos);
  auto negative = parse_with_step(
      R"({"at_ms": 1, "action": "delay_messages", "kind": "append", "delay_ms": -1})");
  EXPECT_FALSE(negative.ok());
  auto no_kind = parse_with_step(R"({"at_ms": 1, "action": "delay_messages", "delay_ms": 5})");
  EXPECT_FALSE(no_kind.ok());
}

TEST(AimedCorruption, AimAndSegmentSizeParseWriteBackAndRejectBadValues) {
  auto parsed =
      parse_with_step(R"({"at_ms": 100, "action": "disk", "target": "n1", "fault": "corrupt",)"
                      R"( "aim": "last_record_of_sealed_segment"})",
                      R"({"wal_segment_bytes": 512})");
  ASSERT_TRUE(parsed.ok()) << parsed.status().message();
  EXPECT_EQ(parsed.value().cluster.wal_segment_bytes, 512u);
  EXPECT_EQ(parsed.value().faults.at(0).as<DiskFault>()->aim,
            DiskFault::Aim::last_record_of_sealed_segment);
  const std::string text = scenario_to_json(parsed.value());
  auto again = parse_scenario(text, "again");
  ASSERT_TRUE(again.ok()) << again.status().message();
  EXPECT_EQ(scenario_to_json(again.value()), text);
  EXPECT_NE(text.find(R"("wal_segment_bytes": 512)"), std::string::npos);

  // Absent: today's defaults, and nothing new is written.
  auto plain =
      parse_with_step(R"({"at_ms": 1, "action": "disk", "target": "n1", "fault": "corrupt"})");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain.value().cluster.wal_segment_bytes, 0u);
  EXPECT_EQ(scenario_to_json(plain.value()).find("wal_segment_bytes"), std::string::npos);
  EXPECT_EQ(scenario_to_json(plain.value()).find("\"aim\""), std::string::npos);

  auto bad_aim = parse_with_step(
      R"({"at_ms": 1, "action": "disk", "target": "n1", "fault": "corrupt", "aim": "tail"})");
  ASSERT_FALSE(bad_aim.ok());
  EXPECT_NE(bad_aim.status().message().find("/faults/0/aim"), std::string::npos);
  auto tiny = parse_with_step("[]", R"({"wal_segment_bytes": 10})");
  ASSERT_FALSE(tiny.ok());
  EXPECT_NE(tiny.status().message().find("/disk/wal_segment_bytes"), std::string::npos)
      << tiny.status().message();
}

// A follower's sealed segment (or its last record) takes a bit flip and the follower restarts:
// correct code detects it and stops that node, and every check still passes, the same on replay.
TEST(AimedCorruption, CorrectCodePassesWithASealedSegmentCorrupted) {
  for (const char* aim : {"sealed_segment", "last_record_of_sealed_segment"}) {
    auto parsed = parse_scenario(
        std::string(R"({"version": 1, "name": "aimed", "duration_ms": 3000,)"
                    R"( "cluster": {"nodes": 3}, "disk": {"wal_segment_bytes": 256}, "faults": [)"
                    R"({"at_ms": 1500, "action": "disk", "target": "follower", "fault": "corrupt",)"
                    R"( "aim": ")") +
            aim +
            R"(", "as": "hit"}, {"at_ms": 1510, "action": "crash", "target": "hit"},)"
            R"( {"at_ms": 1600, "action": "restart", "target": "hit"}]})",
        "aimed.json");
    ASSERT_TRUE(parsed.ok()) << parsed.status().message();
    ScenarioRunOptions options;
    options.record_trace = false;
    // Before the final recover_all: which cluster nodes have stopped themselves.
    std::vector<bool> stopped;
    options.before_fault = [&](const FaultStep&, const std::string& origin,
                               ServiceCluster& cluster) {
      if (origin != "final recovery") return;
      for (NodeIndex node = 0; node < cluster.size(); ++node) {
        stopped.push_back(cluster.world().host(node).state() == HostState::running &&
                          cluster.node(node) == nullptr);
      }
    };
    const ScenarioRunReport report = run_scenario(parsed.value(), 1, options);
    EXPECT_EQ(report.verdict, RunVerdict::pass) << aim;
    const auto hit =
        std::find_if(report.timeline.begin(), report.timeline.end(),
                     [](const AppliedFault& applied) { return applied.step.is<DiskFault>(); });
    ASSERT_NE(hit, report.timeline.end());
    EXPECT_NE(hit->note.find("1 hit"), std::string::npos) << aim << ": " << hit->note;
    const Selector& victim = hit->step.as<DiskFault>()->target;
    ASSERT_EQ(victim.size(), 2u);
    const auto victim_index = static_cast<std::size_t>(victim[1] - '0');
    ASSERT_LT(victim_index, stopped.size());
    EXPECT_TRUE(stopped[victim_index]) << aim << ": recovery must refuse a damaged sealed segment";
    options.before_fault = nullptr;
    EXPECT_EQ(report.trace_hash, run_scenario(parsed.value(), 1, options).trace_hash);
  }
}

}  // namespace
}  // namespace raftsim::sim

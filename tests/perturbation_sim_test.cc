// In-code perturbation in simulated runs: the scenario field `cluster.perturb` parses, validates
// and writes back; off, a run is the run it always was; on, the trace changes and replays
// identically; generated campaigns switch it on in a share of runs.
#include <gtest/gtest.h>

#include "raft/base/perturb.h"
#include "sim/fuzz/generate.h"
#include "sim/scenario/parse.h"
#include "sim/scenario/runner.h"

namespace raftsim::sim {
namespace {

const std::string kSource = RAFTSIM_SOURCE_DIR;

TEST(PerturbField, ParsesValidatesAndWritesBack) {
  auto on = parse_scenario(R"({"version": 1, "name": "p", "cluster": {"perturb": true}})", "<t>");
  ASSERT_TRUE(on.ok()) << on.status().message();
  EXPECT_TRUE(on.value().cluster.perturb);
  auto back = parse_scenario(scenario_to_json(on.value()), "<written>");
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_TRUE(back.value().cluster.perturb);
  auto off = parse_scenario(R"({"version": 1, "name": "p"})", "<t>");
  ASSERT_TRUE(off.ok());
  EXPECT_FALSE(off.value().cluster.perturb);
  EXPECT_EQ(scenario_to_json(off.value()).find("perturb"), std::string::npos);
  auto bad = parse_scenario(R"({"version": 1, "name": "p", "cluster": {"perturb": 1}})", "<t>");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("perturb"), std::string::npos);
}

Scenario load(const std::string& name) {
  auto loaded = load_scenario(kSource + "/scenarios/" + name);
  EXPECT_TRUE(loaded.ok()) << loaded.status().message();
  return std::move(loaded).value();
}

TEST(PerturbRuns, ChangeTheTraceOnlyWhenOnAndReplayIdentically) {
  for (const char* name : {"queue-snapshot-install-to-lagging-follower.json", "churn.json",
                           "leader-crash-restart.json"}) {
    Scenario scenario = load(name);
    ASSERT_FALSE(scenario.cluster.perturb);
    const ScenarioRunReport plain = run_scenario(scenario, scenario.seed);
    Scenario explicit_off = scenario;
    explicit_off.cluster.perturb = false;
    EXPECT_EQ(run_scenario(explicit_off, scenario.seed).trace_hash, plain.trace_hash) << name;
    // A seed whose plan enables delayed Ready rounds, which every run reaches (a plan may
    // enable no point, or only points this scenario never reaches: then nothing changes).
    Scenario perturbed = scenario;
    perturbed.cluster.perturb = true;
    while (!Perturbation::for_run(perturbed.seed).enabled(PerturbPoint::node_persist_delayed)) {
      ++perturbed.seed;
    }
    Scenario same_seed_plain = scenario;
    same_seed_plain.seed = perturbed.seed;
    const ScenarioRunReport baseline = run_scenario(same_seed_plain, perturbed.seed);
    const ScenarioRunReport first = run_scenario(perturbed, perturbed.seed);
    const ScenarioRunReport again = run_scenario(perturbed, perturbed.seed);
    EXPECT_NE(first.trace_hash, baseline.trace_hash) << name;
    EXPECT_EQ(first.trace_hash, again.trace_hash) << name;
    EXPECT_EQ(first.probes, again.probes) << name;
    EXPECT_TRUE(first.expectation_met) << name << ": " << first.to_json().dump();
  }
}

TEST(PerturbRuns, GeneratedCampaignsPerturbAShareOfRuns) {
  int perturbed = 0;
  for (std::uint64_t index = 0; index < 400; ++index) {
    perturbed += generate_scenario(FuzzRunSpec{1, index}).cluster.perturb ? 1 : 0;
  }
  EXPECT_GT(perturbed, 60);  // a quarter by default
  EXPECT_LT(perturbed, 140);
}

}  // namespace
}  // namespace raftsim::sim

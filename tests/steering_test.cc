// Coverage that steers: the generator takes profile weights as an input (the defaults draw what
// it always drew), and the steering rule is a deterministic function of the campaign seed and
// earlier runs that moves weight towards a profile whose runs reach a rare probe.
#include <gtest/gtest.h>

#include "sim/fuzz/generate.h"
#include "sim/fuzz/steering.h"
#include "sim/scenario/parse.h"

namespace raftsim::sim {
namespace {

std::uint64_t per_mille(Ratio ratio) {
  return ratio.numerator * 1'000 / ratio.denominator;
}

TEST(ProfileWeights, DefaultsDrawTheUnweightedScenariosAndWeightsAreAnInput) {
  const FuzzProfileWeights defaults;
  for (std::uint64_t index = 0; index < 20; ++index) {
    FuzzRunSpec plain{3, index};
    FuzzRunSpec weighted{3, index};
    weighted.weights = &defaults;
    EXPECT_EQ(scenario_to_json(generate_scenario(plain)),
              scenario_to_json(generate_scenario(weighted)));
  }
  FuzzProfileWeights only_small_batches;
  only_small_batches.chance.fill(Ratio::zero());
  only_small_batches.chance[static_cast<std::size_t>(SteeredProfile::small_batches)] = Ratio::one();
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    EXPECT_EQ(draw_fuzz_profiles(seed, only_small_batches).describe(), "small-batches");
    EXPECT_FALSE(draw_fuzz_perturb(seed, only_small_batches));
  }
}

// 400 runs that all reach a common probe; some runs with small batches (every fourth run) also
// reach a rare one; leader churn is on in every other group of four runs, independent of both.
std::vector<SteeringObservation> history_with_rare_probe_under_small_batches() {
  std::vector<SteeringObservation> runs;
  for (std::uint32_t r = 0; r < 400; ++r) {
    SteeringObservation run;
    run.probes.hits[static_cast<std::size_t>(Probe::core_election_timeout_campaign)] = 5;
    if ((r / 4) % 2 == 0) run.profiles |= 1U << static_cast<unsigned>(SteeredProfile::leader_churn);
    if (r % 4 == 1) {
      run.profiles |= 1U << static_cast<unsigned>(SteeredProfile::small_batches);
      if (r % 80 == 1 || r % 80 == 5) {
        run.probes.hits[static_cast<std::size_t>(Probe::core_conflicting_multi_entry_tail)] = 1;
      }
    }
    runs.push_back(run);
  }
  return runs;
}

TEST(Steering, MovesWeightTowardsTheProfileThatReachesARareProbe) {
  const auto history = history_with_rare_probe_under_small_batches();
  const FuzzProfileWeights defaults;
  const FuzzProfileWeights steered = steer_weights(1, 4, history);
  const auto small = static_cast<std::size_t>(SteeredProfile::small_batches);
  const auto churn = static_cast<std::size_t>(SteeredProfile::leader_churn);
  EXPECT_GT(per_mille(steered.chance[small]), 2 * per_mille(defaults.chance[small]));
  // Unrelated to the rare probe: within the rule's jitter of its default.
  EXPECT_LE(per_mille(steered.chance[churn]), per_mille(defaults.chance[churn]) * 12 / 10);
  EXPECT_GE(per_mille(steered.chance[churn]), per_mille(defaults.chance[churn]) * 8 / 10);
  // Never had (figure-8): keeps its default exactly.
  const auto figure_8 = static_cast<std::size_t>(SteeredProfile::figure_8);
  EXPECT_EQ(per_mille(steered.chance[figure_8]), per_mille(defaults.chance[figure_8]));
}

TEST(Steering, IsAPureFunctionOfSeedBatchAndHistory) {
  const auto history = history_with_rare_probe_under_small_batches();
  EXPECT_TRUE(steer_weights(9, 3, history) == steer_weights(9, 3, history));
  EXPECT_TRUE(steer_weights(9, 0, {}) == FuzzProfileWeights{});
  // The campaign loop's object gives the same weights as the rule applied to its observations.
  CampaignSteering steering(9);
  for (std::uint64_t index = 0; index < 2 * kSteeringBatchRuns; ++index) {
    const FuzzProfileWeights weights = steering.weights_for(index);
    if (index == kSteeringBatchRuns) {
      std::vector<SteeringObservation> earlier(steering.observations().begin(),
                                               steering.observations().end() - 0);
      EXPECT_TRUE(weights == steer_weights(9, 1, earlier));
    }
    FuzzRunSpec spec{9, index};
    spec.weights = &weights;
    const Scenario scenario = generate_scenario(spec);
    ProbeCounts probes;  // stand-in counts: which profiles ran is what the rule needs here
    probes.hits[index % kProbeCount] = 1;
    steering.observe(spec, scenario, probes);
  }
  EXPECT_EQ(steering.observations().size(), 2 * kSteeringBatchRuns);
}

}  // namespace
}  // namespace raftsim::sim

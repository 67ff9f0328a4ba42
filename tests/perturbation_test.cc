// In-code perturbation in the core, built twice: in raft_perturbation_tests (perturbation
// compiled in: a configured plan acts) and in perturbation_off_tests, whose core is built with
// RAFTSIM_PERTURBATION=0 (a configured plan must have no effect: the points compile away).
#include <gtest/gtest.h>

#include "raft/base/perturb.h"
#include "raft/core/raft.h"

namespace raftsim {
namespace {

// Ticks a lone follower of a 3-voter cluster until it campaigns; returns the ticks it took.
std::uint32_t ticks_to_campaign(const RaftConfig& config) {
  Raft follower(config, HardState{1, kNoNode}, {});
  for (std::uint32_t tick = 1; tick <= config.election_timeout_ticks_max; ++tick) {
    follower.tick();
    if (follower.role() != Role::follower) return tick;
  }
  return 0;
}

RaftConfig config_with_seed(std::uint64_t seed) {
  RaftConfig config;
  config.id = 1;
  config.voters = {0, 1, 2};
  config.election_timeout_ticks_min = 30;
  config.election_timeout_ticks_max = 60;
  config.random_seed = seed;
  return config;
}

TEST(Perturbation, EarlyElectionTimeoutEndsAtTheMinimumOnlyWhenCompiledIn) {
  // A seed whose drawn timeout is above the minimum, so ending early is visible.
  std::uint64_t seed = 1;
  while (ticks_to_campaign(config_with_seed(seed)) == 30) ++seed;
  RaftConfig config = config_with_seed(seed);
  const std::uint32_t unperturbed = ticks_to_campaign(config);
  ASSERT_GT(unperturbed, 30u);
  config.perturbation = Perturbation::every_point(Perturbation::kPartsPerMillion);
  const std::uint32_t perturbed = ticks_to_campaign(config);
#if RAFTSIM_PERTURBATION
  EXPECT_EQ(perturbed, 30u);  // fires at the first tick it may: never before the minimum
#else
  static_assert(!kPerturbationCompiledIn, "this binary must be built without perturbation");
  EXPECT_EQ(perturbed, unperturbed);
#endif
}

TEST(Perturbation, APlanIsAPureFunctionOfTheSeedAndOffByDefault) {
  const Perturbation off;
  EXPECT_FALSE(off.on());
  int enabled = 0, runs_on = 0;
  for (std::uint64_t seed = 1; seed <= 400; ++seed) {
    const Perturbation plan = Perturbation::for_run(seed);
    const Perturbation again = Perturbation::for_run(seed);
    for (std::size_t i = 0; i < kPerturbPointCount; ++i) {
      const auto point = static_cast<PerturbPoint>(i);
      EXPECT_EQ(plan.enabled(point), again.enabled(point));
      EXPECT_EQ(plan.firing_per_million(point), again.firing_per_million(point));
      enabled += plan.enabled(point) ? 1 : 0;
    }
    runs_on += plan.on() ? 1 : 0;
  }
  // Each point enabled in about a quarter of the runs (FoundationDB's scheme).
  const int expected = 400 * static_cast<int>(kPerturbPointCount) / 4;
  EXPECT_GT(enabled, expected * 3 / 4);
  EXPECT_LT(enabled, expected * 5 / 4);
  EXPECT_GT(runs_on, 300);
  // Two owners of one plan draw different streams; one owner replays its own.
  Perturbation a = Perturbation::every_point(500'000).reseeded(1);
  Perturbation b = Perturbation::every_point(500'000).reseeded(2);
  Perturbation a_again = Perturbation::every_point(500'000).reseeded(1);
  int differ = 0;
  for (int i = 0; i < 64; ++i) {
    const bool fired = a.fires(PerturbPoint::core_append_batch_small);
    EXPECT_EQ(fired, a_again.fires(PerturbPoint::core_append_batch_small));
    differ += fired != b.fires(PerturbPoint::core_append_batch_small) ? 1 : 0;
  }
  EXPECT_GT(differ, 0);
}

}  // namespace
}  // namespace raftsim

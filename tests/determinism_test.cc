// Determinism across independently constructed worlds: the same seed and fault schedule give the
// same trace and state hashes; different seeds differ; and a run that is not deterministic is
// caught with the first differing event named.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include "sim/kernel/determinism.h"
#include "sim/kernel/world.h"
#include "sim/toys/gossip.h"

namespace raftsim::sim {
namespace {

constexpr NodeIndex kNodes = 5;

std::unique_ptr<World> gossip_world(std::uint64_t seed) {
  WorldConfig config;
  config.seed = seed;
  config.node_count = kNodes;
  config.link.loss = Ratio::percent(3);
  config.link.duplicate = Ratio::percent(3);
  config.link.reorder = Ratio::percent(10);
  config.link.reorder_delay_max = milliseconds(30);
  config.disk.torn_write_on_crash = Ratio::percent(50);
  config.clocks.assign(kNodes, ClockConfig{});
  config.clocks[1].drift_ppm = 300;
  config.clocks[2].wall_offset = -milliseconds(40);
  GossipOptions options;
  options.node_count = kNodes;
  return std::make_unique<World>(config, [options](Runtime& runtime) {
    return std::make_unique<GossipProcess>(runtime, options);
  });
}

// A random fault schedule drawn from the seed itself ("swarm" style: every fault kind).
void run_with_random_faults(World& world, std::uint64_t schedule_seed, int steps) {
  Random random = Random::stream(schedule_seed, "test/schedule");
  world.boot_all();
  for (int step = 0; step < steps; ++step) {
    world.run_for(milliseconds(random.between(10, 200)));
    const auto node = static_cast<NodeIndex>(random.below(kNodes));
    switch (random.below(9)) {
      case 0:
        world.crash(node);
        break;
      case 1:
        world.restart(node);
        break;
      case 2:
        world.pause(node);
        break;
      case 3:
        world.resume(node);
        break;
      case 4:
        (void)world.network().partition({{node, (node + 1) % kNodes}});
        break;
      case 5:
        world.network().heal();
        break;
      case 6:
        world.set_clock_drift(node, random.between(-2000, 2000));
        break;
      case 7:
        world.jump_wall_clock(node, random.between(-seconds(1), seconds(1)));
        break;
      default:
        (void)world.network().block_one_way(node, (node + 2) % kNodes);
        break;
    }
  }
  world.run_for(seconds(1));
}

Trace traced_run(std::uint64_t seed) {
  auto world = gossip_world(seed);
  run_with_random_faults(*world, seed, 30);
  return world->trace();
}

TEST(Determinism, TwoIndependentWorldsAgree) {
  auto first = gossip_world(77);
  auto second = gossip_world(77);
  run_with_random_faults(*first, 77, 40);
  run_with_random_faults(*second, 77, 40);
  EXPECT_GT(first->trace().event_count(), 1000u);
  EXPECT_EQ(first->trace().hash(), second->trace().hash());
  EXPECT_EQ(first->state_hash(), second->state_hash());
  EXPECT_FALSE(first_divergence(first->trace(), second->trace()).has_value());
}

TEST(Determinism, DifferentSeedsGiveDifferentTraces) {
  EXPECT_NE(traced_run(1).hash(), traced_run(2).hash());
}

TEST(Determinism, CheckReportsDeterministicRun) {
  const DeterminismReport report = check_determinism(traced_run, 5);
  EXPECT_TRUE(report.deterministic()) << report.describe();
  EXPECT_EQ(report.first_hash, report.second_hash);
}

TEST(Determinism, CheckNamesTheFirstDifferingEvent) {
  // A run that leaks state between runs -- the kind of bug the check exists to find.
  int leaked_counter = 0;
  auto leaky_run = [&leaked_counter](std::uint64_t seed) {
    auto world = gossip_world(seed);
    world->boot_all();
    world->run_until(milliseconds(500));
    if (++leaked_counter == 2) world->crash(3);  // only the replay crashes node 3
    world->run_until(seconds(1));
    return world->trace();
  };
  const DeterminismReport report = check_determinism(leaky_run, 9);
  ASSERT_FALSE(report.deterministic());
  ASSERT_TRUE(report.divergence.has_value());
  ASSERT_TRUE(report.divergence->second.has_value());
  EXPECT_EQ(report.divergence->second->kind, TraceKind::crash);
  EXPECT_EQ(report.divergence->second->node, 3u);
  EXPECT_EQ(report.divergence->second->time, milliseconds(500));
  EXPECT_NE(report.describe().find("traces differ at event"), std::string::npos);
}

TEST(Determinism, StateHashSeesDiskContents) {
  auto first = gossip_world(3);
  auto second = gossip_world(3);
  first->boot_all();
  second->boot_all();
  EXPECT_EQ(first->state_hash(), second->state_hash());
  const std::uint8_t byte[1] = {1};
  ASSERT_TRUE(second->disk(0).append(GossipProcess::kLogFile, byte).ok());
  EXPECT_NE(first->state_hash(), second->state_hash());
}

RC_GTEST_PROP(DeterminismProperty, SameSeedSameTraceHash, ()) {
  const auto seed = *rc::gen::arbitrary<std::uint64_t>();
  const auto steps = *rc::gen::inRange(1, 25);
  auto run = [steps](std::uint64_t run_seed) {
    auto world = gossip_world(run_seed);
    run_with_random_faults(*world, run_seed, steps);
    return world->trace();
  };
  const DeterminismReport report = check_determinism(run, seed);
  RC_ASSERT(report.deterministic());
}

}  // namespace
}  // namespace raftsim::sim

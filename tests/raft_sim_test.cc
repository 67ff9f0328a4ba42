// The full stack in the simulator: NodeHost + KvStore on simulated disks and network, clients
// recording histories, the online safety checker after every event. Smoke tests here; the classic
// lab scenarios live in raft_lab_test.cc.
#include <gtest/gtest.h>

#include "sim/cluster/service_cluster.h"
#include "sim/kernel/determinism.h"

namespace raftsim::sim {
namespace {

ServiceClusterOptions basic_options(std::uint64_t seed) {
  ServiceClusterOptions options;
  options.seed = seed;
  options.nodes = 3;
  options.clients = 2;
  return options;
}

TEST(RaftSim, ElectsALeaderAndServesClients) {
  ServiceCluster cluster(basic_options(1));
  cluster.start();
  auto violation = cluster.run_until(seconds(3));
  ASSERT_FALSE(violation) << violation->describe();
  ASSERT_TRUE(cluster.leader().has_value());
  EXPECT_GT(cluster.history().count(OperationStatus::ok), 50u);
  auto durability =
      cluster.checker().check_durability(cluster.world(), cluster.history(), *cluster.leader());
  EXPECT_FALSE(durability) << durability->describe();
}

TEST(RaftSim, SameSeedSameTrace) {
  auto run = [](std::uint64_t seed) {
    ServiceCluster cluster(basic_options(seed));
    cluster.start();
    (void)cluster.run_until(seconds(2));
    return cluster.world().trace();
  };
  const DeterminismReport report = check_determinism(run, 7);
  EXPECT_TRUE(report.deterministic()) << report.describe();
}

}  // namespace
}  // namespace raftsim::sim

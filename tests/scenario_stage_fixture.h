// A small running cluster with the first stages of a scenario run wired to it (selector
// resolution and fault application), for the stage tests: three nodes, no clients, a leader
// elected before the test starts.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "sim/checkers/leadership.h"
#include "sim/checkers/recovery.h"
#include "sim/cluster/service_cluster.h"
#include "sim/scenario/fault_applier.h"
#include "sim/scenario/selectors.h"

namespace raftsim::sim {

struct StageFixture {
  explicit StageFixture(NodeIndex nodes = 3, std::uint64_t seed = 1) {
    options.seed = seed;
    options.nodes = nodes;
    options.clients = 0;
    cluster = std::make_unique<ServiceCluster>(options);
    cluster->start();
    leader = cluster->await_leader(seconds(5));
    EXPECT_TRUE(leader.has_value()) << "seed " << seed;
    selectors = std::make_unique<SelectorResolver>(*cluster, random);
    selectors->observe(leader);
    applier =
        std::make_unique<FaultApplier>(*cluster, *selectors, random, options, tracker, nullptr);
  }

  FaultStep step(Fault fault, std::string bind_as = {}) const {
    FaultStep made;
    made.at = cluster->world().now();
    made.fault = std::move(fault);
    made.bind_as = std::move(bind_as);
    return made;
  }

  ServiceClusterOptions options;
  std::unique_ptr<ServiceCluster> cluster;
  std::optional<NodeIndex> leader;
  Random random = Random::stream(1, "scenario/faults");
  RecoveryTracker tracker{false, std::nullopt, seconds(10)};
  LeadershipTracker leadership{seconds(10)};
  std::unique_ptr<SelectorResolver> selectors;
  std::unique_ptr<FaultApplier> applier;
};

}  // namespace raftsim::sim

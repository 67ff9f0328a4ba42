// The classic Raft lab scenarios (MIT 6.824/6.5840; see shared/notes/raft-lab-tests.md), run in
// the simulator on the real node host over 20 seeds each. Every run is checked online for Raft
// safety after every event, ends with a durability check of acknowledged writes, asserts its own
// pass criterion, ends with the clients' history judged by the linearizability checker, and is
// run twice to show the same seed gives the same trace hash.
#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>
#include <set>

#include "sim/cluster/service_cluster.h"
#include "sim/linearizability/checker.h"
#include "sim/linearizability/import.h"
#include "sim/linearizability/models.h"

namespace raftsim::sim {
namespace {

constexpr int kSeeds = 20;
// The lab's rule: a new leader within 5 s of losing the old one while a majority is connected.
constexpr Time kElectionDeadline = seconds(5);

ServiceClusterOptions lab_options(NodeIndex nodes = 5, NodeIndex clients = 3) {
  ServiceClusterOptions options;
  options.nodes = nodes;
  options.clients = clients;
  options.link.latency_min = milliseconds(1);
  options.link.latency_max = milliseconds(5);
  return options;
}

ServiceClusterOptions unreliable(ServiceClusterOptions options) {
  // The lab's unreliable network: 10% loss, 0-26 ms delays, plus duplicates and reordering.
  options.link.loss = Ratio::percent(10);
  options.link.duplicate = Ratio::percent(5);
  options.link.latency_min = 0;
  options.link.latency_max = milliseconds(26);
  options.link.reorder = Ratio::percent(10);
  options.link.reorder_delay_max = milliseconds(100);
  return options;
}

using Script = std::function<void(ServiceCluster&)>;

// Runs `script` for each seed, twice, and compares the trace hashes of the two runs. The
// environment variable RAFTSIM_LAB_SEEDS runs more seeds for a deeper local search.
void for_each_seed(const ServiceClusterOptions& base, const Script& script, int seeds = kSeeds) {
  if (const char* more = std::getenv("RAFTSIM_LAB_SEEDS")) seeds = std::max(seeds, std::atoi(more));
  for (int seed = 1; seed <= seeds; ++seed) {
    std::uint64_t hashes[2] = {0, 0};
    for (int run = 0; run < 2; ++run) {
      ServiceClusterOptions options = base;
      options.seed = static_cast<std::uint64_t>(seed);
      ServiceCluster cluster(options);
      cluster.start();
      script(cluster);
      if (::testing::Test::HasFailure()) {
        ADD_FAILURE() << "failing seed: " << seed << " (run " << run << ")";
        return;
      }
      hashes[run] = cluster.world().trace().hash();
    }
    ASSERT_EQ(hashes[0], hashes[1]) << "seed " << seed << ": same seed, different trace";
  }
}

void run_safely(ServiceCluster& cluster, Time duration) {
  auto violation = cluster.run_for(duration);
  ASSERT_FALSE(violation) << violation->describe();
}

NodeIndex await_leader(ServiceCluster& cluster) {
  auto leader = cluster.await_leader(kElectionDeadline);
  EXPECT_TRUE(leader.has_value()) << "no leader within 5 s at t=" << cluster.world().now();
  return leader.value_or(0);
}

// Judges the clients' history with the linearizability checker (KV model, partitioned by key).
void expect_linearizable(ServiceCluster& cluster) {
  auto history =
      linearizability::parse_raftsim_json(cluster.history().to_json(), "simulated history");
  ASSERT_TRUE(history.ok()) << history.status().to_string();
  auto model = linearizability::make_model("kv");
  ASSERT_NE(model, nullptr);
  linearizability::CheckOptions options;
  options.budget.search_steps_max = 50'000'000;
  auto result = linearizability::check_history(history.value(), *model, options);
  ASSERT_TRUE(result.ok()) << result.status().to_string();
  EXPECT_EQ(result.value().verdict, linearizability::Verdict::linearizable)
      << "history of " << history.value().operations.size() << " operations is "
      << linearizability::verdict_name(result.value().verdict)
      << (result.value().violation ? " at key " + result.value().violation->key : std::string());
}

void expect_durable(ServiceCluster& cluster) {
  auto leader = cluster.await_leader(kElectionDeadline);
  ASSERT_TRUE(leader.has_value()) << "no leader at the end";
  run_safely(cluster, seconds(1));  // let the leader commit and apply what it has
  auto violation =
      cluster.checker().check_durability(cluster.world(), cluster.history(), *cluster.leader());
  EXPECT_FALSE(violation) << violation->describe();
  expect_linearizable(cluster);
}

// Waits for a leader other than `old` (which may still believe it leads, cut off).
NodeIndex await_new_leader(ServiceCluster& cluster, NodeIndex old) {
  const Time deadline = cluster.world().now() + kElectionDeadline;
  while (cluster.world().now() < deadline) {
    run_safely(cluster, milliseconds(10));
    auto leader = cluster.leader();
    if (leader && *leader != old) return *leader;
  }
  ADD_FAILURE() << "no new leader within 5 s at t=" << cluster.world().now();
  return old;
}

std::size_t ok_count(ServiceCluster& cluster) {
  return cluster.history().count(OperationStatus::ok);
}

int leader_count(ServiceCluster& cluster) {
  int leaders = 0;
  for (NodeIndex node = 0; node < cluster.size(); ++node) {
    const Raft* raft = cluster.raft(node);
    leaders += raft != nullptr && raft->role() == Role::leader;
  }
  return leaders;
}

TEST(RaftLab, InitialElection) {
  ServiceClusterOptions options = lab_options(3, 0);
  for_each_seed(options, [](ServiceCluster& cluster) {
    const NodeIndex leader = await_leader(cluster);
    run_safely(cluster, seconds(2));
    EXPECT_EQ(leader_count(cluster), 1);
    // With no failures the first leader keeps its job and all nodes agree on the term.
    ASSERT_NE(cluster.raft(leader), nullptr);
    EXPECT_EQ(cluster.raft(leader)->role(), Role::leader);
    for (NodeIndex node = 0; node < 3; ++node) {
      EXPECT_EQ(cluster.raft(node)->term(), cluster.raft(leader)->term());
    }
  });
}

TEST(RaftLab, ReElection) {
  for_each_seed(lab_options(3, 1), [](ServiceCluster& cluster) {
    const NodeIndex first = await_leader(cluster);
    cluster.isolate(first);
    const NodeIndex second = await_new_leader(cluster, first);
    EXPECT_NE(second, first);
    cluster.heal();  // the old leader rejoins: it must not disturb the new one for good
    run_safely(cluster, seconds(2));
    EXPECT_EQ(leader_count(cluster), 1);
    // No quorum: no leader may appear.
    const NodeIndex current = await_leader(cluster);
    cluster.isolate(current);
    cluster.isolate((current + 1) % 3);
    run_safely(cluster, seconds(3));
    for (NodeIndex node = 0; node < 3; ++node) {
      if (node == current) continue;  // an isolated old leader may not yet know
      const Raft* raft = cluster.raft(node);
      EXPECT_TRUE(raft == nullptr || raft->role() != Role::leader ||
                  raft->term() <= cluster.raft(current)->term());
    }
    cluster.heal();
    await_leader(cluster);
    expect_durable(cluster);
  });
}

TEST(RaftLab, ManyElectionsUnderRandomDisconnections) {
  for_each_seed(lab_options(7, 2), [](ServiceCluster& cluster) {
    Random random = Random::stream(cluster.options().seed, "test/disconnect");
    await_leader(cluster);
    for (int round = 0; round < 10; ++round) {
      // Disconnect three of seven: a majority of four is always connected.
      std::set<NodeIndex> cut;
      while (cut.size() < 3) cut.insert(static_cast<NodeIndex>(random.below(7)));
      std::vector<NodeIndex> rest;
      for (NodeIndex node = 0; node < 7; ++node) {
        if (cut.count(node) == 0) rest.push_back(node);
      }
      std::vector<std::vector<NodeIndex>> groups = {rest};
      for (NodeIndex node : cut) groups.push_back({node});
      cluster.partition(groups);
      run_safely(cluster, milliseconds(200));
      await_leader(cluster);
      cluster.heal();
      run_safely(cluster, milliseconds(100));
    }
    expect_durable(cluster);
  });
}

TEST(RaftLab, BasicAgreement) {
  for_each_seed(lab_options(5, 3), [](ServiceCluster& cluster) {
    await_leader(cluster);
    run_safely(cluster, seconds(3));
    EXPECT_GT(ok_count(cluster), 100u);
    // Every node applied the same prefix (the checker compares entries; here: equal lengths soon).
    run_safely(cluster, seconds(1));
    const Index committed = cluster.raft(*cluster.leader())->log().committed();
    for (NodeIndex node = 0; node < 5; ++node) {
      EXPECT_GE(cluster.raft(node)->log().committed() + 20, committed) << "node " << node;
    }
    expect_durable(cluster);
  });
}

TEST(RaftLab, AgreementDespiteADisconnectedFollower) {
  for_each_seed(lab_options(3, 2), [](ServiceCluster& cluster) {
    const NodeIndex leader = await_leader(cluster);
    const NodeIndex follower = (leader + 1) % 3;
    cluster.isolate(follower);
    const std::size_t before = ok_count(cluster);
    run_safely(cluster, seconds(2));
    EXPECT_GT(ok_count(cluster), before + 30);
    cluster.heal();
    run_safely(cluster, seconds(2));
    // The follower catches up.
    const Raft* leader_raft = cluster.raft(*cluster.leader());
    EXPECT_GE(cluster.raft(follower)->log().committed() + 20, leader_raft->log().committed());
    expect_durable(cluster);
  });
}

TEST(RaftLab, NoAgreementWithoutAMajority) {
  for_each_seed(lab_options(5, 2), [](ServiceCluster& cluster) {
    const NodeIndex leader = await_leader(cluster);
    run_safely(cluster, milliseconds(500));
    // Leave the leader with one follower: two of five.
    const NodeIndex buddy = (leader + 1) % 5;
    std::vector<NodeIndex> majority;
    for (NodeIndex node = 0; node < 5; ++node) {
      if (node != leader && node != buddy) majority.push_back(node);
    }
    cluster.partition({{leader, buddy}, majority});
    const Term old_term = cluster.raft(leader)->term();
    run_safely(cluster, seconds(3));
    // Nothing of the old term beyond the partition point commits on the minority side.
    const Raft* old = cluster.raft(leader);
    ASSERT_NE(old, nullptr);
    EXPECT_NE(old->role() == Role::leader && old->term() == old_term, true)
        << "CheckQuorum should have made the minority leader step down";
    cluster.heal();
    await_leader(cluster);
    expect_durable(cluster);
  });
}

TEST(RaftLab, ConcurrentProposals) {
  for_each_seed(lab_options(3, 8), [](ServiceCluster& cluster) {
    await_leader(cluster);
    run_safely(cluster, seconds(3));
    EXPECT_GT(ok_count(cluster), 300u);
    // Each client's operations complete in order, one at a time.
    std::map<std::uint64_t, Time> last_return;
    for (const auto& operation : cluster.history().operations()) {
      if (operation.status == OperationStatus::pending) continue;
      EXPECT_GE(operation.invoke_time, last_return[operation.client]);
      last_return[operation.client] = operation.return_time;
    }
    expect_durable(cluster);
  });
}

TEST(RaftLab, RejoinOfAPartitionedLeader) {
  for_each_seed(lab_options(3, 2), [](ServiceCluster& cluster) {
    const NodeIndex first = await_leader(cluster);
    cluster.isolate(first);
    const NodeIndex second = await_new_leader(cluster, first);
    run_safely(cluster, seconds(1));
    // The old leader comes back while the new one is cut off: the old one and the third node
    // form the majority now, and only the third has the entries committed meanwhile.
    const NodeIndex third = 3 - first - second;
    cluster.partition({{second}, {first, third}});
    await_new_leader(cluster, second);
    run_safely(cluster, seconds(1));
    cluster.heal();
    run_safely(cluster, seconds(2));
    EXPECT_EQ(leader_count(cluster), 1);
    expect_durable(cluster);
  });
}

TEST(RaftLab, FastBackupOfLongDivergentLogs) {
  ServiceClusterOptions options = lab_options(5, 6);
  options.workload.think_time_max = 0;
  for_each_seed(options, [](ServiceCluster& cluster) {
    const NodeIndex leader = await_leader(cluster);
    const NodeIndex buddy = (leader + 1) % 5;
    std::vector<NodeIndex> majority;
    for (NodeIndex node = 0; node < 5; ++node) {
      if (node != leader && node != buddy) majority.push_back(node);
    }
    // The minority leader accepts proposals it can never commit until CheckQuorum stops it.
    cluster.partition({{leader, buddy}, majority});
    run_safely(cluster, seconds(2));
    const Index divergent = cluster.raft(leader)->log().last_index();
    // The majority commits on.
    run_safely(cluster, seconds(2));
    cluster.heal();
    const std::uint64_t sent_before = cluster.world().network().messages_sent();
    run_safely(cluster, seconds(1));
    const NodeIndex now_leader = *cluster.leader();
    const Raft* reference = cluster.raft(now_leader);
    // Within a second of healing, the divergent nodes hold the leader's committed log.
    for (NodeIndex node : {leader, buddy}) {
      EXPECT_GE(cluster.raft(node)->log().committed() + 30, reference->log().committed())
          << "node " << node << " (had " << divergent << " entries)";
    }
    EXPECT_LT(cluster.world().network().messages_sent() - sent_before, 20000u);
    expect_durable(cluster);
  });
}

TEST(RaftLab, MessageCountBounds) {
  ServiceClusterOptions options = lab_options(3, 0);
  for_each_seed(options, [](ServiceCluster& cluster) {
    await_leader(cluster);
    run_safely(cluster, seconds(1));
    const std::uint64_t before = cluster.world().network().messages_sent();
    run_safely(cluster, seconds(10));
    const std::uint64_t idle = cluster.world().network().messages_sent() - before;
    // Heartbeats every 100 ms to 2 followers, plus responses: 400 in 10 s. The lab allows at
    // most 10 heartbeats per second per follower; allow 10% slack for timing edges.
    EXPECT_LE(idle, 440u);
    EXPECT_GE(idle, 360u);  // and the leader does keep heartbeating
  });
}

TEST(RaftLab, PersistenceAcrossFullAndPartialRestarts) {
  for_each_seed(lab_options(5, 3), [](ServiceCluster& cluster) {
    await_leader(cluster);
    run_safely(cluster, seconds(1));
    for (NodeIndex node = 0; node < 5; ++node) cluster.world().crash(node);
    run_safely(cluster, milliseconds(200));
    for (NodeIndex node = 0; node < 5; ++node) cluster.world().restart(node);
    await_leader(cluster);
    run_safely(cluster, seconds(1));
    Random random = Random::stream(cluster.options().seed, "test/restarts");
    for (int round = 0; round < 5; ++round) {
      const auto a = static_cast<NodeIndex>(random.below(5));
      const auto b = static_cast<NodeIndex>((a + 1 + random.below(4)) % 5);
      cluster.world().crash(a);
      cluster.world().crash(b);
      run_safely(cluster, milliseconds(300));
      cluster.world().restart(a);
      cluster.world().restart(b);
      run_safely(cluster, milliseconds(300));
    }
    expect_durable(cluster);
    EXPECT_GT(ok_count(cluster), 50u);
  });
}

void figure8(ServiceCluster& cluster, Time leader_life_max) {
  Random random = Random::stream(cluster.options().seed, "test/figure8");
  const NodeIndex nodes = cluster.size();
  std::vector<bool> up(nodes, true);
  NodeIndex up_count = nodes;
  for (int round = 0; round < 40; ++round) {
    run_safely(cluster, random.between(milliseconds(1), leader_life_max));
    if (auto leader = cluster.leader()) {
      cluster.world().crash(*leader);
      up[*leader] = false;
      --up_count;
    }
    if (up_count < nodes / 2 + 1) {
      const auto node = static_cast<NodeIndex>(random.below(nodes));
      if (!up[node]) {
        cluster.world().restart(node);
        up[node] = true;
        ++up_count;
      }
    }
  }
  for (NodeIndex node = 0; node < nodes; ++node) {
    if (!up[node]) cluster.world().restart(node);
  }
  await_leader(cluster);
  expect_durable(cluster);
}

TEST(RaftLab, Figure8) {
  for_each_seed(lab_options(5, 2), [](ServiceCluster& cluster) {
    await_leader(cluster);
    figure8(cluster, milliseconds(500));
  });
}

TEST(RaftLab, UnreliableAgreement) {
  for_each_seed(unreliable(lab_options(5, 4)), [](ServiceCluster& cluster) {
    await_leader(cluster);
    run_safely(cluster, seconds(5));
    EXPECT_GT(ok_count(cluster), 50u);
    expect_durable(cluster);
  });
}

TEST(RaftLab, Figure8Unreliable) {
  for_each_seed(unreliable(lab_options(5, 2)), [](ServiceCluster& cluster) {
    await_leader(cluster);
    figure8(cluster, milliseconds(800));
  });
}

void churn(ServiceCluster& cluster) {
  Random random = Random::stream(cluster.options().seed, "test/churn");
  const NodeIndex nodes = cluster.size();
  for (int round = 0; round < 30; ++round) {
    const auto node = static_cast<NodeIndex>(random.below(nodes));
    switch (random.below(5)) {
      case 0:
        cluster.world().crash(node);
        break;
      case 1:
        cluster.world().restart(node);
        break;
      case 2:
        cluster.isolate(node);
        break;
      case 3:
        cluster.heal();
        break;
      default:
        break;
    }
    run_safely(cluster, random.between(milliseconds(10), milliseconds(400)));
  }
  cluster.heal();
  for (NodeIndex node = 0; node < nodes; ++node) cluster.world().restart(node);
  await_leader(cluster);
  const std::size_t before = ok_count(cluster);
  run_safely(cluster, seconds(2));
  EXPECT_GT(ok_count(cluster), before) << "no progress after the churn stopped";
  expect_durable(cluster);
}

TEST(RaftLab, ReliableChurn) {
  for_each_seed(lab_options(5, 3), [](ServiceCluster& cluster) { churn(cluster); });
}

TEST(RaftLab, UnreliableChurn) {
  for_each_seed(unreliable(lab_options(5, 3)), [](ServiceCluster& cluster) { churn(cluster); });
}

}  // namespace
}  // namespace raftsim::sim

namespace raftsim::sim {
namespace {

// Crashes tear the last unsynced write on every crash: Raft only promises what it synced, so
// safety and durability must hold regardless.
TEST(RaftFaults, TornWritesOnEveryCrash) {
  ServiceClusterOptions options = lab_options(5, 3);
  options.disk.torn_write_on_crash = Ratio::one();
  for_each_seed(options, [](ServiceCluster& cluster) {
    await_leader(cluster);
    figure8(cluster, milliseconds(300));
  });
}

// A node whose disk fills up stops (fail-stop); the rest of the cluster carries on.
TEST(RaftFaults, FullDiskStopsOneNodeNotTheCluster) {
  for_each_seed(lab_options(3, 2), [](ServiceCluster& cluster) {
    const NodeIndex leader = await_leader(cluster);
    const NodeIndex victim = (leader + 1) % 3;
    cluster.world().disk(victim).set_capacity(cluster.world().disk(victim).used_bytes() + 512);
    run_safely(cluster, seconds(2));
    EXPECT_EQ(cluster.node(victim), nullptr) << "the node with the full disk should have stopped";
    const std::size_t before = ok_count(cluster);
    run_safely(cluster, seconds(2));
    EXPECT_GT(ok_count(cluster), before + 20);
    expect_durable(cluster);
  });
}

}  // namespace
}  // namespace raftsim::sim

namespace raftsim::sim {
namespace {

// Crashes land anywhere, often: on followers between acknowledging and finishing their fsync as
// well as on leaders. A node that answered before its state was durable would be caught here.
TEST(RaftFaults, FrequentCrashesOfAnyNode) {
  ServiceClusterOptions options = lab_options(3, 3);
  options.workload.think_time_max = 0;
  options.disk.sync_latency_min = milliseconds(1);
  options.disk.sync_latency_max = milliseconds(5);
  for_each_seed(options, [](ServiceCluster& cluster) {
    Random random = Random::stream(cluster.options().seed, "test/crashes");
    await_leader(cluster);
    for (int round = 0; round < 60; ++round) {
      const auto node = static_cast<NodeIndex>(random.below(3));
      cluster.world().crash(node);
      run_safely(cluster, random.between(microseconds(100), milliseconds(30)));
      cluster.world().restart(node);
      run_safely(cluster, random.between(microseconds(100), milliseconds(400)));
    }
    await_leader(cluster);
    expect_durable(cluster);
  });
}

}  // namespace
}  // namespace raftsim::sim

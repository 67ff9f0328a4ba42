// Tests for sim/kernel/network: delivery, latency bounds, loss, duplication, partitions of every
// shape, and the properties "no faults => exactly once" and "nothing crosses a partition".
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <deque>
#include <map>
#include <memory>
#include <set>

#include "sim/kernel/network.h"

namespace raftsim::sim {
namespace {

struct Delivery {
  NodeIndex from;
  NodeIndex to;
  std::uint64_t message_id;
  Time at;
  std::vector<std::uint8_t> payload;
  bool link_open_now;
};

// A cluster of recording sinks around one Network.
struct Harness {
  explicit Harness(NodeIndex nodes, const LinkConfig& link = {}, std::uint64_t seed = 1)
      : network(nodes, link, Random::stream(seed, "network"), scheduler, trace) {
    for (NodeIndex node = 0; node < nodes; ++node) sinks.emplace_back(*this, node);
    for (NodeIndex node = 0; node < nodes; ++node) network.attach(node, sinks[node]);
  }
  struct Sink final : MessageSink {
    Sink(Harness& harness, NodeIndex node) : harness(harness), node(node) {}
    void on_network_message(NodeIndex from, std::uint64_t id,
                            std::span<const std::uint8_t> payload) override {
      harness.deliveries.push_back(Delivery{from,
                                            node,
                                            id,
                                            harness.scheduler.now(),
                                            {payload.begin(), payload.end()},
                                            harness.network.link_open(from, node)});
    }
    Harness& harness;
    NodeIndex node;
  };
  std::uint64_t send(NodeIndex from, NodeIndex to, std::uint8_t tag = 0) {
    const std::uint8_t payload[3] = {static_cast<std::uint8_t>(from), static_cast<std::uint8_t>(to),
                                     tag};
    const std::uint64_t id = network.send(from, to, payload);
    send_times[id] = scheduler.now();
    return id;
  }

  Scheduler scheduler;
  Trace trace;
  Network network;
  std::deque<Sink> sinks;
  std::vector<Delivery> deliveries;
  std::map<std::uint64_t, Time> send_times;
};

// Every network test runs its script twice on fresh networks and demands the same trace hash.
template <typename Make, typename Script>
void run_twice(Make make, Script script) {
  std::uint64_t hashes[2] = {0, 0};
  for (int run = 0; run < 2; ++run) {
    std::unique_ptr<Harness> harness = make();
    script(*harness);
    hashes[run] = harness->trace.hash();
    if (::testing::Test::HasFailure()) return;
  }
  EXPECT_EQ(hashes[0], hashes[1]) << "same seed and script, different trace hash";
}

TEST(Network, DeliversPayloadWithinLatencyBounds) {
  LinkConfig link;
  link.latency_min = milliseconds(2);
  link.latency_max = milliseconds(7);
  run_twice([&] { return std::make_unique<Harness>(3, link); },
            [&](Harness& harness) {
              for (int i = 0; i < 200; ++i)
                harness.send(i % 3, (i + 1) % 3, static_cast<std::uint8_t>(i));
              harness.scheduler.run_until_idle();
              ASSERT_EQ(harness.deliveries.size(), 200u);
              for (const Delivery& delivery : harness.deliveries) {
                const Time latency = delivery.at - harness.send_times[delivery.message_id];
                EXPECT_GE(latency, milliseconds(2));
                EXPECT_LE(latency, milliseconds(7));
                EXPECT_EQ(delivery.payload[0], delivery.from);
                EXPECT_EQ(delivery.payload[1], delivery.to);
              }
              EXPECT_EQ(harness.network.in_flight(), 0u);
            });
}

TEST(Network, ExtraLatencyClogsOneLink) {
  LinkConfig slow;
  slow.extra_latency = seconds(1);
  run_twice([&] { return std::make_unique<Harness>(2); },
            [&](Harness& harness) {
              ASSERT_TRUE(harness.network.set_link(0, 1, slow).ok());
              harness.send(0, 1);
              harness.send(1, 0);
              harness.scheduler.run_until_idle();
              ASSERT_EQ(harness.deliveries.size(), 2u);
              EXPECT_LT(harness.deliveries[0].at, milliseconds(10));  // 1 -> 0 unaffected
              EXPECT_GE(harness.deliveries[1].at, seconds(1));
            });
}

// A class delay holds back only the payloads its classifier puts in that class (here: the tag
// byte), only on the links it was set on, and 0 or clear_class_delays() ends it.
TEST(Network, ClassDelayHoldsBackOneClassOnOneLink) {
  run_twice(
      [&] { return std::make_unique<Harness>(3); },
      [&](Harness& harness) {
        harness.network.set_payload_classifier(
            [](std::span<const std::uint8_t> payload) { return payload[2]; });
        EXPECT_FALSE(harness.network.set_class_delay(0, 1, 0, seconds(1)).ok());
        EXPECT_FALSE(harness.network.set_class_delay(0, 1, Network::kMessageClassesMax, 1).ok());
        ASSERT_TRUE(harness.network.set_class_delay(0, 1, 3, seconds(2)).ok());
        EXPECT_EQ(harness.network.class_delay(0, 1, 3), seconds(2));
        const std::uint64_t held = harness.send(0, 1, 3);
        harness.send(0, 1, 4);  // another class
        harness.send(1, 0, 3);  // the other direction
        harness.send(0, 2, 3);  // another link
        harness.scheduler.run_until_idle();
        ASSERT_EQ(harness.deliveries.size(), 4u);
        for (const Delivery& delivery : harness.deliveries) {
          const Time latency = delivery.at - harness.send_times[delivery.message_id];
          if (delivery.message_id == held) {
            EXPECT_GE(latency, seconds(2));
          } else {
            EXPECT_LE(latency, milliseconds(5));
          }
        }
        harness.network.clear_class_delays();
        EXPECT_EQ(harness.network.class_delay(0, 1, 3), 0);
        harness.send(0, 1, 3);
        harness.scheduler.run_until_idle();
        ASSERT_EQ(harness.deliveries.size(), 5u);
        EXPECT_LE(harness.deliveries.back().at - harness.send_times.rbegin()->second,
                  milliseconds(5));
      });
}

TEST(Network, TotalLossDeliversNothing) {
  LinkConfig link;
  link.loss = Ratio::one();
  run_twice([&] { return std::make_unique<Harness>(3, link); },
            [&](Harness& harness) {
              for (int i = 0; i < 50; ++i) harness.send(0, 1);
              harness.scheduler.run_until_idle();
              EXPECT_TRUE(harness.deliveries.empty());
              EXPECT_EQ(harness.network.messages_dropped(), 50u);
            });
}

TEST(Network, DuplicationDeliversAtMostTwoCopiesWithTheSameId) {
  LinkConfig link;
  link.duplicate = Ratio::percent(50);
  run_twice([&] { return std::make_unique<Harness>(2, link); },
            [&](Harness& harness) {
              for (int i = 0; i < 400; ++i) harness.send(0, 1);
              harness.scheduler.run_until_idle();
              std::map<std::uint64_t, int> copies;
              for (const Delivery& delivery : harness.deliveries) ++copies[delivery.message_id];
              int duplicated = 0;
              for (auto& [id, count] : copies) {
                EXPECT_LE(count, 2);
                duplicated += count == 2;
              }
              EXPECT_EQ(copies.size(), 400u);
              EXPECT_GT(duplicated, 140);  // ~200 expected
              EXPECT_LT(duplicated, 260);
            });
}

TEST(Network, JitterAndReorderingReorderMessages) {
  LinkConfig link;
  link.latency_min = milliseconds(1);
  link.latency_max = milliseconds(1);
  link.reorder = Ratio::percent(30);
  link.reorder_delay_max = milliseconds(20);
  run_twice([&] { return std::make_unique<Harness>(2, link); },
            [&](Harness& harness) {
              for (int i = 0; i < 100; ++i) {
                harness.send(0, 1);
                harness.scheduler.run_until(harness.scheduler.now() + microseconds(100));
              }
              harness.scheduler.run_until_idle();
              int inversions = 0;
              for (std::size_t i = 1; i < harness.deliveries.size(); ++i) {
                inversions +=
                    harness.deliveries[i].message_id < harness.deliveries[i - 1].message_id;
              }
              EXPECT_GT(inversions, 5);
            });
}

TEST(Network, SymmetricPartitionSeparatesGroups) {
  run_twice([&] { return std::make_unique<Harness>(5); },
            [&](Harness& harness) {
              ASSERT_TRUE(harness.network.partition({{0, 1}, {2, 3, 4}}).ok());
              EXPECT_TRUE(harness.network.link_open(0, 1));
              EXPECT_TRUE(harness.network.link_open(3, 4));
              EXPECT_FALSE(harness.network.link_open(1, 2));
              EXPECT_FALSE(harness.network.link_open(4, 0));
              harness.network.heal();
              for (NodeIndex a = 0; a < 5; ++a)
                for (NodeIndex b = 0; b < 5; ++b) EXPECT_TRUE(harness.network.link_open(a, b));
            });
}

TEST(Network, UnlistedNodesFormOneGroup) {
  run_twice([&] { return std::make_unique<Harness>(5); },
            [&](Harness& harness) {
              ASSERT_TRUE(harness.network.partition({{0}}).ok());
              EXPECT_TRUE(harness.network.link_open(2, 4));
              EXPECT_FALSE(harness.network.link_open(0, 4));
            });
}

TEST(Network, OneWayBlockLeavesReverseOpen) {
  run_twice([&] { return std::make_unique<Harness>(3); },
            [&](Harness& harness) {
              ASSERT_TRUE(harness.network.block_one_way(0, 1).ok());
              harness.send(0, 1);
              harness.send(1, 0);
              harness.scheduler.run_until_idle();
              ASSERT_EQ(harness.deliveries.size(), 1u);
              EXPECT_EQ(harness.deliveries[0].from, 1u);
            });
}

TEST(Network, BridgeConnectsBothSidesButNotAcross) {
  run_twice([&] { return std::make_unique<Harness>(5); },
            [&](Harness& harness) {
              ASSERT_TRUE(harness.network.partition_bridge({0, 1}, {2}, {3, 4}).ok());
              EXPECT_TRUE(harness.network.link_open(0, 2));
              EXPECT_TRUE(harness.network.link_open(2, 4));
              EXPECT_TRUE(harness.network.link_open(4, 2));
              EXPECT_FALSE(harness.network.link_open(1, 3));
              EXPECT_FALSE(harness.network.link_open(4, 0));
            });
}

TEST(Network, InFlightMessageIsCutByANewPartition) {
  LinkConfig link;
  link.latency_min = link.latency_max = milliseconds(10);
  run_twice([&] { return std::make_unique<Harness>(2, link); },
            [&](Harness& harness) {
              harness.send(0, 1);
              harness.scheduler.run_until(milliseconds(5));
              ASSERT_TRUE(harness.network.isolate(1).ok());
              harness.scheduler.run_until_idle();
              EXPECT_TRUE(harness.deliveries.empty());
              EXPECT_EQ(harness.network.messages_dropped(), 1u);
            });
}

TEST(Network, RejectsBadFaultArguments) {
  run_twice(
      [&] { return std::make_unique<Harness>(3); },
      [&](Harness& harness) {
        EXPECT_EQ(harness.network.partition({{0, 1}, {1, 2}}).code(), StatusCode::invalid_argument);
        EXPECT_EQ(harness.network.isolate(7).code(), StatusCode::invalid_argument);
        EXPECT_EQ(harness.network.block_one_way(1, 1).code(), StatusCode::invalid_argument);
        LinkConfig bad;
        bad.latency_min = milliseconds(5);
        bad.latency_max = milliseconds(1);
        EXPECT_EQ(harness.network.set_all_links(bad).code(), StatusCode::invalid_argument);
        bad = LinkConfig{};
        bad.loss = Ratio{3, 2};
        EXPECT_EQ(harness.network.set_link(0, 1, bad).code(), StatusCode::invalid_argument);
      });
}

RC_GTEST_PROP(NetworkProperty, WithoutFaultsEveryMessageArrivesExactlyOnce, ()) {
  const auto nodes = *rc::gen::inRange<NodeIndex>(1, 8);
  const auto seed = *rc::gen::arbitrary<std::uint64_t>();
  const auto sends = *rc::gen::container<std::vector<std::pair<NodeIndex, NodeIndex>>>(
      rc::gen::pair(rc::gen::inRange<NodeIndex>(0, nodes), rc::gen::inRange<NodeIndex>(0, nodes)));
  // Runs twice: the second run must replay the first exactly.
  auto run = [&] {
    Harness harness(nodes, LinkConfig{}, seed);
    std::map<std::uint64_t, std::pair<NodeIndex, NodeIndex>> sent;
    for (auto [from, to] : sends) {
      sent[harness.send(from, to)] = {from, to};
      harness.scheduler.run_until(harness.scheduler.now() + microseconds(300));
    }
    harness.scheduler.run_until_idle();
    std::map<std::uint64_t, int> received;
    for (const Delivery& delivery : harness.deliveries) {
      ++received[delivery.message_id];
      RC_ASSERT(sent.at(delivery.message_id) == std::make_pair(delivery.from, delivery.to));
    }
    RC_ASSERT(received.size() == sent.size());
    for (auto& [id, count] : received) RC_ASSERT(count == 1);
    return harness.trace.hash();
  };
  RC_ASSERT(run() == run());
}

RC_GTEST_PROP(NetworkProperty, NothingCrossesAPartition, ()) {
  constexpr NodeIndex kNodes = 5;
  const auto seed = *rc::gen::arbitrary<std::uint64_t>();
  LinkConfig link;
  link.latency_max = milliseconds(20);
  link.duplicate = Ratio::percent(10);
  link.reorder = Ratio::percent(10);
  link.reorder_delay_max = milliseconds(50);
  // Runs twice: the second run must replay the first exactly.
  auto run = [&] {
    Harness harness(kNodes, link, seed);
    Random random(seed);
    std::set<std::uint64_t> sent_over_closed_link;
    for (int round = 0; round < 40; ++round) {
      switch (random.below(4)) {
        case 0:
          harness.network.heal();
          break;
        case 1:
          RC_ASSERT(harness.network.isolate(random.below(kNodes)).ok());
          break;
        case 2: {
          const NodeIndex from = random.below(kNodes);
          const NodeIndex to = (from + 1 + random.below(kNodes - 1)) % kNodes;
          RC_ASSERT(harness.network.block_one_way(from, to).ok());
          break;
        }
        default:
          RC_ASSERT(harness.network.partition({{0, 1}, {2, 3}}).ok());  // 4 alone
      }
      for (int i = 0; i < 10; ++i) {
        const NodeIndex from = random.below(kNodes);
        const NodeIndex to = random.below(kNodes);
        const bool open_at_send = harness.network.link_open(from, to);
        const std::uint64_t id = harness.send(from, to);
        if (!open_at_send) sent_over_closed_link.insert(id);
      }
      harness.scheduler.run_until(harness.scheduler.now() + milliseconds(random.between(1, 40)));
    }
    harness.scheduler.run_until_idle();
    // The sink recorded whether the link was open at the moment of every delivery.
    for (const Delivery& delivery : harness.deliveries) {
      RC_ASSERT(delivery.link_open_now);
      RC_ASSERT(sent_over_closed_link.count(delivery.message_id) == 0u);
    }
    return harness.trace.hash();
  };
  RC_ASSERT(run() == run());
}

}  // namespace
}  // namespace raftsim::sim

// The worked example of sim/scenario/README.md ("Adding a fault kind"): a fault kind written as
// a user would write one -- `mute`, the target's own messages are lost while it still hears
// everyone -- registered in a variant of this test's own with two built-in kinds, and driven
// through the registry: parsed from JSON and written back, its selectors, its undo rule, and
// applied to a running cluster. The scenario engine's kinds go through the same code (`Fault`).
#include <gtest/gtest.h>

#include <variant>

#include "sim/scenario/faults/fault_context.h"
#include "sim/scenario/faults/registry.h"

namespace raftsim::sim {
namespace {

// --- the kind: what would be sim/scenario/faults/mute.{h,cc} ------------------------------------

struct MuteFault {
  static constexpr std::string_view kName = "mute";
  static constexpr bool kBindsName = true;
  using UndoneBy = HealFault;  // heal opens every link
  Selector target;

  void parse(FaultReader& reader) {
    reader.selectors.read(reader.fields, "target", target, kOneNode | kManyNodes);
  }
  void write(nlohmann::ordered_json& out) const { out["target"] = target; }
  void visit_selectors(const SelectorVisitor& visit) const { visit("target", {target}); }
  Applied<MuteFault> apply(FaultContext& context) const {
    const std::vector<NodeIndex> nodes = context.selectors.resolve(target, {});
    Network& network = context.world().network();
    for (NodeIndex node : nodes) {
      for (NodeIndex other = 0; other < context.cluster.size(); ++other) {
        if (other != node) RAFTSIM_CHECK(network.block_one_way(node, other).ok());
      }
    }
    return targeted_outcome(*this, nodes);
  }
};

// --- the registry line: in sim/scenario/faults/fault.h this is the `Fault` variant ---------------

using ExampleFault = std::variant<HealFault, CrashFault, MuteFault>;
using Registry = FaultRegistry<ExampleFault>;

ExampleFault parse_step(const nlohmann::json& step, JsonErrors& errors) {
  JsonObjectReader fields(&step, "/faults/0", errors);
  SelectorChecker selectors(3, 0, errors);
  std::optional<ExampleFault> fault = Registry::make(step["action"].get<std::string>());
  EXPECT_TRUE(fault.has_value());
  const std::string path = "/faults/0";
  FaultReader reader{fields, selectors, errors, path};
  Registry::parse(*fault, reader);
  return *fault;
}

TEST(FaultKindExample, ParsesWritesAndNamesItsSelectors) {
  EXPECT_EQ(Registry::names(), (std::vector<std::string_view>{"heal", "crash", "mute"}));
  JsonErrors errors;
  const ExampleFault mute = parse_step({{"action", "mute"}, {"target", "leader"}}, errors);
  EXPECT_TRUE(errors.empty());
  ASSERT_TRUE(std::holds_alternative<MuteFault>(mute));
  EXPECT_EQ(Registry::name(mute), "mute");
  nlohmann::ordered_json out;
  Registry::write(mute, out);
  EXPECT_EQ(out.dump(), R"({"target":"leader"})");
  EXPECT_TRUE(Registry::names_selector(mute, "leader"));
  EXPECT_FALSE(Registry::is_repair(mute));
  EXPECT_TRUE(Registry::binds_name(mute));
  EXPECT_TRUE(Registry::undoes(HealFault{}, mute));
  EXPECT_FALSE(Registry::undoes(CrashFault{"leader"}, mute));
}

TEST(FaultKindExample, SelectorErrorsNameThePathAndTheCluster) {
  JsonErrors errors;
  parse_step({{"action", "mute"}, {"target", "n7"}}, errors);
  ASSERT_EQ(errors.messages().size(), 1u);
  EXPECT_NE(errors.messages()[0].find("/faults/0/target"), std::string::npos);
  EXPECT_NE(errors.messages()[0].find("the cluster has 3 nodes"), std::string::npos);
}

TEST(FaultKindExample, AppliedToAClusterMutesTheTargetOnly) {
  ServiceClusterOptions options;
  options.nodes = 3;
  options.clients = 0;
  ServiceCluster cluster(options);
  cluster.start();
  Random random = Random::stream(1, "scenario/faults");
  SelectorResolver selectors(cluster, random);
  std::vector<DiskConfig> disks(options.nodes, options.disk);
  FaultContext context{cluster, selectors, random, options, disks};
  const auto outcome = apply_fault_of(ExampleFault{MuteFault{"n1"}}, context);
  EXPECT_TRUE(outcome.skipped_because.empty());
  EXPECT_EQ(outcome.description, " n1");
  EXPECT_EQ(std::get<MuteFault>(outcome.concrete).target, "n1");
  Network& network = cluster.world().network();
  EXPECT_FALSE(network.link_open(1, 0));
  EXPECT_FALSE(network.link_open(1, 2));
  EXPECT_TRUE(network.link_open(0, 1));
  apply_fault_of(ExampleFault{HealFault{}}, context);
  EXPECT_TRUE(network.link_open(1, 0));
}

TEST(FaultKindExample, ARoleThatNobodyHoldsSkipsTheStep) {
  ServiceClusterOptions options;
  options.nodes = 3;
  options.clients = 0;
  ServiceCluster cluster(options);
  cluster.start();  // no leader yet at time 0
  Random random = Random::stream(1, "scenario/faults");
  SelectorResolver selectors(cluster, random);
  std::vector<DiskConfig> disks(options.nodes, options.disk);
  FaultContext context{cluster, selectors, random, options, disks};
  const auto outcome = apply_fault_of(ExampleFault{MuteFault{"leader"}}, context);
  EXPECT_EQ(outcome.skipped_because, "no node matches \"leader\"");
}

}  // namespace
}  // namespace raftsim::sim

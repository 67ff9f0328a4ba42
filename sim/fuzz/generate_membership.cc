// raftsim: the fuzz generator's membership profile (see generate_membership.h).
#include "sim/fuzz/generate_membership.h"

#include <algorithm>
#include <string>
#include <vector>

#include "raft/base/check.h"
#include "sim/fuzz/fault_steps.h"
#include "sim/kernel/random.h"

namespace raftsim::sim {
namespace {

using fuzz_steps::fields;
using fuzz_steps::ms;
using fuzz_steps::step_at;

constexpr NodeIndex kSpareSlotsMax = 3;
constexpr NodeIndex kSlotsMax = 9;  // selectors name n0..n8
constexpr std::int64_t kChangesMax = 4;

std::string name_of(NodeIndex node) {
  return "n" + std::to_string(node);
}

// What the operator's schedule has done so far, as parse-time checks see it.
struct Plan {
  Random& random;
  Scenario& scenario;
  NodeIndex next_fresh;               // the lowest slot never added
  std::vector<std::string> servers;   // bootstrap and added, by name
  std::vector<std::string> learners;  // added as learners, not promoted yet
  std::vector<FaultStep>& steps;

  bool has_fresh() const { return next_fresh < scenario.cluster.server_slots(); }
  std::string take_fresh() {
    RAFTSIM_CHECK(has_fresh());
    const std::string name = name_of(next_fresh++);
    servers.push_back(name);
    return name;
  }
  std::string any_bootstrap() {
    return name_of(static_cast<NodeIndex>(random.below(scenario.cluster.nodes)));
  }
  // A server to act on: the leader, a follower or a named one (it may be down by then).
  std::string any_target() {
    switch (random.below(3)) {
      case 0:
        return "leader";
      case 1:
        return "follower";
      default:
        return servers[random.below(servers.size())];
    }
  }
  // Steps past the run's end would never fire; they fire at its last millisecond instead.
  void add(Time at, Fault fault, const char* comment) {
    add(step_at(at, std::move(fault), comment));
  }
  void add(FaultStep step) {
    step.at = std::min(step.at, scenario.duration - ms(1));
    steps.push_back(std::move(step));
  }
};

// A fresh server joins as a learner (or a witness), and most learners are promoted later.
Time draw_grow(Plan& plan, Time at) {
  const std::string added = plan.take_fresh();
  if (plan.random.chance(Ratio{1, 5})) {
    plan.add(at, AddWitnessFault{added}, "membership: add a witness");
    return at;
  }
  plan.add(at, AddNodeFault{added}, "membership: add a learner");
  if (!plan.random.chance(Ratio{2, 3})) {
    plan.learners.push_back(added);
    return at;
  }
  const Time promoted = at + ms(plan.random.between(20, 600));
  plan.add(promoted, PromoteFault{added}, "membership: promote");
  return promoted;
}

// A joint change (C_old,new): one or two bootstrap voters replaced by fresh servers or dropped.
Time draw_joint(Plan& plan, Time at) {
  std::vector<std::string> voters;
  for (NodeIndex node = 0; node < plan.scenario.cluster.nodes; ++node) {
    voters.push_back(name_of(node));
  }
  const std::int64_t replaced = plan.random.between(1, 2);
  for (std::int64_t i = 0; i < replaced && voters.size() > 1; ++i) {
    voters.erase(voters.begin() + static_cast<std::ptrdiff_t>(plan.random.below(voters.size())));
  }
  for (std::int64_t i = 0; i < replaced && plan.has_fresh(); ++i) {
    voters.push_back(plan.take_fresh());
  }
  ChangeVotersFault change;
  change.voters = voters;
  change.auto_leave = !plan.random.chance(Ratio{1, 5});
  plan.add(at, change, "membership: joint change");
  return at;
}

// The leader cut off with the servers just added (a new rack next to the leader's): a majority
// of the newest configuration, or of the leader's side, is never a majority of the voters.
Time draw_cut_with_newcomers(Plan& plan, Time at) {
  std::vector<Selector> side = {"leader"};
  const std::size_t bootstrap = plan.scenario.cluster.nodes;
  for (std::size_t i = bootstrap; i < plan.servers.size(); ++i) side.push_back(plan.servers[i]);
  FaultStep cut = step_at(at, PartitionFault{}, "membership: leader cut off with the newcomers");
  fields<PartitionFault>(cut).groups = {side, {"others"}};
  plan.add(cut);
  const Time healed = at + ms(plan.random.between(200, 1'500));
  plan.add(healed, HealFault{}, "membership: heal");
  return healed;
}

// A node falls behind, then the leader crashes and another node loses its disk: a wiped server
// must not vote as the member it was.
Time draw_lag_and_wipe(Plan& plan, Time at) {
  const NodeIndex nodes = plan.scenario.cluster.nodes;
  const NodeIndex lagging = static_cast<NodeIndex>(plan.random.below(nodes));
  const NodeIndex wiped =
      static_cast<NodeIndex>((lagging + 1 + plan.random.below(nodes - 1)) % nodes);
  plan.add(at, IsolateFault{name_of(lagging)}, "membership: a node falls behind");
  const Time lost = at + ms(plan.random.between(200, 1'000));
  FaultStep crash = step_at(lost, CrashFault{"leader"}, "membership: the leader crashes");
  crash.bind_as = "crashed-leader";
  plan.add(crash);
  plan.add(lost, WipeFault{name_of(wiped)}, "membership: a disk is lost");
  plan.add(lost, HealFault{}, "membership: heal");
  const Time back = lost + ms(plan.random.between(300, 1'000));
  plan.add(back, RestartFault{"crashed-leader"}, "membership: restart");
  return back;
}

// Two leaders, each with a single-server change in flight (thesis §4.1 and its 2015 correction):
// a learner is added; leadership moves to a known voter A, which is then cut off with the learner
// and asked to promote it; the next leader, cut off at once with one more voter, is asked to
// remove a third. On an even cluster the two configurations can have disjoint majorities unless
// a leader first commits an entry of its own term.
Time draw_two_changes(Plan& plan, Time at) {
  const std::string learner = plan.take_fresh();
  plan.add(at, AddNodeFault{learner}, "membership: add a learner");
  std::vector<std::string> voters;
  for (NodeIndex node = 0; node < plan.scenario.cluster.nodes; ++node) {
    voters.push_back(name_of(node));
  }
  for (std::size_t i = voters.size() - 1; i > 0; --i) {  // Fisher-Yates
    std::swap(voters[i], voters[plan.random.below(i + 1)]);
  }
  const std::string& first = voters[0];
  const std::string& kept = voters[1];
  const std::string& removed = voters[2];
  const Time moved = at + ms(plan.random.between(100, 500));
  plan.add(moved, TransferLeadershipFault{first}, "membership: transfer");
  const Time split = moved + ms(plan.random.between(200, 600));
  FaultStep cut = step_at(split, PartitionFault{}, "membership: leader cut off with the learner");
  fields<PartitionFault>(cut).groups = {{"leader", learner}, {"others"}};
  plan.add(cut);
  plan.add(split, PromoteFault{learner}, "membership: promote");
  FaultStep second = step_at(split + ms(1), PartitionFault{}, "membership: next leader cut off");
  fields<PartitionFault>(second).groups = {{"new-leader", kept}, {"others"}};
  plan.add(second);
  plan.add(split + ms(1), RemoveNodeFault{removed}, "membership: remove");
  const Time healed = split + ms(plan.random.between(1'000, 2'500));
  plan.add(healed, HealFault{}, "membership: heal");
  return healed;
}

// One operator change (or a disaster around one); returns when its last step fires.
Time draw_change(Plan& plan, Time at) {
  const bool even = plan.scenario.cluster.nodes % 2 == 0;
  switch (plan.random.below(8)) {
    case 0:
    case 1:
      if (plan.has_fresh()) return draw_grow(plan, at);
      break;
    case 2:
      if (plan.has_fresh()) return draw_cut_with_newcomers(plan, draw_joint(plan, at) + ms(1));
      break;
    case 3:
      if (plan.has_fresh()) {
        const Time grown = draw_grow(plan, at);
        return draw_cut_with_newcomers(plan, grown + ms(plan.random.between(1, 300)));
      }
      break;
    case 4:
      if (even && plan.has_fresh()) return draw_two_changes(plan, at);
      return draw_lag_and_wipe(plan, at);
    case 5:
      plan.add(at, TransferLeadershipFault{plan.any_target()}, "membership: transfer");
      return at;
    case 6:
      if (!plan.learners.empty() && plan.random.chance(Ratio{1, 2})) {
        const std::string learner = plan.learners.back();
        plan.learners.pop_back();
        plan.add(at, PromoteFault{learner}, "membership: promote");
        return at;
      }
      return draw_lag_and_wipe(plan, at);
    default:
      break;
  }
  plan.add(at, RemoveNodeFault{plan.any_target()}, "membership: remove");
  return at;
}

}  // namespace

void draw_membership(std::uint64_t run_seed, Scenario& scenario) {
  Random random = Random::stream(run_seed, "fuzz/generate/profiles/membership");
  ServiceClusterOptions& cluster = scenario.cluster;
  // Even sizes in half the runs: the single-server change bug of thesis §4.1 needs one.
  cluster.nodes = random.chance(Ratio{1, 2}) ? 4 : (random.chance(Ratio{1, 2}) ? 3 : 5);
  cluster.max_nodes = std::min<NodeIndex>(
      kSlotsMax, cluster.nodes + static_cast<NodeIndex>(random.between(1, kSpareSlotsMax)));
  cluster.admin_client = true;
  if (!cluster.clocks.empty()) cluster.clocks.resize(cluster.server_slots());
  if (scenario.nemesis && random.chance(Ratio{1, 3})) {
    scenario.nemesis->kinds.push_back(NemesisKind::of<MembershipNemesisFault>());
    return;
  }
  Plan plan{random, scenario, cluster.nodes, {}, {}, scenario.faults};
  for (NodeIndex node = 0; node < cluster.nodes; ++node) plan.servers.push_back(name_of(node));
  // Its seven steps need a calm cluster (a crash or a cut elsewhere scrambles their order), so
  // the two-changes disaster comes alone, in a third of the even clusters.
  if (cluster.nodes % 2 == 0 && random.chance(Ratio{1, 3})) {
    scenario.faults.clear();
    scenario.nemesis.reset();
    draw_two_changes(plan, ms(random.between(300, 1'200)));
    return;
  }
  const Time end = scenario.duration - ms(200);
  Time at = ms(random.between(300, 1'200));
  const std::int64_t changes = random.between(1, kChangesMax);
  for (std::int64_t change = 0; change < changes && at < end; ++change) {
    at = draw_change(plan, at) + ms(random.between(50, 1'000));
  }
}

}  // namespace raftsim::sim

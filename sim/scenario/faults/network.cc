// raftsim: the network fault kinds (see network.h).
#include "sim/scenario/faults/network.h"

#include <algorithm>

#include "sim/scenario/faults/fault_context.h"

namespace raftsim::sim {
namespace {

constexpr unsigned kSideUses = kOneNode | kManyNodes | kOthers;

}  // namespace

Applied<HealFault> HealFault::apply(FaultContext& context) const {
  context.world().network().heal();
  context.world().network().clear_class_delays();  // delay_messages is undone by heal too
  return Applied<HealFault>(*this);
}

// --- partition ----------------------------------------------------------------------------------

void PartitionFault::parse(FaultReader& reader) {
  using nlohmann::json;
  const json* value = reader.fields.field("groups");
  const bool ok = value != nullptr && value->is_array() && !value->empty() &&
                  std::all_of(value->begin(), value->end(), [](const json& group) {
                    return group.is_array() && !group.empty() &&
                           std::all_of(group.begin(), group.end(),
                                       [](const json& item) { return item.is_string(); });
                  });
  const std::string path = reader.fields.path_of("groups");
  if (!ok) {
    const char* expected = "an array of non-empty arrays of node selectors";
    if (value != nullptr) {
      reader.errors.add(path, expected, *value);
    } else {
      reader.fields.error("groups", expected);
    }
    return;
  }
  SelectorChecker::Placed places;
  for (std::size_t g = 0; g < value->size(); ++g) {
    std::vector<Selector> group;
    for (std::size_t i = 0; i < (*value)[g].size(); ++i) {
      group.push_back((*value)[g][i].get<std::string>());
      places.emplace_back(path + "/" + std::to_string(g) + "/" + std::to_string(i), group.back());
      reader.selectors.check(places.back().first, group.back(), kSideUses | kClients);
    }
    groups.push_back(std::move(group));
  }
  reader.selectors.check_named_once(places);
  if (groups.size() < 2 && groups[0].size() >= reader.selectors.nodes()) {
    reader.errors.add_message(
        path, "expected at least two groups (one group of every node cuts nothing)");
  }
}

void PartitionFault::write(nlohmann::ordered_json& out) const {
  out["groups"] = groups;
}

void PartitionFault::visit_selectors(const SelectorVisitor& visit) const {
  for (const auto& group : groups) visit("groups", group);
}

Applied<PartitionFault> PartitionFault::apply(FaultContext& context) const {
  const NodeIndex size = context.cluster.size();
  std::vector<const std::vector<Selector>*> lists;
  for (const auto& group : groups) lists.push_back(&group);
  const std::vector<NodeIndex> others = context.selectors.unnamed(lists);
  std::vector<std::vector<NodeIndex>> resolved;
  std::vector<bool> used(size, false);
  for (const auto& group : groups) {
    std::vector<NodeIndex> nodes;
    for (NodeIndex node : context.selectors.resolve_list(group, others)) {
      if (node >= size) {  // a client: it goes where it is listed
        nodes.push_back(node);
        continue;
      }
      if (used[node]) continue;  // a role that resolved to a node listed already
      used[node] = true;
      nodes.push_back(node);
    }
    if (!nodes.empty()) resolved.push_back(nodes);
  }
  // Cluster nodes no group names form one more group; clients keep every link.
  std::vector<NodeIndex> rest;
  for (NodeIndex node = 0; node < size; ++node) {
    if (!used[node]) rest.push_back(node);
  }
  if (!rest.empty()) resolved.push_back(rest);
  Applied<PartitionFault> outcome;
  for (const auto& group : resolved) {
    std::vector<Selector> named;
    for (NodeIndex node : group) named.push_back(process_name(node, size));
    std::string text;
    for (const Selector& name : named) text += (text.empty() ? "" : ",") + name;
    outcome.concrete.groups.push_back(named);
    outcome.description += " [" + text + "]";
  }
  if (resolved.size() < 2) {
    outcome.skipped_because = "every node resolved into one group";
    return outcome;
  }
  Network& network = context.world().network();
  RAFTSIM_CHECK(network.partition(resolved, Network::Unlisted::keep_their_links).ok());
  return outcome;
}

NemesisDraw PartitionFault::draw_nemesis(NemesisContext& context) {
  const NodeIndex nodes = context.nodes;
  if (nodes < 2) return {};
  const std::vector<NodeIndex>& shuffled = context.shuffled;
  const std::size_t minority = 1 + context.random.below(std::max<NodeIndex>(1, (nodes - 1) / 2));
  PartitionFault split;
  split.groups = {selectors_of({shuffled.begin(), shuffled.begin() + minority}),
                  selectors_of({shuffled.begin() + minority, shuffled.end()})};
  return {{step_of(split)}, {step_of(HealFault{})}};
}

// --- isolate ------------------------------------------------------------------------------------

void IsolateFault::parse(FaultReader& reader) {
  reader.selectors.read(reader.fields, "target", target, kOneNode | kManyNodes);
}

void IsolateFault::write(nlohmann::ordered_json& out) const {
  out["target"] = target;
}

void IsolateFault::visit_selectors(const SelectorVisitor& visit) const {
  visit("target", {target});
}

Applied<IsolateFault> IsolateFault::apply(FaultContext& context) const {
  const std::vector<NodeIndex> nodes = context.selectors.resolve(target, {});
  Network& network = context.world().network();
  for (NodeIndex node : nodes) {
    for (NodeIndex other = 0; other < context.cluster.size(); ++other) {
      if (other == node) continue;
      RAFTSIM_CHECK(network.set_link_open(node, other, false).ok());
      RAFTSIM_CHECK(network.set_link_open(other, node, false).ok());
    }
  }
  Applied<IsolateFault> outcome = targeted_outcome(*this, nodes);
  outcome.concrete.target = node_names(nodes);
  return outcome;
}

NemesisDraw IsolateFault::draw_nemesis(NemesisContext& context) {
  return {{step_of(IsolateFault{node_name(context.victim())})}, {step_of(HealFault{})}};
}

// --- one_way ------------------------------------------------------------------------------------

void OneWayFault::parse(FaultReader& reader) {
  reader.selectors.read_list(reader.fields, "from", from, kSideUses);
  reader.selectors.read_list(reader.fields, "to", to, kSideUses);
}

void OneWayFault::write(nlohmann::ordered_json& out) const {
  out["from"] = selectors_json(from);
  out["to"] = selectors_json(to);
}

void OneWayFault::visit_selectors(const SelectorVisitor& visit) const {
  visit("from", from);
  visit("to", to);
}

Applied<OneWayFault> OneWayFault::apply(FaultContext& context) const {
  const auto [senders, receivers] = context.selectors.resolve_sides(from, to);
  Network& network = context.world().network();
  for (NodeIndex a : senders) {
    for (NodeIndex b : receivers) {
      if (a != b) RAFTSIM_CHECK(network.block_one_way(a, b).ok());
    }
  }
  Applied<OneWayFault> outcome(OneWayFault{selectors_of(senders), selectors_of(receivers)});
  outcome.description = " " + node_names(senders) + " -/-> " + node_names(receivers);
  if (senders.empty() || receivers.empty()) outcome.skipped_because = "a side resolved to no node";
  return outcome;
}

NemesisDraw OneWayFault::draw_nemesis(NemesisContext& context) {
  const NodeIndex node = context.victim();
  std::vector<NodeIndex> rest;
  for (NodeIndex other = 0; other < context.nodes; ++other) {
    if (other != node) rest.push_back(other);
  }
  if (rest.empty()) return {};
  const bool deaf = context.random.chance(Ratio{1, 2});  // cannot hear, or cannot speak
  OneWayFault cut;
  cut.from = deaf ? selectors_of(rest) : std::vector<Selector>{node_name(node)};
  cut.to = deaf ? std::vector<Selector>{node_name(node)} : selectors_of(rest);
  return {{step_of(cut)}, {step_of(HealFault{})}};
}

// --- bridge -------------------------------------------------------------------------------------

void BridgeFault::parse(FaultReader& reader) {
  reader.selectors.read_list(reader.fields, "side_a", side_a, kSideUses);
  reader.selectors.read_list(reader.fields, "bridge", bridge_nodes, kSideUses);
  reader.selectors.read_list(reader.fields, "side_b", side_b, kSideUses);
  SelectorChecker::Placed places;
  SelectorChecker::add_places(reader.fields, "side_a", side_a, places);
  SelectorChecker::add_places(reader.fields, "bridge", bridge_nodes, places);
  SelectorChecker::add_places(reader.fields, "side_b", side_b, places);
  reader.selectors.check_named_once(places);
}

void BridgeFault::write(nlohmann::ordered_json& out) const {
  out["side_a"] = selectors_json(side_a);
  out["bridge"] = selectors_json(bridge_nodes);
  out["side_b"] = selectors_json(side_b);
}

void BridgeFault::visit_selectors(const SelectorVisitor& visit) const {
  visit("side_a", side_a);
  visit("bridge", bridge_nodes);
  visit("side_b", side_b);
}

Applied<BridgeFault> BridgeFault::apply(FaultContext& context) const {
  const auto others = context.selectors.unnamed({&side_a, &bridge_nodes, &side_b});
  auto a = context.selectors.resolve_list(side_a, others);
  auto bridge = context.selectors.resolve_list(bridge_nodes, others);
  auto b = context.selectors.resolve_list(side_b, others);
  // A node named twice (a role that resolved onto a listed node) stays where it came first.
  auto remove_seen = [](std::vector<NodeIndex>& nodes, const std::vector<NodeIndex>& seen) {
    std::erase_if(nodes, [&](NodeIndex node) {
      return std::find(seen.begin(), seen.end(), node) != seen.end();
    });
  };
  remove_seen(bridge, a);
  remove_seen(b, a);
  remove_seen(b, bridge);
  Applied<BridgeFault> outcome(BridgeFault{selectors_of(a), selectors_of(bridge), selectors_of(b)});
  outcome.description = " " + node_names(a) + " <" + node_names(bridge) + "> " + node_names(b);
  if (a.empty() || b.empty()) {
    outcome.skipped_because = "a side resolved to no node";
    return outcome;
  }
  RAFTSIM_CHECK(context.world().network().partition_bridge(a, bridge, b).ok());
  return outcome;
}

NemesisDraw BridgeFault::draw_nemesis(NemesisContext& context) {
  const NodeIndex nodes = context.nodes;
  if (nodes < 3) return {};
  const std::vector<NodeIndex>& shuffled = context.shuffled;
  const std::size_t half = (nodes - 1) / 2;
  BridgeFault bridge;
  bridge.bridge_nodes = {node_name(shuffled[0])};
  bridge.side_a = selectors_of({shuffled.begin() + 1, shuffled.begin() + 1 + half});
  bridge.side_b = selectors_of({shuffled.begin() + 1 + half, shuffled.end()});
  return {{step_of(bridge)}, {step_of(HealFault{})}};
}

}  // namespace raftsim::sim

// raftsim: what a fault kind's apply() and draw_nemesis() hooks work with, and the dispatch to
// them. apply() resolves the step's selectors through the context (in field order: resolution
// may draw from the faults stream), changes the world, and says what it did in a FaultOutcome;
// the caller records it, notes it in the trace and opens a recovery measurement.
// draw_nemesis() draws a random fault of its kind from the nemesis stream, and its undo.
#pragma once

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "sim/cluster/service_cluster.h"
#include "sim/scenario/faults/fault.h"
#include "sim/scenario/selectors.h"

namespace raftsim::sim {

struct FaultContext {
  ServiceCluster& cluster;
  SelectorResolver& selectors;
  Random& random;                         // the run's scenario/faults stream
  const ServiceClusterOptions& base;      // the scenario's settings: what repairs go back to
  std::vector<DiskConfig>& disk_configs;  // each node's disk settings now

  World& world() const { return cluster.world(); }
};

// What applying one step did, its concrete step as a fault of any kind of `Variant`.
template <typename Variant>
struct BasicFaultOutcome {
  Variant concrete;
  std::string description;
  std::string skipped_because;
  std::vector<NodeIndex> targets;
  std::vector<Variant> per_node;
};
using FaultOutcome = BasicFaultOutcome<Fault>;

// Applies a fault of any variant of kinds (the registry's, or a test's own) through its kind's
// apply() hook.
template <typename Variant>
BasicFaultOutcome<Variant> apply_fault_of(const Variant& fault, FaultContext& context) {
  return std::visit(
      [&](const auto& kind) {
        auto applied = kind.apply(context);
        BasicFaultOutcome<Variant> outcome{Variant(std::move(applied.concrete)),
                                           std::move(applied.description),
                                           std::move(applied.skipped_because),
                                           std::move(applied.targets),
                                           {}};
        for (auto& one : applied.per_node) outcome.per_node.emplace_back(std::move(one));
        return outcome;
      },
      fault);
}

struct NemesisContext {
  Random& random;  // the run's scenario/nemesis stream
  NodeIndex nodes;
  std::vector<NodeIndex> shuffled;  // every node, shuffled (drawn before every fault)
  // Half the time the leader, when there is one, else a random node.
  std::function<NodeIndex()> victim;
  const ServiceClusterOptions& base;
  const std::vector<DiskConfig>& disk_configs;
};

// A random fault: the steps that inject it now and those that undo it after the hold time.
struct NemesisDraw {
  std::vector<FaultStep> inject;
  std::vector<FaultStep> undo;
};

FaultOutcome apply_fault(const Fault& fault, FaultContext& context);
NemesisDraw draw_nemesis(NemesisKind kind, NemesisContext& context);
// A step of one fault at time 0 (the nemesis's steps fire when drawn).
FaultStep step_of(Fault fault);

// Names in applied steps and descriptions.
std::string node_name(NodeIndex node);
std::string node_names(const std::vector<NodeIndex>& nodes);  // "n1,n3"
std::vector<Selector> selectors_of(const std::vector<NodeIndex>& nodes);
// Cluster nodes are n<k>; the client processes after them are c<k>.
std::string process_name(NodeIndex node, NodeIndex cluster_size);
// " n1,n3" and, when the target was a role rather than a node name, " (leader)".
std::string describe_targets(const std::vector<NodeIndex>& nodes, const Selector& target);
// The outcome of a kind with one target selector: resolved targets, the description and the
// concrete target (a node name if one node, else the selector), skipped if no node matches.
template <typename Kind>
Applied<Kind> targeted_outcome(const Kind& fault, const std::vector<NodeIndex>& nodes) {
  Applied<Kind> outcome(fault);
  outcome.description = describe_targets(nodes, fault.target);
  outcome.targets = nodes;
  outcome.concrete.target = nodes.size() == 1 ? node_name(nodes[0]) : fault.target;
  if (nodes.empty()) outcome.skipped_because = "no node matches \"" + fault.target + "\"";
  return outcome;
}

}  // namespace raftsim::sim

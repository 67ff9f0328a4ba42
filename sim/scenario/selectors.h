// raftsim: resolves a fault step's selectors ("leader", "follower", "n2", a bound name, ...) to
// nodes at the moment the step fires (what each selector means: Selector in scenario.h).
// Determinism: "follower" and "random" draw from the run's scenario/faults stream, in the order
// the step's fields are resolved; within one step a selector resolves once and means the same
// nodes in every field (begin_step() starts a step). It samples who leads every millisecond
// (observe()) so "new-leader" can wait for a leader elected since the previous step.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/cluster/service_cluster.h"
#include "sim/kernel/random.h"
#include "sim/scenario/selector_check.h"

namespace raftsim::sim {

struct FaultStep;

class SelectorResolver {
 public:
  SelectorResolver(ServiceCluster& cluster, Random& random) : cluster_(cluster), random_(random) {}

  // After each sample of the cluster: the stable leader then (recovery's view), and who leads.
  void observe(std::optional<NodeIndex> stable_leader);
  std::optional<NodeIndex> stable_leader() const { return stable_leader_; }

  // True if the step names a role nobody holds now (it waits, or is skipped).
  bool needs_missing_leader(const FaultStep& step);
  // Before a step's selectors are resolved: forget the previous step's resolutions.
  void begin_step() { step_resolutions_.clear(); }
  // With "new-leader": how long that leader must have led (the scheduled step's leading_ms).
  void set_leading_min(Time leading_min) { leading_min_ = leading_min; }
  // After a scheduled step fired or was skipped: "new-leader" now means newer than this.
  void end_step() { leader_term_at_last_step_ = highest_leader_term(); }

  // Resolves one selector now. `others`: the nodes no other selector of the step named.
  std::vector<NodeIndex> resolve(const Selector& selector, const std::vector<NodeIndex>& others);
  // Resolves a list, each node once, in order.
  std::vector<NodeIndex> resolve_list(const std::vector<Selector>& selectors,
                                      const std::vector<NodeIndex>& others);
  // The two sides of a directed fault, "others" being the nodes neither side names.
  struct Sides {
    std::vector<NodeIndex> from, to;
  };
  Sides resolve_sides(const std::vector<Selector>& from, const std::vector<Selector>& to);
  // Nodes not named by any selector other than "others" in these lists, resolved now.
  std::vector<NodeIndex> unnamed(const std::vector<const std::vector<Selector>*>& lists);
  void bind(const std::string& name, NodeIndex node) { bindings_[name] = node; }

  // The node that believes it leads: the stable leader if it still leads, else the running
  // leader with the highest term.
  std::optional<NodeIndex> current_leader();
  std::vector<NodeIndex> all_nodes() const;

 private:
  std::vector<NodeIndex> resolve_now(const Selector& selector);
  std::optional<NodeIndex> new_leader(Time leading_min);
  Term highest_leader_term();

  ServiceCluster& cluster_;
  Random& random_;
  std::optional<NodeIndex> stable_leader_;
  std::map<std::string, NodeIndex, std::less<>> bindings_;
  std::map<std::string, std::vector<NodeIndex>, std::less<>> step_resolutions_;  // this step's
  // The highest term of a leader when the last step fired or was skipped ("new-leader").
  Term leader_term_at_last_step_ = 0;
  Time leading_min_ = 0;  // of the step being applied
  // When each node was first seen leading in its current term (sampled every millisecond).
  struct LeaderSince {
    Term term = 0;
    Time at = 0;
  };
  std::vector<LeaderSince> leader_since_;
};

}  // namespace raftsim::sim

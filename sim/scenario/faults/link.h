// raftsim: the link fault kind: change the latency, loss, duplication or reordering of the links
// from -> to (every pair of distinct nodes). Unset settings keep their value; "reset" first goes
// back to the scenario's network settings. Only recover_all undoes it.
#pragma once

#include "sim/scenario/faults/fault_kind.h"

namespace raftsim::sim {

class Network;

// Link settings a `link` step changes; unset fields keep their value.
struct LinkChange {
  std::optional<Time> latency_min;
  std::optional<Time> latency_max;
  std::optional<Ratio> loss;
  std::optional<Ratio> duplicate;
  std::optional<Ratio> reorder;
  std::optional<Time> reorder_delay_max;
  std::optional<Time> extra_latency;
  bool reset = false;  // back to the scenario's network settings first

  static LinkChange reset_all() {
    LinkChange change;
    change.reset = true;
    return change;
  }
};

// Applies `change` to every link a -> b (a in from, b in to, a != b); `base` is what a reset
// goes back to.
void change_links(Network& network, const std::vector<NodeIndex>& from,
                  const std::vector<NodeIndex>& to, const LinkChange& change,
                  const LinkConfig& base);

struct LinkFault {
  static constexpr std::string_view kName = "link";
  std::vector<Selector> from, to;
  LinkChange change;

  void parse(FaultReader& reader);
  void write(nlohmann::ordered_json& out) const;
  void visit_selectors(const SelectorVisitor& visit) const;
  Applied<LinkFault> apply(FaultContext& context) const;
  // Loss, duplication and extra latency on a random node's links, both ways; undone by a reset.
  static NemesisDraw draw_nemesis(NemesisContext& context);
};

}  // namespace raftsim::sim

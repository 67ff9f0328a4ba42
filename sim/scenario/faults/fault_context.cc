// raftsim: dispatch to apply() and draw_nemesis(), and the naming helpers (see fault_context.h).
#include "sim/scenario/faults/fault_context.h"

#include <utility>

namespace raftsim::sim {
namespace {

template <typename... Kinds>
NemesisDraw draw_from(KindList<Kinds...>, std::size_t index, NemesisContext& context) {
  using Draw = NemesisDraw (*)(NemesisContext&);
  static constexpr Draw kDraws[] = {&Kinds::draw_nemesis...};
  return kDraws[index](context);
}

}  // namespace

FaultOutcome apply_fault(const Fault& fault, FaultContext& context) {
  return apply_fault_of(fault, context);
}

NemesisDraw draw_nemesis(NemesisKind kind, NemesisContext& context) {
  return draw_from(NemesisKinds{}, kind.index, context);
}

FaultStep step_of(Fault fault) {
  FaultStep step;
  step.fault = std::move(fault);
  return step;
}

std::string node_name(NodeIndex node) {
  return "n" + std::to_string(node);
}

std::string node_names(const std::vector<NodeIndex>& nodes) {
  std::string text;
  for (NodeIndex node : nodes) text += (text.empty() ? "" : ",") + node_name(node);
  return text;
}

std::vector<Selector> selectors_of(const std::vector<NodeIndex>& nodes) {
  std::vector<Selector> out;
  for (NodeIndex node : nodes) out.push_back(node_name(node));
  return out;
}

std::string process_name(NodeIndex node, NodeIndex cluster_size) {
  return node < cluster_size ? node_name(node) : "c" + std::to_string(node - cluster_size);
}

std::string describe_targets(const std::vector<NodeIndex>& nodes, const Selector& target) {
  std::string description = " " + node_names(nodes);
  const bool is_node_name =
      target.size() > 1 && target[0] == 'n' && target[1] >= '0' && target[1] <= '9';
  if (!target.empty() && !is_node_name) description += " (" + target + ")";
  return description;
}

}  // namespace raftsim::sim

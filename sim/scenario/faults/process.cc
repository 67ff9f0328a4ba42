// raftsim: the process fault kinds (see process.h).
#include "sim/scenario/faults/process.h"

#include "sim/scenario/faults/fault_context.h"

namespace raftsim::sim {

void CrashTraits::act(World& world, NodeIndex node) {
  world.crash(node);
}
void RestartTraits::act(World& world, NodeIndex node) {
  world.restart(node);
}
void PauseTraits::act(World& world, NodeIndex node) {
  world.pause(node);
}
void ResumeTraits::act(World& world, NodeIndex node) {
  world.resume(node);
}

template <typename Traits>
Applied<ProcessFault<Traits>> ProcessFault<Traits>::apply(FaultContext& context) const {
  const std::vector<NodeIndex> nodes = context.selectors.resolve(target, {});
  for (NodeIndex node : nodes) Traits::act(context.world(), node);
  Applied<ProcessFault> outcome = targeted_outcome(*this, nodes);
  if (nodes.size() > 1 && target != "all") {
    for (NodeIndex node : nodes) outcome.per_node.push_back(ProcessFault{node_name(node)});
  }
  return outcome;
}

template <typename Traits>
NemesisDraw ProcessFault<Traits>::draw_nemesis(NemesisContext& context) {
  if constexpr (std::is_void_v<UndoneBy>) {
    RAFTSIM_UNREACHABLE("the nemesis draws only faults it can undo");
  } else {
    const std::string target = node_name(context.victim());
    return {{step_of(ProcessFault{target})}, {step_of(UndoneBy{target})}};
  }
}

template struct ProcessFault<CrashTraits>;
template struct ProcessFault<RestartTraits>;
template struct ProcessFault<PauseTraits>;
template struct ProcessFault<ResumeTraits>;

}  // namespace raftsim::sim

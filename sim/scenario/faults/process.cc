// raftsim: the process fault kinds (see process.h).
#include "sim/scenario/faults/process.h"

#include "sim/scenario/faults/fault_context.h"

namespace raftsim::sim {

void crash_node(World& world, NodeIndex node) {
  world.crash(node);
}
void restart_node(World& world, NodeIndex node) {
  // A slot never started is not a crashed server: only add_node starts it (faults/membership.h).
  if (world.host(node).incarnation() == 0) return;
  world.restart(node);
}
void pause_node(World& world, NodeIndex node) {
  world.pause(node);
}
void resume_node(World& world, NodeIndex node) {
  world.resume(node);
}

template <const ProcessAction& Action, typename Undo>
Applied<ProcessFault<Action, Undo>> ProcessFault<Action, Undo>::apply(FaultContext& context) const {
  const std::vector<NodeIndex> nodes = context.selectors.resolve(target, {});
  for (NodeIndex node : nodes) Action.act(context.world(), node);
  Applied<ProcessFault> outcome = targeted_outcome(*this, nodes);
  if (nodes.size() > 1 && target != "all") {
    for (NodeIndex node : nodes) outcome.per_node.push_back(ProcessFault{node_name(node)});
  }
  return outcome;
}

template <const ProcessAction& Action, typename Undo>
NemesisDraw ProcessFault<Action, Undo>::draw_nemesis(NemesisContext& context) {
  if constexpr (std::is_void_v<UndoneBy>) {
    RAFTSIM_UNREACHABLE("the nemesis draws only faults it can undo");
  } else {
    const std::string target = node_name(context.victim());
    return {{step_of(ProcessFault{target})}, {step_of(UndoneBy{target})}};
  }
}

template struct ProcessFault<kRestart>;
template struct ProcessFault<kCrash, RestartFault>;
template struct ProcessFault<kResume>;
template struct ProcessFault<kPause, ResumeFault>;

}  // namespace raftsim::sim

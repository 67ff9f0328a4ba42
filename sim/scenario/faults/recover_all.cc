// raftsim: the recover_all fault kind (see recover_all.h).
#include "sim/scenario/faults/recover_all.h"

#include "sim/scenario/faults/fault_context.h"

namespace raftsim::sim {

Applied<RecoverAllFault> RecoverAllFault::apply(FaultContext& context) const {
  World& world = context.world();
  const ServiceClusterOptions& base = context.base;
  world.network().heal();
  world.network().clear_class_delays();
  const std::vector<NodeIndex> nodes = context.selectors.all_nodes();
  change_links(world.network(), nodes, nodes, LinkChange::reset_all(), base.link);
  for (NodeIndex node = 0; node < context.cluster.size(); ++node) {
    SimDisk& disk = world.disk(node);
    context.disk_configs[node] = base.disk;
    disk.set_config(context.disk_configs[node]);
    disk.set_capacity(base.disk.capacity_bytes);
    const std::int64_t base_drift = base.clocks.empty() ? 0 : base.clocks[node].drift_ppm;
    if (world.clock(node).drift_ppm() != base_drift) world.set_clock_drift(node, base_drift);
    const HostState state = world.host(node).state();
    if (state == HostState::paused) world.resume(node);
    if (state == HostState::down && context.cluster.started(node)) world.restart(node);
    // A node that stopped itself on a storage error gets what an operator would do: a restart.
    if (state == HostState::running && context.cluster.node(node) == nullptr) {
      world.crash(node);
      world.restart(node);
    }
  }
  // Client processes too: paused ones resume, crashed ones restart under fresh ids (one at its
  // restart limit stays down). None is ever down or paused unless a client fault made it so.
  for (NodeIndex client = 0; client < base.clients; ++client) {
    const NodeIndex node = context.cluster.size() + client;
    const HostState state = world.host(node).state();
    if (state == HostState::paused) world.resume(node);
    if (state == HostState::down) (void)context.cluster.restart_client(node);
  }
  return Applied<RecoverAllFault>(*this);
}

}  // namespace raftsim::sim

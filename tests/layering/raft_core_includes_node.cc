// Layering probe: a unit of the `raft_core` target that includes "raft/node/node_host.h". It must
// not compile: the core is a pure state machine below the host.
#include "raft/node/node_host.h"

int layering_probe_raft_core_includes_node() {
  return 0;
}

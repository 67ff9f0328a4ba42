// Layering probe: a unit of the `raft_base` target that includes "raft/core/raft.h". It must not
// compile: the base library is the bottom layer.
#include "raft/core/raft.h"

int layering_probe_raft_base_includes_core() {
  return 0;
}

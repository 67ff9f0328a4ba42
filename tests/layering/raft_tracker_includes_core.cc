// Layering probe: a unit of the `raft_tracker` target that includes "raft/core/raft.h". It must
// not compile: the tracker sees the core's vocabulary (raft/core/types.h) and nothing else of it.
#include "raft/core/raft.h"

int layering_probe_raft_tracker_includes_core() {
  return 0;
}

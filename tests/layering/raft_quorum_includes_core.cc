// Layering probe: a unit of the `raft_quorum` target that includes "raft/core/types.h". It must
// not compile: the quorum unit counts plain integers and sees nothing of the core.
#include "raft/core/types.h"

int layering_probe_raft_quorum_includes_core() {
  return 0;
}

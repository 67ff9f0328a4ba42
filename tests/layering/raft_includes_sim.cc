// Layering probe: a unit of the `raft` target that includes "sim/kernel/world.h". It must not
// compile.
#include "sim/kernel/world.h"

int layering_probe_raft_includes_sim() {
  return 0;
}

// Layering probe: a unit of the `sim_fuzz` target that includes "tests/raft_cluster.h". It must not
// compile.
#include "tests/raft_cluster.h"

int layering_probe_sim_includes_tests() {
  return 0;
}

// Layering probe: a unit of the `jobqueue` target that includes "sim/kernel/world.h". It must not
// compile.
#include "sim/kernel/world.h"

int layering_probe_jobqueue_includes_sim() {
  return 0;
}

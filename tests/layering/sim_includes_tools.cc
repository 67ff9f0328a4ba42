// Layering probe: a unit of the `sim_fuzz` target that includes "tools/commands.h". It must not
// compile.
#include "tools/commands.h"

int layering_probe_sim_includes_tools() {
  return 0;
}

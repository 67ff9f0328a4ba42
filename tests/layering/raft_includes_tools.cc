// Layering probe: a unit of the `raft` target that includes "tools/commands.h". It must not
// compile.
#include "tools/commands.h"

int layering_probe_raft_includes_tools() {
  return 0;
}

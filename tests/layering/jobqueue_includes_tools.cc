// Layering probe: a unit of the `jobqueue` target that includes "tools/commands.h". It must not
// compile.
#include "tools/commands.h"

int layering_probe_jobqueue_includes_tools() {
  return 0;
}

// Layering probe, the control: a unit of the `jobqueue` target with an allowed include. It must
// compile, so the other probes are known to fail for their forbidden include alone.
#include "raft/node/state_machine.h"

int layering_probe_jobqueue_includes_raft() {
  return 0;
}

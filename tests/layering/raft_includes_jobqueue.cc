// Layering probe: a unit of the `raft` target that includes "jobqueue/queue/job_queue.h". It must
// not compile.
#include "jobqueue/queue/job_queue.h"

int layering_probe_raft_includes_jobqueue() {
  return 0;
}

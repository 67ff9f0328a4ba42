// raftsim: the catalogued bugs the job queue can carry (a JobQueue constructor argument, not part
// of queue::Config: the bugs are not replicated state and must not change the state hash).
// None is ever set in production.
#pragma once

#include <cstdint>

#include "raft/base/bug_set.h"

namespace raftsim::queue {

enum class QueueBug : std::uint8_t {
  stale_fence_complete,         // a completion with a stale fencing token is accepted
  partial_snapshot_drops_keys,  // idempotency keys are left out of the hot snapshot
  lease_expiry_ignored,         // an expired lease never makes its job available again
};

using QueueBugs = BugSet<QueueBug>;

}  // namespace raftsim::queue

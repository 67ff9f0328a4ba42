// raftsim: the catalogued bugs the Raft core can carry (RaftConfig::bugs, passed on to RaftLog).
// Each is a classic consensus mistake the testbed must find; none is ever set in production.
// One query per site (raft.cc, log.cc); sim/bugs/catalogue.cc names and describes them.
#pragma once

#include <cstdint>

#include "raft/base/bug_set.h"

namespace raftsim {

enum class RaftBug : std::uint8_t {
  commit_prev_term,           // a leader commits entries of an earlier term by counting (Fig. 8)
  no_truncate_on_conflict,    // a follower keeps a conflicting suffix
  stale_term_append,          // AppendEntries from a stale term is accepted
  vote_ignores_log,           // votes granted without the log up-to-date check
  read_without_readindex,     // the leader serves reads without confirming leadership
  lease_read_no_drift_bound,  // lease reads ignore clock drift
  snapshot_overwrites_newer,  // an older snapshot replaces newer state
};

using RaftBugs = BugSet<RaftBug>;

}  // namespace raftsim

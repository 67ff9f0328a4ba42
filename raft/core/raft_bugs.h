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
  // Membership changes (raft/membership, dissertation ch. 4):
  config_change_before_own_term_commit,  // a new leader changes membership before its no-op
                                         // commits (the 2015 single-server bug)
  config_on_commit,                      // a server uses a configuration only once committed
  joint_quorum_new_only,                 // joint decisions count only C_new's majority
  removed_leader_keeps_leading,          // a leader not in C_new stays leader once it commits
  learner_counted_in_quorum,             // learners' acknowledgements count towards commit
  stale_vote_counted,  // a candidate counts a vote granted in an older term of its own
  // Liveness:
  election_timer_not_randomized,  // every election timeout is the minimum: split votes recur
};

using RaftBugs = BugSet<RaftBug>;

}  // namespace raftsim

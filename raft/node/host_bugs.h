// raftsim: the catalogued bugs of the node host, injected where the host persists a Ready and
// answers clients (NodeHostConfig::bugs). The core never knows: under vote_not_persisted it
// believes the vote it handed out was written. None is ever set in production.
#pragma once

#include <cstdint>

#include "raft/base/bug_set.h"

namespace raftsim {

enum class HostBug : std::uint8_t {
  ack_before_fsync,    // the log is persisted after the Ready's messages and client answers
  vote_not_persisted,  // the hard state is written without the vote just granted
  // A server whose disk was wiped comes back under its old id as the voter it was, and votes
  // with an empty log (the correct host refuses: a wiped server rejoins only under a new id).
  rejoin_after_wipe,
};

using HostBugs = BugSet<HostBug>;

}  // namespace raftsim

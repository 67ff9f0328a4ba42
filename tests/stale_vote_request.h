// raftsim tests: one vote request a correct voter must refuse. The voter's log (1/t1, 2/t1) is
// ahead of the candidate's (1/t1); the voter steps the term-2 request and its Ready says what it
// answered. Shared by the probe tests and the tests that run with bug injection compiled out.
#pragma once

#include "raft/core/raft.h"

namespace raftsim {

inline Ready step_stale_vote_request(RaftBugs bugs = {}) {
  RaftConfig config;
  config.id = 1;
  config.voters = {0, 1, 2};
  config.bugs = bugs;
  Raft voter(config, HardState{1, kNoNode},
             {Entry{1, 1, EntryType::normal, {}}, Entry{1, 2, EntryType::normal, {}}});
  Message request;
  request.type = MessageType::vote_request;
  request.from = 0;
  request.to = 1;
  request.term = 2;
  request.log_index = 1;
  request.log_term = 1;
  voter.step(request);
  return voter.ready();
}

}  // namespace raftsim

// raftsim: the messages Raft nodes exchange, as one plain value type (etcd's raftpb.Message
// idea): a type tag plus the fields each type uses. Field meanings per type are listed below;
// unused fields stay zero so that equal messages compare and encode equal.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "raft/core/types.h"

namespace raftsim {

enum class MessageType : std::uint8_t {
  pre_vote_request = 0,    // term = the term the sender would campaign in (its term + 1)
  pre_vote_response = 1,   // term = request's term if granted, else the responder's term
  vote_request = 2,        // log_index/log_term = sender's last entry
  vote_response = 3,       // reject = not granted
  append = 4,              // log_index/log_term = entry before `entries`; commit = leader commit
  append_response = 5,     // !reject: log_index = highest index known to match the leader
                           // reject: log_index = the rejected prev index, hint_index/hint_term =
                           //         where the leader should back up to (fast backtracking)
  heartbeat = 6,           // commit = min(leader commit, receiver's match); context = read round
  heartbeat_response = 7,  // context echoed
  // log_index/log_term = the snapshot's last entry; context = byte offset of this chunk;
  // hint_index = the snapshot's total bytes; commit = leader commit; entries = one carrier entry
  // whose data is the chunk (so chunks reuse the entry codec's bounds and sharing), then, if the
  // snapshot's membership is not the receiver's bootstrap one, a config entry holding it.
  install_snapshot = 8,
  // log_index = the snapshot the answer is about; context = bytes of it received so far (where
  // the next chunk starts); hint_index != 0: the follower now holds the log up to hint_index (it
  // installed the snapshot, or already had it), so the leader goes back to appends.
  install_snapshot_response = 9,
  // Leadership transfer (dissertation §3.10): the leader tells an up-to-date voter to campaign
  // now, skipping PreVote and the "heard from a leader recently" rule for this one election.
  timeout_now = 10,
};

const char* message_type_name(MessageType type);

// vote_request.context: this campaign answers a leader's TimeoutNow (leadership transfer), so a
// voter sets aside the "heard from a leader recently" rule (dissertation §3.10, §4.2.3).
constexpr std::uint64_t kForcedCampaign = 1;

struct Message {
  MessageType type = MessageType::heartbeat;
  NodeId from = kNoNode;
  NodeId to = kNoNode;
  Term term = 0;
  Index log_index = 0;
  Term log_term = 0;
  Index commit = 0;
  bool reject = false;
  Index hint_index = 0;
  Term hint_term = 0;
  std::uint64_t context = 0;
  std::vector<Entry> entries;

  friend bool operator==(const Message&, const Message&) = default;
  std::string describe() const;  // compact, for traces and diagrams
};

}  // namespace raftsim

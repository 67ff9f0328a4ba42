// raftsim: a simulated operator console. One AdminClient process runs on its own network node and
// sends administrative requests (AdminRequest: membership changes, leadership transfer) through
// the client protocol. A submission is a chain of requests sent one after the other (each once
// the previous is answered) on one session (kClientId + k, sequence), as an operator types them;
// up to kSessionsMax chains run at once (several operators), later ones wait. A session follows
// leader hints, retries a timeout with the same sequence at the next server (the session table
// applies a change at most once), and every request and its outcome go to an AdminHistory.
// submit() may be called between events (the scenario engine does): the chain starts from a
// timer event at the same virtual time.
// Limits: kSessionsMax sessions; kQueuedMax chains waiting for one (submit() refuses more).
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <span>
#include <vector>

#include "raft/io/runtime.h"
#include "raft/node/wire.h"
#include "sim/workload/admin_history.h"
#include "sim/workload/client_session.h"

namespace raftsim::sim {

// Admin requests wait longer than commands: a change waits for its entry to commit, a promotion
// for the learner to catch up, a transfer for the target to win its election.
inline ClientTiming default_admin_timing() {
  ClientTiming timing;
  timing.request_timeout = milliseconds(1000);
  timing.retry_backoff = milliseconds(20);
  timing.attempts_max = 100;
  timing.operation_timeout = seconds(20);
  return timing;
}

class AdminClient final : public Process {
 public:
  // Far above any workload client id (sessions per process times processes stay below 2^20).
  static constexpr std::uint64_t kClientId = std::uint64_t{1} << 40;
  static constexpr std::size_t kQueuedMax = 64;
  static constexpr std::size_t kSessionsMax = 4;
  static constexpr std::size_t kChainRequestsMax = 8;

  // is_server: whether a server slot has ever been started (an operator knows which servers
  // exist); a retry that goes round skips the others. Empty: every slot is tried.
  AdminClient(Runtime& runtime, std::uint32_t cluster_size, const ClientTiming& timing,
              AdminHistory& history, std::function<bool(NodeId)> is_server = {});

  void start() override {}
  void on_message(NodeId from, std::span<const std::uint8_t> payload) override;
  void on_timer(std::uint64_t tag) override;
  std::uint64_t state_hash() const override;

  // Queues a chain of 1..kChainRequestsMax requests, first sent to `leader_guess` (kNoNode:
  // server 0). False when the queue or the history is full.
  bool submit(std::vector<AdminRequest> chain, NodeId leader_guess);
  // Nothing in flight and nothing queued.
  bool idle() const;

 private:
  struct Chain {
    std::deque<AdminRequest> requests;
    NodeId leader_guess = kNoNode;
  };
  struct Session : ClientSession {
    std::deque<AdminRequest> rest;  // of its chain, after the request in flight
    bool start_scheduled = false;   // a step timer will start its chain
  };

  // Starts the next request of the session's chain, or the next queued chain.
  void start_next(Session& session);
  void send_attempt(Session& session);
  void retry(Session& session, NodeId hint);
  void finish(Session& session, AdminOutcome outcome, std::string reason, NodeId by);
  std::uint64_t index_of(const Session& session) const { return session.client_id - kClientId; }

  Runtime& runtime_;
  const std::uint32_t cluster_size_;
  const ClientTiming timing_;
  AdminHistory& history_;
  std::function<bool(NodeId)> is_server_;
  std::vector<Session> sessions_;
  std::deque<Chain> queued_;
  ClientRequest request_;
  ClientResponse response_;
  std::vector<std::uint8_t> send_buffer_;
};

}  // namespace raftsim::sim

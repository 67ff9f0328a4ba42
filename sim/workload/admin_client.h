// raftsim: a simulated operator console. One AdminClient process runs on its own network node and
// sends administrative requests (AdminRequest: membership changes, leadership transfer) through
// the client protocol, one at a time in the order they were submitted, under one session
// (kClientId, sequence): it follows leader hints, retries a timeout with the same sequence at the
// next server (the session table applies a change at most once), and records every request and
// its outcome in an AdminHistory. submit() may be called between events (the scenario engine
// does): the request leaves from a timer event at the same virtual time.
// Limits: kQueuedMax requests waiting behind the one in flight (submit() refuses more).
#pragma once

#include <cstdint>
#include <deque>
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

  AdminClient(Runtime& runtime, std::uint32_t cluster_size, const ClientTiming& timing,
              AdminHistory& history);

  void start() override {}
  void on_message(NodeId from, std::span<const std::uint8_t> payload) override;
  void on_timer(std::uint64_t tag) override;
  std::uint64_t state_hash() const override;

  // Queues `request`, first sent to `leader_guess` (kNoNode: server 0). False when the queue is
  // full or the history is.
  bool submit(const AdminRequest& request, NodeId leader_guess);
  // Nothing in flight and nothing queued.
  bool idle() const { return !session_.current && queued_.empty(); }

 private:
  struct Queued {
    AdminRequest request;
    NodeId leader_guess = kNoNode;
  };

  void start_next();
  void send_attempt();
  void retry(NodeId hint);
  void finish(AdminOutcome outcome, std::string reason, NodeId by);

  Runtime& runtime_;
  const std::uint32_t cluster_size_;
  const ClientTiming timing_;
  AdminHistory& history_;
  ClientSession session_;
  std::deque<Queued> queued_;
  bool start_scheduled_ = false;  // a step timer will start the next queued request
  ClientRequest request_;
  ClientResponse response_;
  std::vector<std::uint8_t> send_buffer_;
};

}  // namespace raftsim::sim

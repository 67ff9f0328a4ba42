// raftsim: simulated closed-loop KV clients. One KvClient process runs on its own network node
// and drives `sessions` independent client sessions (each its own client id), each of which
// issues one operation at a time (get / put / append / cas over a set of keys, by weight), sends
// it to the node it believes leads, follows leader hints, and on a timeout retries the same
// (client id, sequence) at the next node -- the session table makes a retry apply at most once.
// It records every operation in a History: ok with its output; fail only when the operation
// definitely had no effect (a read that gave up, a CAS that found another value); info when a
// write's fate is unknown when it gives up. Clients run on exact clocks, so their local
// time is virtual time and the history's timestamps are comparable across clients.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "jobqueue/kv/kv_store.h"
#include "raft/io/runtime.h"
#include "raft/node/wire.h"
#include "sim/kernel/random.h"
#include "sim/workload/history.h"

namespace raftsim::sim {

struct KvWorkload {
  std::uint32_t keys = 3;
  // Relative weights of get / put / append / cas.
  std::uint32_t get_weight = 4;
  std::uint32_t put_weight = 2;
  std::uint32_t append_weight = 3;
  std::uint32_t cas_weight = 1;
  Time request_timeout = milliseconds(300);
  Time think_time_max = milliseconds(5);      // pause between operations, uniform in [0, max]
  Time retry_backoff = milliseconds(20);      // before retrying when no leader is known
  std::uint32_t attempts_max = 100;           // tries per operation before giving up...
  Time operation_timeout = seconds(3);        // ...or this long after invoking it, if sooner
  std::uint64_t operations_max = UINT64_MAX;  // per session
  std::uint32_t sessions = 1;                 // concurrent sessions per client process
};

class KvClient final : public Process {
 public:
  static constexpr std::uint32_t kSessionsMax = 1 << 12;

  // Sessions get client ids first_client_id, first_client_id + 1, ...
  KvClient(Runtime& runtime, std::uint32_t cluster_size, std::uint64_t first_client_id,
           const KvWorkload& workload, History& history);

  void start() override;
  void on_message(NodeId from, std::span<const std::uint8_t> payload) override;
  void on_timer(std::uint64_t tag) override;
  std::uint64_t state_hash() const override;

  std::uint64_t completed() const;

 private:
  struct Session {
    std::uint64_t client_id = 0;
    NodeId target = 0;
    std::uint64_t sequence = 0;
    std::uint64_t completed = 0;
    std::uint64_t timer_generation = 0;  // timer tags carry it; stale timers are ignored
    std::optional<TimerId> timer;        // the one live timer, cancelled when superseded
    std::optional<std::size_t> current;  // history id of the operation in flight
    kv::Command command;
    std::uint32_t attempts = 0;
    Time invoked_at = 0;
    bool in_doubt = false;  // some attempt may have been proposed (timed out without answer)
  };

  void next_operation(Session& session);
  void send_attempt(Session& session);
  void finish(Session& session, OperationStatus status, std::string output = {});
  void retry(Session& session, NodeId hint);
  void start_timer(Session& session, Time after, std::uint64_t purpose);
  kv::Command draw_command(const Session& session);

  Runtime& runtime_;
  std::uint32_t cluster_size_;
  std::uint64_t first_client_id_;
  KvWorkload workload_;
  History& history_;
  Random random_;
  std::vector<Session> sessions_;
  // Buffers reused from one request or response to the next.
  ClientRequest request_;
  ClientResponse response_;
  kv::Reply reply_;
  std::vector<std::uint8_t> send_buffer_;
};

}  // namespace raftsim::sim

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
#include "sim/workload/client_session.h"
#include "sim/workload/history.h"

namespace raftsim::sim {

// A KV workload: ClientTiming's timeouts and retries, plus what the sessions ask.
struct KvWorkload : ClientTiming {
  std::uint32_t keys = 3;
  // Relative weights of get / put / append / cas.
  std::uint32_t get_weight = 4;
  std::uint32_t put_weight = 2;
  std::uint32_t append_weight = 3;
  std::uint32_t cas_weight = 1;
  Time think_time_max = milliseconds(5);      // pause between operations, uniform in [0, max]
  std::uint64_t operations_max = UINT64_MAX;  // per session
  std::uint32_t sessions = 1;                 // concurrent sessions per client process
};

class KvClient final : public Process {
 public:
  static constexpr std::uint32_t kSessionsMax = 1 << ClientSession::kSessionBits;

  // Sessions get client ids first_client_id, first_client_id + 1, ...
  KvClient(Runtime& runtime, std::uint32_t cluster_size, std::uint64_t first_client_id,
           const KvWorkload& workload, History& history);

  void start() override;
  void on_message(NodeId from, std::span<const std::uint8_t> payload) override;
  void on_timer(std::uint64_t tag) override;
  std::uint64_t state_hash() const override;

  std::uint64_t completed() const;

 private:
  struct Session : ClientSession {
    std::uint64_t completed = 0;
    std::optional<std::size_t> current;  // history id of the operation in flight
    kv::Command command;
  };

  void next_operation(Session& session);
  void send_attempt(Session& session);
  // output: what the system answered, if anything (a failed cas without one observed nothing).
  void finish(Session& session, OperationStatus status,
              std::optional<std::string> output = std::nullopt);
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

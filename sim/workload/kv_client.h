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
#include "sim/workload/session_client.h"

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

struct KvSession : ClientSession {
  std::uint64_t completed = 0;
  kv::Command command;
};

class KvClient final : public SessionClient<KvSession> {
 public:
  static constexpr std::uint32_t kSessionsMax = 1 << ClientSession::kSessionBits;

  // Sessions get client ids first_client_id, first_client_id + 1, ...
  KvClient(Runtime& runtime, std::uint32_t cluster_size, std::uint64_t first_client_id,
           const KvWorkload& workload, History& history);

  void start() override;
  std::uint64_t state_hash() const override;

  std::uint64_t completed() const;
  // Before the process crashes: every operation in flight ends as unknown (info) now -- an
  // attempt already sent may still commit -- and nothing more is sent (the crash follows).
  void end_in_flight_as_unknown();

 private:
  using Session = KvSession;

  void fill_request(Session& session, ClientRequest& request) override;
  void on_applied(Session& session, std::span<const std::uint8_t> reply) override;
  void give_up(Session& session) override;
  void on_session_timer(Session& session, std::uint64_t purpose) override;

  void next_operation(Session& session);
  // output: what the system answered, if anything (a failed cas without one observed nothing).
  void finish(Session& session, OperationStatus status,
              std::optional<std::string> output = std::nullopt);
  kv::Command draw_command(const Session& session);

  KvWorkload workload_;
  History& history_;
  Random random_;
  kv::Reply reply_;  // reused from one answer to the next
};

}  // namespace raftsim::sim

// raftsim: simulated producers and workers of the replicated job queue. One QueueClient process
// runs `producers + workers` sessions, each its own client id with one request in flight, which
// follow leader hints and retry on timeouts like the KV clients (the session table applies a
// retried command at most once). Producers enqueue jobs (some with idempotency keys, and a keyed
// enqueue that gave up unanswered is sent again as a new request, which only the key dedupes);
// workers lease, work while heartbeating every half lease, then complete or fail -- and sometimes
// abandon a job (a worker crash) or stall past their lease and complete late with a stale token.
// A scenario can also stall workers at a chosen time (stall_workers) or crash the whole process
// (end_in_flight_as_unknown, then the host's crash).
// Every request is recorded in a QueueHistory for the queue checker.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "jobqueue/queue/codec.h"
#include "raft/io/runtime.h"
#include "sim/kernel/random.h"
#include "sim/workload/client_session.h"
#include "sim/workload/kv_client.h"  // KvWorkload: timeouts, retries and think time
#include "sim/workload/queue_history.h"
#include "sim/workload/session_client.h"

namespace raftsim::sim {

struct QueueWorkload {
  std::uint32_t producers = 1;  // sessions per client process that enqueue
  std::uint32_t workers = 2;    // sessions per client process that lease and work
  std::uint64_t jobs_per_producer = 100;
  std::uint32_t keyed_percent = 50;  // enqueues that carry an idempotency key
  // A producer re-sends one of its last keyed enqueues as a new request (an upstream that
  // redelivers): its key must return the first job, whatever happened to the cluster meanwhile.
  std::uint32_t resend_percent = 0;
  std::uint32_t priorities = 3;  // priorities drawn from [0, priorities)
  std::uint32_t max_attempts = 5;
  // When 1..max_attempts - 1: each job's max_attempts is drawn from [max_attempts_min,
  // max_attempts] (1 = jobs that dead-letter on their first failure). 0: every job max_attempts.
  std::uint32_t max_attempts_min = 0;
  // Enqueues that carry not_before = the producer's wall clock + a delay drawn from
  // [delay_min, delay_max]. The queue reads not_before on its own clock (the leader's wall clock
  // stamped on the command), so under skew the delay the job really waits differs; the checker
  // judges leases against not_before itself, in state-machine time.
  std::uint32_t delayed_percent = 0;
  Time delay_min = milliseconds(50), delay_max = milliseconds(500);
  Time lease = milliseconds(500);
  Time work_min = milliseconds(10), work_max = milliseconds(200);
  std::uint32_t fail_percent = 10;        // a worker reports failure instead of completing
  std::uint32_t abandon_percent = 3;      // a worker crashes holding the job (never answers)
  std::uint32_t stall_percent = 3;        // a worker stalls for two leases, then completes
  Time poll_interval = milliseconds(20);  // an empty lease is retried after this
};

struct QueueSession : ClientSession {
  bool producer = false;
  queue::Command command;
  std::uint64_t produced = 0;
  bool retry_enqueue = false;  // the last keyed enqueue gave up unanswered: send it again
  std::vector<queue::Command> keyed_sent;  // the last kKeyedRemembered keyed enqueues
  // Worker: the job held, its token, the work still to do and how it will end.
  queue::JobId job = 0;
  queue::Token token = 0;
  Time work_left = 0;
  bool will_fail = false;
  // A scheduled stall (stall_workers): until then the worker's own steps wait (no lease, no
  // heartbeat, no completion); requests already in flight still run to their answer.
  Time stalled_until = 0;
};

class QueueClient final : public SessionClient<QueueSession> {
 public:
  static constexpr std::uint32_t kSessionsMax = 1 << ClientSession::kSessionBits;
  static constexpr std::size_t kKeyedRemembered = 16;  // candidates for resend_percent

  QueueClient(Runtime& runtime, std::uint32_t cluster_size, std::uint64_t first_client_id,
              const KvWorkload& timing, const QueueWorkload& workload, QueueHistory& history);

  void start() override;
  std::uint64_t state_hash() const override;

  // Before the process crashes: every request in flight ends as unknown (info) now. A worker
  // holding a lease just stops, as an abandoned job does: the lease has to expire.
  void end_in_flight_as_unknown();
  // The first `workers` worker sessions (0: every one) stall for `duration` from now: their next
  // lease, heartbeat or completion waits until the stall ends, then goes out with the token they
  // held (so a lease that ran out meanwhile meets the queue's fencing). Returns how many stall.
  std::uint32_t stall_workers(Time duration, std::uint32_t workers);

 private:
  using Session = QueueSession;

  void fill_request(Session& session, ClientRequest& request) override;
  void on_applied(Session& session, std::span<const std::uint8_t> reply) override;
  void give_up(Session& session) override;
  void on_session_timer(Session& session, std::uint64_t purpose) override;

  void begin_request(Session& session, queue::Command command);
  void finish(Session& session, QueueOperationStatus status, QueueReply reply);
  void after_reply(Session& session, const std::optional<queue::Reply>& reply);
  void next_step(Session& session);
  void work(Session& session);
  void drop_job(Session& session, Time pause);
  // During a stall: re-arms the session's timer for `purpose` at the stall's end; true if so.
  bool postpone_while_stalled(Session& session, std::uint64_t purpose);

  KvWorkload timing_;
  QueueWorkload workload_;
  QueueHistory& history_;
  Random random_;
};

}  // namespace raftsim::sim

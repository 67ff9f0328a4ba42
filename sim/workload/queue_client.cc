#include "sim/workload/queue_client.h"

#include <algorithm>

#include "raft/base/check.h"
#include "raft/base/hash.h"
#include "raft/node/wire.h"

namespace raftsim::sim {

namespace {
constexpr std::uint64_t kStepTimer = ClientSession::kStepTimer;
constexpr std::uint64_t kWorkTimer = ClientSession::kWorkTimer;

QueueOp history_op(queue::Op op) {
  switch (op) {
    case queue::Op::enqueue:
      return QueueOp::enqueue;
    case queue::Op::lease:
      return QueueOp::lease;
    case queue::Op::heartbeat:
      return QueueOp::heartbeat;
    case queue::Op::complete:
      return QueueOp::complete;
    case queue::Op::fail:
      return QueueOp::fail;
    case queue::Op::cancel:
    case queue::Op::get:
      return QueueOp::cancel;
  }
  RAFTSIM_UNREACHABLE("unknown queue op");
}

bool chance_percent(Random& random, std::uint32_t percent) {
  return percent > 0 && random.chance(Ratio::percent(percent));
}
}  // namespace

QueueClient::QueueClient(Runtime& runtime, std::uint32_t cluster_size,
                         std::uint64_t first_client_id, const KvWorkload& timing,
                         const QueueWorkload& workload, QueueHistory& history)
    : SessionClient(runtime, cluster_size, first_client_id, timing,
                    workload.producers + workload.workers),
      timing_(timing),
      workload_(workload),
      history_(history),
      random_(runtime.random_seed()) {
  RAFTSIM_CHECK(workload.priorities >= 1 && workload.max_attempts >= 1 && workload.lease > 0);
  RAFTSIM_CHECK(workload.work_min <= workload.work_max);
  RAFTSIM_CHECK(workload.max_attempts_min <= workload.max_attempts);
  RAFTSIM_CHECK(workload.delay_min >= 0 && workload.delay_min <= workload.delay_max);
  for (std::uint32_t index = 0; index < workload.producers; ++index) {
    sessions_[index].producer = true;
  }
}

void QueueClient::end_in_flight_as_unknown() {
  for (Session& session : sessions_) {
    if (!session.current) continue;
    history_.end(*session.current, QueueOperationStatus::info, runtime_.monotonic_now_ns(), {});
    session.current.reset();
  }
}

std::uint32_t QueueClient::stall_workers(Time duration, std::uint32_t workers) {
  RAFTSIM_CHECK(duration > 0);
  const Time until = runtime_.monotonic_now_ns() + duration;
  std::uint32_t stalled = 0;
  for (Session& session : sessions_) {
    if (session.producer || (workers != 0 && stalled >= workers)) continue;
    session.stalled_until = std::max(session.stalled_until, until);
    ++stalled;
  }
  return stalled;
}

bool QueueClient::postpone_while_stalled(Session& session, std::uint64_t purpose) {
  const Time now = runtime_.monotonic_now_ns();
  if (session.producer || session.current || now >= session.stalled_until) return false;
  start_timer(session, session.stalled_until - now, purpose);
  return true;
}

void QueueClient::start() {
  for (Session& session : sessions_) next_step(session);
}

void QueueClient::next_step(Session& session) {
  if (session.producer) {
    if (session.retry_enqueue) {
      // The last enqueue's fate is unknown: send it again as a new request. Only its
      // idempotency key can stop it from creating a second job now.
      session.retry_enqueue = false;
      begin_request(session, session.command);
      return;
    }
    if (session.produced >= workload_.jobs_per_producer) return;
    if (!session.keyed_sent.empty() && workload_.resend_percent > 0 &&
        chance_percent(random_, workload_.resend_percent)) {
      begin_request(session, session.keyed_sent[random_.below(session.keyed_sent.size())]);
      return;
    }
    ++session.produced;
    const std::string name =
        "p" + std::to_string(session.client_id) + "-" + std::to_string(session.produced);
    std::optional<std::string> key;
    if (chance_percent(random_, workload_.keyed_percent)) key = name;
    const auto priority = static_cast<std::uint8_t>(random_.below(workload_.priorities));
    // The two timing knobs draw only when set, so runs without them keep their random stream.
    std::uint32_t max_attempts = workload_.max_attempts;
    if (workload_.max_attempts_min > 0 && workload_.max_attempts_min < max_attempts) {
      max_attempts = static_cast<std::uint32_t>(
          random_.between(workload_.max_attempts_min, workload_.max_attempts));
    }
    std::optional<std::uint64_t> not_before;
    if (chance_percent(random_, workload_.delayed_percent)) {
      const Time delay = random_.between(workload_.delay_min, workload_.delay_max);
      not_before = static_cast<std::uint64_t>(std::max<Time>(runtime_.wall_now_ns(), 0) + delay);
    }
    queue::Command enqueue = queue::Command::enqueue(name, priority, max_attempts, key);
    enqueue.not_before_ns = not_before;
    if (key) {
      if (session.keyed_sent.size() >= kKeyedRemembered) {
        session.keyed_sent.erase(session.keyed_sent.begin());
      }
      session.keyed_sent.push_back(enqueue);
    }
    begin_request(session, std::move(enqueue));
    return;
  }
  begin_request(session, queue::Command::lease(session.client_id,
                                               static_cast<std::uint64_t>(workload_.lease)));
}

void QueueClient::begin_request(Session& session, queue::Command command) {
  open_request(session);
  session.command = std::move(command);
  QueueOperation operation;
  operation.client = session.client_id;
  operation.op = history_op(session.command.op);
  QueueArguments& arguments = operation.arguments;
  arguments.payload = session.command.payload;
  arguments.priority = session.command.priority;
  arguments.idempotency_key = session.command.idempotency_key;
  arguments.max_attempts = session.command.max_attempts;
  if (session.command.not_before_ns) {
    arguments.not_before = static_cast<Time>(*session.command.not_before_ns);
  }
  arguments.job_id = session.command.job_id;
  arguments.token = session.command.token;
  arguments.lease_duration = static_cast<Time>(session.command.lease_ns);
  record_and_send(session, history_, std::move(operation));
}

void QueueClient::fill_request(Session& session, ClientRequest& request) {
  request.read_only = false;
  request.payload = queue::encode_command(session.command);
}

void QueueClient::finish(Session& session, QueueOperationStatus status, QueueReply reply) {
  RAFTSIM_CHECK(session.current.has_value());
  history_.end(*session.current, status, runtime_.monotonic_now_ns(), std::move(reply));
  session.current.reset();
  ++session.timer_generation;  // any timeout still pending is now stale
}

void QueueClient::give_up(Session& session) {
  finish(session, session.in_doubt ? QueueOperationStatus::info : QueueOperationStatus::fail, {});
  after_reply(session, std::nullopt);
}

void QueueClient::drop_job(Session& session, Time pause) {
  session.job = 0;
  session.token = 0;
  start_timer(session, pause, kStepTimer);
}

// What a session does once its request has an outcome (nullopt: it gave up without one).
void QueueClient::after_reply(Session& session, const std::optional<queue::Reply>& reply) {
  const Time think = random_.between(0, timing_.think_time_max);
  if (session.producer) {
    session.retry_enqueue = !reply && session.command.idempotency_key.has_value();
    start_timer(session, think, kStepTimer);
    return;
  }
  const bool ok = reply && reply->outcome == queue::Outcome::ok;
  switch (session.command.op) {
    case queue::Op::lease: {
      if (!ok) {
        drop_job(session, reply && reply->outcome == queue::Outcome::empty ? workload_.poll_interval
                                                                           : think);
        return;
      }
      session.job = reply->job.job_id;
      session.token = reply->job.attempt;
      if (chance_percent(random_, workload_.abandon_percent)) {
        drop_job(session, workload_.lease);  // crashed holding it: the lease has to expire
        return;
      }
      session.will_fail = chance_percent(random_, workload_.fail_percent);
      if (chance_percent(random_, workload_.stall_percent)) {
        // A long pause (GC, swap) with no heartbeat: it completes after its lease ran out.
        session.work_left = 0;
        start_timer(session, 2 * workload_.lease, kWorkTimer);
        return;
      }
      session.work_left = random_.between(workload_.work_min, workload_.work_max);
      work(session);
      return;
    }
    case queue::Op::heartbeat:
      if (ok) {
        work(session);
      } else {
        drop_job(session, think);  // lost the lease: someone else may hold the job now
      }
      return;
    default:  // complete, fail
      drop_job(session, think);
      return;
  }
}

// Works in slices of half a lease, heartbeating between them; then completes or fails.
void QueueClient::work(Session& session) {
  if (postpone_while_stalled(session, kWorkTimer)) return;
  if (session.work_left <= 0) {
    begin_request(session, session.will_fail
                               ? queue::Command::fail(session.job, session.token)
                               : queue::Command::complete(session.job, session.token));
    return;
  }
  const Time slice = std::min(session.work_left, workload_.lease / 2);
  session.work_left -= slice;
  start_timer(session, slice, kWorkTimer);
}

void QueueClient::on_applied(Session& session, std::span<const std::uint8_t> payload) {
  auto reply = queue::decode_reply(payload);
  RAFTSIM_CHECK_MSG(reply.has_value(), "a node sent an undecodable queue reply");
  QueueReply recorded;
  QueueOperationStatus status = QueueOperationStatus::ok;
  switch (reply->outcome) {
    case queue::Outcome::ok:
      recorded.job_id = reply->job.job_id;
      recorded.created = reply->created;
      recorded.attempt = reply->job.attempt;
      recorded.lease_expires = static_cast<Time>(reply->job.lease_expires_ns);
      if (session.command.op == queue::Op::lease) {
        recorded.enqueued = static_cast<Time>(reply->job.enqueued_ns);
      }
      break;
    case queue::Outcome::empty:
      recorded.empty = true;
      break;
    default:
      status = QueueOperationStatus::fail;  // refused by the queue: no effect
      recorded.note = queue::outcome_name(reply->outcome);
      break;
  }
  finish(session, status, std::move(recorded));
  after_reply(session, reply);
}

void QueueClient::on_session_timer(Session& session, std::uint64_t purpose) {
  if (postpone_while_stalled(session, purpose)) return;
  if (purpose == kStepTimer) {
    if (!session.current) next_step(session);
    return;
  }
  RAFTSIM_CHECK(purpose == kWorkTimer);
  if (session.current) return;
  if (session.work_left > 0) {
    begin_request(session, queue::Command::heartbeat(session.job, session.token,
                                                     static_cast<std::uint64_t>(workload_.lease)));
  } else {
    work(session);
  }
}

std::uint64_t QueueClient::state_hash() const {
  // stalled_until is left out: it is 0 unless a scenario stalls workers, and every trace hash
  // without a stall stays as it was.
  Hasher hasher;
  for (const Session& session : sessions_) {
    hasher.add(session.client_id).add(session.sequence).add(session.produced);
    hasher.add(session.target).add(session.attempts).add(session.job).add(session.token);
  }
  return hasher.value();
}

}  // namespace raftsim::sim

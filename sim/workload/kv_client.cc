#include "sim/workload/kv_client.h"

#include "raft/base/check.h"
#include "raft/base/hash.h"

namespace raftsim::sim {

KvClient::KvClient(Runtime& runtime, std::uint32_t cluster_size, std::uint64_t first_client_id,
                   const KvWorkload& workload, History& history)
    : SessionClient(runtime, cluster_size, first_client_id, workload, workload.sessions),
      workload_(workload),
      history_(history),
      random_(runtime.random_seed()) {
  RAFTSIM_CHECK(workload.keys >= 1);
}

std::uint64_t KvClient::completed() const {
  std::uint64_t total = 0;
  for (const Session& session : sessions_) total += session.completed;
  return total;
}

void KvClient::end_in_flight_as_unknown() {
  for (Session& session : sessions_) {
    if (!session.current) continue;
    history_.end(*session.current, OperationStatus::info, runtime_.monotonic_now_ns());
    session.current.reset();
  }
}

void KvClient::start() {
  for (Session& session : sessions_) next_operation(session);
}

kv::Command KvClient::draw_command(const Session& session) {
  const std::uint32_t total =
      workload_.get_weight + workload_.put_weight + workload_.append_weight + workload_.cas_weight;
  RAFTSIM_CHECK(total > 0);
  std::uint64_t pick = random_.below(total);
  kv::Command command;
  command.key = "k" + std::to_string(random_.below(workload_.keys));
  // Unique values make histories easy to check: each write is identifiable by what it wrote.
  const std::string unique =
      "c" + std::to_string(session.client_id) + "s" + std::to_string(session.sequence);
  if (pick < workload_.get_weight) {
    command.op = kv::Op::get;
  } else if ((pick -= workload_.get_weight) < workload_.put_weight) {
    command.op = kv::Op::put;
    command.value = unique;
  } else if ((pick -= workload_.put_weight) < workload_.append_weight) {
    command.op = kv::Op::append;
    command.value = unique + ";";
  } else {
    command.op = kv::Op::cas;
    command.expected = random_.chance(Ratio{1, 2}) ? std::string() : "c0s1";
    command.value = unique;
  }
  return command;
}

void KvClient::next_operation(Session& session) {
  session.current.reset();
  if (session.completed >= workload_.operations_max) return;
  open_request(session);
  session.command = draw_command(session);
  RecordedOperation operation;
  operation.client = session.client_id;
  operation.sequence = session.sequence;
  operation.op = kv::op_name(session.command.op);
  operation.key = session.command.key;
  operation.value = session.command.value;
  operation.expected = session.command.expected;
  record_and_send(session, history_, std::move(operation));
}

void KvClient::fill_request(Session& session, ClientRequest& request) {
  request.read_only = session.command.op == kv::Op::get;
  request.payload.clear();
  kv::encode_command_into(session.command, request.payload);
}

void KvClient::finish(Session& session, OperationStatus status, std::optional<std::string> output) {
  RAFTSIM_CHECK(session.current.has_value());
  history_.end(*session.current, status, runtime_.monotonic_now_ns(), std::move(output));
  session.current.reset();
  ++session.completed;
  ++session.timer_generation;  // any timeout still pending is now stale
  start_timer(session, random_.between(0, workload_.think_time_max), ClientSession::kStepTimer);
}

void KvClient::give_up(Session& session) {
  // Reads and definitely-unapplied writes have no effect; otherwise the outcome is unknown.
  const bool no_effect = session.command.op == kv::Op::get || !session.in_doubt;
  finish(session, no_effect ? OperationStatus::fail : OperationStatus::info);
}

void KvClient::on_applied(Session& session, std::span<const std::uint8_t> payload) {
  const bool decoded = kv::decode_reply_into(payload, reply_);
  RAFTSIM_CHECK_MSG(decoded, "a node sent an undecodable KV reply");
  if (reply_.outcome == kv::Outcome::ok) {
    finish(session, OperationStatus::ok,
           session.command.op == kv::Op::get ? std::optional(reply_.value) : std::nullopt);
  } else if (reply_.outcome == kv::Outcome::cas_mismatch) {
    finish(session, OperationStatus::fail, reply_.value);
  } else {
    finish(session, OperationStatus::fail);  // refused by the state machine: no effect
  }
}

void KvClient::on_session_timer(Session& session, std::uint64_t purpose) {
  RAFTSIM_CHECK_MSG(purpose == ClientSession::kStepTimer, "a KV client has no work timer");
  next_operation(session);
}

std::uint64_t KvClient::state_hash() const {
  Hasher hasher;
  for (const Session& session : sessions_) {
    hasher.add(session.client_id).add(session.sequence).add(session.completed);
    hasher.add(session.target).add(session.attempts);
  }
  return hasher.value();
}

}  // namespace raftsim::sim

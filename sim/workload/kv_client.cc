#include "sim/workload/kv_client.h"

#include "raft/base/check.h"
#include "raft/base/hash.h"

namespace raftsim::sim {

KvClient::KvClient(Runtime& runtime, std::uint32_t cluster_size, std::uint64_t first_client_id,
                   const KvWorkload& workload, History& history)
    : runtime_(runtime),
      cluster_size_(cluster_size),
      first_client_id_(first_client_id),
      workload_(workload),
      history_(history),
      random_(runtime.random_seed()) {
  RAFTSIM_CHECK(cluster_size >= 1 && workload.keys >= 1 && workload.attempts_max >= 1);
  RAFTSIM_CHECK(workload.sessions >= 1 && workload.sessions <= kSessionsMax);
  sessions_.resize(workload.sessions);
  for (std::uint32_t index = 0; index < workload.sessions; ++index) {
    sessions_[index].client_id = first_client_id + index;
    sessions_[index].target = static_cast<NodeId>((first_client_id + index) % cluster_size);
  }
}

std::uint64_t KvClient::completed() const {
  std::uint64_t total = 0;
  for (const Session& session : sessions_) total += session.completed;
  return total;
}

void KvClient::start() {
  for (Session& session : sessions_) next_operation(session);
}

void KvClient::start_timer(Session& session, Time after, std::uint64_t purpose) {
  start_session_timer(runtime_, session, session.client_id - first_client_id_, after, purpose);
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
  ++session.sequence;
  session.command = draw_command(session);
  session.attempts = 0;
  session.in_doubt = false;
  RecordedOperation operation;
  operation.client = session.client_id;
  operation.sequence = session.sequence;
  operation.op = kv::op_name(session.command.op);
  operation.key = session.command.key;
  operation.value = session.command.value;
  operation.expected = session.command.expected;
  operation.invoke_time = runtime_.monotonic_now_ns();
  session.invoked_at = operation.invoke_time;
  session.current = history_.begin(std::move(operation));
  if (!session.current) return;  // history full: this session stops
  send_attempt(session);
}

void KvClient::send_attempt(Session& session) {
  request_.read_only = session.command.op == kv::Op::get;
  request_.payload.clear();
  kv::encode_command_into(session.command, request_.payload);
  send_session_attempt(runtime_, session, session.client_id - first_client_id_, request_,
                       send_buffer_, workload_);
}

void KvClient::finish(Session& session, OperationStatus status, std::optional<std::string> output) {
  RAFTSIM_CHECK(session.current.has_value());
  history_.end(*session.current, status, runtime_.monotonic_now_ns(), std::move(output));
  session.current.reset();
  ++session.completed;
  ++session.timer_generation;  // any timeout still pending is now stale
  start_timer(session, random_.between(0, workload_.think_time_max), ClientSession::kStepTimer);
}

void KvClient::retry(Session& session, NodeId hint) {
  switch (next_retry(session, hint, runtime_.monotonic_now_ns(), workload_, cluster_size_)) {
    case RetryStep::give_up: {
      // Reads and definitely-unapplied writes have no effect; otherwise the outcome is unknown.
      const bool no_effect = session.command.op == kv::Op::get || !session.in_doubt;
      finish(session, no_effect ? OperationStatus::fail : OperationStatus::info);
      return;
    }
    case RetryStep::resend_now:
      send_attempt(session);
      return;
    case RetryStep::back_off:
      start_timer(session, workload_.retry_backoff, ClientSession::kBackoffTimer);
      return;
  }
}

void KvClient::on_message(NodeId from, std::span<const std::uint8_t> payload) {
  if (!decode_client_response_into(payload, response_)) return;  // noise
  const ClientResponse* response = &response_;
  const auto index =
      session_of_response(*response, from, first_client_id_, sessions_.size(), cluster_size_);
  if (!index) return;  // noise
  Session& session = sessions_[*index];
  if (!session.current || response->sequence != session.sequence) return;  // a late answer
  switch (response->status) {
    case ClientStatus::ok: {
      const bool decoded = kv::decode_reply_into(response->payload, reply_);
      RAFTSIM_CHECK_MSG(decoded, "a node sent an undecodable KV reply");
      const kv::Reply* reply = &reply_;
      if (reply->outcome == kv::Outcome::ok) {
        finish(session, OperationStatus::ok,
               session.command.op == kv::Op::get ? std::optional(reply->value) : std::nullopt);
      } else if (reply->outcome == kv::Outcome::cas_mismatch) {
        finish(session, OperationStatus::fail, reply->value);
      } else {
        finish(session, OperationStatus::fail);  // refused by the state machine: no effect
      }
      return;
    }
    case ClientStatus::not_leader:
    case ClientStatus::busy:
    case ClientStatus::failed:
      // Definitely not applied by this attempt; try again (same sequence: at most once).
      retry(session, response->leader_hint);
      return;
  }
}

void KvClient::on_timer(std::uint64_t tag) {
  const TimerTag decoded = decode_timer_tag(tag);
  RAFTSIM_CHECK(decoded.session < sessions_.size());
  Session& session = sessions_[decoded.session];
  if (decoded.generation != session.timer_generation) return;  // superseded
  session.timer.reset();
  switch (decoded.purpose) {
    case ClientSession::kStepTimer:
      next_operation(session);
      return;
    case ClientSession::kBackoffTimer:
      if (session.current) send_attempt(session);
      return;
    case ClientSession::kTimeoutTimer:
      if (!session.current) return;
      session.in_doubt = true;  // no answer: the attempt may have been proposed and may commit
      retry(session, kNoNode);
      return;
  }
  RAFTSIM_UNREACHABLE("unknown client timer");
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

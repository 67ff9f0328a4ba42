#include "sim/workload/kv_client.h"

#include "raft/util/check.h"
#include "raft/util/hash.h"

namespace raftsim::sim {

namespace {
// Timer tags: the low two bits say what the timer is for, the rest is the generation, so a
// timer set for an attempt that has since been answered is recognised and ignored.
constexpr std::uint64_t kTimeoutTimer = 0;
constexpr std::uint64_t kStartTimer = 1;
constexpr std::uint64_t kBackoffTimer = 2;

std::uint64_t timer_tag(std::uint64_t generation, std::uint64_t purpose) {
  return (generation << 2) | purpose;
}
}  // namespace

KvClient::KvClient(Runtime& runtime, std::uint32_t cluster_size, std::uint64_t client_id,
                   const KvWorkload& workload, History& history)
    : runtime_(runtime),
      cluster_size_(cluster_size),
      client_id_(client_id),
      workload_(workload),
      history_(history),
      random_(runtime.random_seed()) {
  RAFTSIM_CHECK(cluster_size >= 1 && workload.keys >= 1 && workload.attempts_max >= 1);
  target_ = static_cast<NodeId>(client_id % cluster_size);
}

void KvClient::start() {
  next_operation();
}

kv::Command KvClient::draw_command() {
  const std::uint32_t total =
      workload_.get_weight + workload_.put_weight + workload_.append_weight + workload_.cas_weight;
  RAFTSIM_CHECK(total > 0);
  std::uint64_t pick = random_.below(total);
  kv::Command command;
  command.key = "k" + std::to_string(random_.below(workload_.keys));
  // Unique values make histories easy to check: each write is identifiable by what it wrote.
  const std::string unique = "c" + std::to_string(client_id_) + "s" + std::to_string(sequence_);
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

void KvClient::next_operation() {
  current_.reset();
  if (completed_ >= workload_.operations_max) return;
  ++sequence_;
  command_ = draw_command();
  attempts_ = 0;
  in_doubt_ = false;
  RecordedOperation operation;
  operation.client = client_id_;
  operation.sequence = sequence_;
  operation.op = kv::op_name(command_.op);
  operation.key = command_.key;
  operation.value = command_.value;
  operation.expected = command_.expected;
  operation.invoke_time = runtime_.monotonic_now_ns();
  invoked_at_ = operation.invoke_time;
  current_ = history_.begin(operation);
  if (!current_) return;  // history full: this client stops
  send_attempt();
}

void KvClient::send_attempt() {
  ++attempts_;
  ClientRequest request;
  request.client_id = client_id_;
  request.sequence = sequence_;
  request.read_only = command_.op == kv::Op::get;
  request.payload = kv::encode_command(command_);
  runtime_.send(target_, encode_client_request(request));
  runtime_.start_timer(workload_.request_timeout, timer_tag(++timer_generation_, kTimeoutTimer));
}

void KvClient::finish(OperationStatus status, std::string output) {
  RAFTSIM_CHECK(current_.has_value());
  history_.end(*current_, status, runtime_.monotonic_now_ns(), std::move(output));
  current_.reset();
  ++completed_;
  ++timer_generation_;  // any timeout still pending is now stale
  const Time think = random_.between(0, workload_.think_time_max);
  runtime_.start_timer(think, timer_tag(timer_generation_, kStartTimer));
}

void KvClient::retry(NodeId hint) {
  ++timer_generation_;
  const bool out_of_time =
      runtime_.monotonic_now_ns() - invoked_at_ >= workload_.operation_timeout;
  if (attempts_ >= workload_.attempts_max || out_of_time) {
    // Reads and definitely-unapplied writes have no effect; otherwise the outcome is unknown.
    const bool no_effect = command_.op == kv::Op::get || !in_doubt_;
    finish(no_effect ? OperationStatus::fail : OperationStatus::info);
    return;
  }
  if (hint != kNoNode && hint < cluster_size_ && hint != target_) {
    target_ = hint;
    send_attempt();
    return;
  }
  target_ = (target_ + 1) % cluster_size_;
  runtime_.start_timer(workload_.retry_backoff, timer_tag(timer_generation_, kBackoffTimer));
}

void KvClient::on_message(NodeId from, std::span<const std::uint8_t> payload) {
  auto response = decode_client_response(payload);
  if (!response || !current_ || response->client_id != client_id_ ||
      response->sequence != sequence_ || from >= cluster_size_) {
    return;  // a late answer to an operation already finished, or noise
  }
  switch (response->status) {
    case ClientStatus::ok: {
      auto reply = kv::decode_reply(response->payload);
      RAFTSIM_CHECK_MSG(reply.has_value(), "a node sent an undecodable KV reply");
      if (reply->outcome == kv::Outcome::ok) {
        finish(OperationStatus::ok, command_.op == kv::Op::get ? reply->value : std::string());
      } else if (reply->outcome == kv::Outcome::cas_mismatch) {
        finish(OperationStatus::fail, reply->value);
      } else {
        finish(OperationStatus::fail);  // refused by the state machine: no effect
      }
      return;
    }
    case ClientStatus::not_leader:
    case ClientStatus::busy:
    case ClientStatus::failed:
      // Definitely not applied by this attempt; try again (same sequence: at most once).
      retry(response->leader_hint);
      return;
  }
}

void KvClient::on_timer(std::uint64_t tag) {
  if ((tag >> 2) != timer_generation_) return;  // superseded
  switch (tag & 3) {
    case kStartTimer:
      next_operation();
      return;
    case kBackoffTimer:
      if (current_) send_attempt();
      return;
    case kTimeoutTimer:
      if (!current_) return;
      in_doubt_ = true;  // no answer: the attempt may have been proposed and may still commit
      retry(kNoNode);
      return;
  }
  RAFTSIM_UNREACHABLE("unknown client timer");
}

std::uint64_t KvClient::state_hash() const {
  return Hasher()
      .add(client_id_)
      .add(sequence_)
      .add(completed_)
      .add(target_)
      .add(attempts_)
      .value();
}

}  // namespace raftsim::sim

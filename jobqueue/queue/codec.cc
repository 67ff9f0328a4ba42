// raftsim: encoding and decoding of job-queue commands and replies (layout in codec.h).
// Decoders check every length against the remaining bytes and the wire bounds before reading,
// and require that nothing trails the last field.
#include "jobqueue/queue/codec.h"
#include "jobqueue/queue/wire_strings.h"

#include <utility>

#include "raft/base/byte_codec.h"
#include "raft/base/check.h"

namespace raftsim::queue {
namespace {

bool read_bool(ByteReader& reader, bool& value) {
  std::uint8_t byte = 0;
  if (!reader.read_u8(byte) || byte > 1) return false;
  value = byte == 1;
  return true;
}

bool lease_ns_valid(std::uint64_t lease_ns) {
  return lease_ns >= 1 && lease_ns <= kLeaseNsMax;
}

bool decode_enqueue(ByteReader& reader, Command& command) {
  bool has_key = false;
  bool has_not_before = false;
  if (!reader.read_u8(command.priority) || !reader.read_u32(command.max_attempts) ||
      !read_bool(reader, has_key)) {
    return false;
  }
  if (command.max_attempts < 1 || command.max_attempts > kAttemptsMax) return false;
  if (has_key) {
    std::string key;
    if (!read_string(reader, key, kWireBytesFactor * kIdempotencyKeyBytesMax) || key.empty()) {
      return false;
    }
    command.idempotency_key = std::move(key);
  }
  if (!read_bool(reader, has_not_before)) return false;
  if (has_not_before) {
    std::uint64_t not_before = 0;
    if (!reader.read_u64(not_before)) return false;
    command.not_before_ns = not_before;
  }
  return read_string(reader, command.payload, kWireBytesFactor * kPayloadBytesMax);
}

bool decode_body(ByteReader& reader, Command& command) {
  switch (command.op) {
    case Op::enqueue:
      return decode_enqueue(reader, command);
    case Op::lease:
      return reader.read_u64(command.worker_id) && reader.read_u64(command.lease_ns) &&
             lease_ns_valid(command.lease_ns);
    case Op::heartbeat:
      return reader.read_u64(command.job_id) && reader.read_u32(command.token) &&
             reader.read_u64(command.lease_ns) && lease_ns_valid(command.lease_ns);
    case Op::complete:
      return reader.read_u64(command.job_id) && reader.read_u32(command.token) &&
             read_string(reader, command.result, kWireBytesFactor * kResultBytesMax);
    case Op::fail:
      return reader.read_u64(command.job_id) && reader.read_u32(command.token) &&
             read_string(reader, command.reason, kWireBytesFactor * kReasonBytesMax);
    case Op::cancel:
    case Op::get:
      return reader.read_u64(command.job_id);
  }
  RAFTSIM_UNREACHABLE("unknown queue::Op");
}

}  // namespace

Command Command::enqueue(std::string payload, std::uint8_t priority, std::uint32_t max_attempts,
                         std::optional<std::string> idempotency_key,
                         std::optional<std::uint64_t> not_before_ns) {
  Command command;
  command.op = Op::enqueue;
  command.payload = std::move(payload);
  command.priority = priority;
  command.max_attempts = max_attempts;
  command.idempotency_key = std::move(idempotency_key);
  command.not_before_ns = not_before_ns;
  return command;
}

Command Command::lease(std::uint64_t worker_id, std::uint64_t lease_ns) {
  Command command;
  command.op = Op::lease;
  command.worker_id = worker_id;
  command.lease_ns = lease_ns;
  return command;
}

Command Command::heartbeat(JobId job_id, Token token, std::uint64_t lease_ns) {
  Command command;
  command.op = Op::heartbeat;
  command.job_id = job_id;
  command.token = token;
  command.lease_ns = lease_ns;
  return command;
}

Command Command::complete(JobId job_id, Token token, std::string result) {
  Command command;
  command.op = Op::complete;
  command.job_id = job_id;
  command.token = token;
  command.result = std::move(result);
  return command;
}

Command Command::fail(JobId job_id, Token token, std::string reason) {
  Command command;
  command.op = Op::fail;
  command.job_id = job_id;
  command.token = token;
  command.reason = std::move(reason);
  return command;
}

Command Command::cancel(JobId job_id) {
  Command command;
  command.op = Op::cancel;
  command.job_id = job_id;
  return command;
}

Command Command::get(JobId job_id) {
  Command command;
  command.op = Op::get;
  command.job_id = job_id;
  return command;
}

const char* op_name(Op op) {
  switch (op) {
    case Op::enqueue:
      return "enqueue";
    case Op::lease:
      return "lease";
    case Op::heartbeat:
      return "heartbeat";
    case Op::complete:
      return "complete";
    case Op::fail:
      return "fail";
    case Op::cancel:
      return "cancel";
    case Op::get:
      return "get";
  }
  RAFTSIM_UNREACHABLE("unknown queue::Op");
}

const char* outcome_name(Outcome outcome) {
  switch (outcome) {
    case Outcome::ok:
      return "ok";
    case Outcome::empty:
      return "empty";
    case Outcome::not_found:
      return "not_found";
    case Outcome::stale_token:
      return "stale_token";
    case Outcome::not_leased:
      return "not_leased";
    case Outcome::already_completed:
      return "already_completed";
    case Outcome::already_final:
      return "already_final";
    case Outcome::full:
      return "full";
    case Outcome::too_large:
      return "too_large";
    case Outcome::malformed:
      return "malformed";
    case Outcome::unavailable:
      return "unavailable";
  }
  RAFTSIM_UNREACHABLE("unknown queue::Outcome");
}

const char* job_state_name(JobState state) {
  switch (state) {
    case JobState::pending:
      return "pending";
    case JobState::leased:
      return "leased";
    case JobState::completed:
      return "completed";
    case JobState::dead:
      return "dead";
    case JobState::cancelled:
      return "cancelled";
  }
  RAFTSIM_UNREACHABLE("unknown queue::JobState");
}

bool is_final(JobState state) {
  return state == JobState::completed || state == JobState::dead || state == JobState::cancelled;
}

std::vector<std::uint8_t> encode_command(const Command& command) {
  std::vector<std::uint8_t> out;
  put_u8(out, static_cast<std::uint8_t>(command.op));
  put_u64(out, command.now_ns);
  switch (command.op) {
    case Op::enqueue:
      put_u8(out, command.priority);
      put_u32(out, command.max_attempts);
      put_u8(out, command.idempotency_key ? 1 : 0);
      if (command.idempotency_key) put_string(out, *command.idempotency_key);
      put_u8(out, command.not_before_ns ? 1 : 0);
      if (command.not_before_ns) put_u64(out, *command.not_before_ns);
      put_string(out, command.payload);
      break;
    case Op::lease:
      put_u64(out, command.worker_id);
      put_u64(out, command.lease_ns);
      break;
    case Op::heartbeat:
      put_u64(out, command.job_id);
      put_u32(out, command.token);
      put_u64(out, command.lease_ns);
      break;
    case Op::complete:
      put_u64(out, command.job_id);
      put_u32(out, command.token);
      put_string(out, command.result);
      break;
    case Op::fail:
      put_u64(out, command.job_id);
      put_u32(out, command.token);
      put_string(out, command.reason);
      break;
    case Op::cancel:
    case Op::get:
      put_u64(out, command.job_id);
      break;
  }
  return out;
}

std::optional<Command> decode_command(std::span<const std::uint8_t> bytes) {
  ByteReader reader(bytes);
  Command command;
  std::uint8_t op = 0;
  if (!reader.read_u8(op) || op > static_cast<std::uint8_t>(Op::get)) return std::nullopt;
  command.op = static_cast<Op>(op);
  if (!reader.read_u64(command.now_ns) || !decode_body(reader, command) ||
      reader.remaining() != 0) {
    return std::nullopt;
  }
  return command;
}

void stamp_command(std::vector<std::uint8_t>& command, std::uint64_t now_ns) {
  if (command.size() < kCommandHeaderBytes) return;
  for (std::size_t i = 0; i < 8; ++i) {
    command[kCommandTimeOffset + i] = static_cast<std::uint8_t>(now_ns >> (8 * i));
  }
}

std::vector<std::uint8_t> encode_reply(const Reply& reply) {
  std::vector<std::uint8_t> out;
  put_u8(out, static_cast<std::uint8_t>(reply.outcome));
  put_u8(out, reply.created ? 1 : 0);
  const JobView& job = reply.job;
  put_u64(out, job.job_id);
  put_u8(out, static_cast<std::uint8_t>(job.state));
  put_u8(out, job.priority);
  put_u32(out, job.attempt);
  put_u32(out, job.max_attempts);
  put_u64(out, job.enqueued_ns);
  put_u64(out, job.available_ns);
  put_u64(out, job.lease_expires_ns);
  put_u64(out, job.finished_ns);
  put_u64(out, job.worker_id);
  put_string(out, reply.payload);
  return out;
}

std::optional<Reply> decode_reply(std::span<const std::uint8_t> bytes) {
  ByteReader reader(bytes);
  Reply reply;
  JobView& job = reply.job;
  std::uint8_t outcome = 0;
  std::uint8_t state = 0;
  if (!reader.read_u8(outcome) || outcome > static_cast<std::uint8_t>(Outcome::unavailable) ||
      !read_bool(reader, reply.created) || !reader.read_u64(job.job_id) || !reader.read_u8(state) ||
      state > static_cast<std::uint8_t>(JobState::cancelled) || !reader.read_u8(job.priority) ||
      !reader.read_u32(job.attempt) || !reader.read_u32(job.max_attempts) ||
      !reader.read_u64(job.enqueued_ns) || !reader.read_u64(job.available_ns) ||
      !reader.read_u64(job.lease_expires_ns) || !reader.read_u64(job.finished_ns) ||
      !reader.read_u64(job.worker_id) || !read_string(reader, reply.payload, kPayloadBytesMax) ||
      reader.remaining() != 0) {
    return std::nullopt;
  }
  reply.outcome = static_cast<Outcome>(outcome);
  job.state = static_cast<JobState>(state);
  return reply;
}

}  // namespace raftsim::queue

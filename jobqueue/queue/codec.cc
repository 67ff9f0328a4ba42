// raftsim: encoding and decoding of job-queue commands and replies (layout in codec.h).
// Decoders check every length against the remaining bytes and the wire bounds before reading,
// and require that nothing trails the last field.
#include "jobqueue/queue/codec.h"
#include "jobqueue/queue/job_fields.h"
#include "jobqueue/queue/wire_strings.h"

#include <utility>

#include "raft/base/byte_codec.h"
#include "raft/base/check.h"
#include "raft/base/enum_names.h"

namespace raftsim::queue {
namespace {

constexpr EnumName<Op> kOpNames[] = {
    {Op::enqueue, "enqueue"},   {Op::lease, "lease"}, {Op::heartbeat, "heartbeat"},
    {Op::complete, "complete"}, {Op::fail, "fail"},   {Op::cancel, "cancel"},
    {Op::get, "get"},
};
constexpr EnumName<Outcome> kOutcomeNames[] = {
    {Outcome::ok, "ok"},
    {Outcome::empty, "empty"},
    {Outcome::not_found, "not_found"},
    {Outcome::stale_token, "stale_token"},
    {Outcome::not_leased, "not_leased"},
    {Outcome::already_completed, "already_completed"},
    {Outcome::already_final, "already_final"},
    {Outcome::full, "full"},
    {Outcome::too_large, "too_large"},
    {Outcome::malformed, "malformed"},
    {Outcome::unavailable, "unavailable"},
};
constexpr EnumName<JobState> kJobStateNames[] = {
    {JobState::pending, "pending"},     {JobState::leased, "leased"},
    {JobState::completed, "completed"}, {JobState::dead, "dead"},
    {JobState::cancelled, "cancelled"},
};

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
  return enum_name(kOpNames, op);
}

const char* outcome_name(Outcome outcome) {
  return enum_name(kOutcomeNames, outcome);
}

const char* job_state_name(JobState state) {
  return enum_name(kJobStateNames, state);
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
  put_job_fields(out, job.job_id, job);
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
  if (!reader.read_u8(outcome) || outcome > static_cast<std::uint8_t>(Outcome::unavailable) ||
      !read_bool(reader, reply.created) || !read_job_fields(reader, job.job_id, job) ||
      !reader.read_u64(job.available_ns) || !reader.read_u64(job.lease_expires_ns) ||
      !reader.read_u64(job.finished_ns) || !reader.read_u64(job.worker_id) ||
      !read_string(reader, reply.payload, kPayloadBytesMax) || reader.remaining() != 0) {
    return std::nullopt;
  }
  reply.outcome = static_cast<Outcome>(outcome);
  return reply;
}

}  // namespace raftsim::queue

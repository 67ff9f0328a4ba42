// raftsim: the job queue's vocabulary and wire format -- ops, outcomes, job states, commands and
// replies, with a fixed little-endian encoding (the same bytes on every machine). Decoding never
// trusts its input: anything truncated, trailing, out of range or beyond the wire bounds is
// rejected (nullopt), and the state machine answers it `malformed` without changing anything.
// Every command carries now_ns at a fixed offset so a node host can stamp it at proposal time.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace raftsim::queue {

using JobId = std::uint64_t;  // 1, 2, 3... in apply order; 0 means "no job"
using Token = std::uint32_t;  // the fencing token of a lease = the job's attempt number

// Limits on what a command may carry. Beyond the limit (but within kWireBytesFactor times it)
// the command is answered `too_large` and changes nothing; beyond that it does not decode and is
// answered `malformed`.
constexpr std::size_t kPayloadBytesMax = std::size_t{64} << 10;  // a job's work description
constexpr std::size_t kIdempotencyKeyBytesMax = 256;             // remembered per job: keep small
constexpr std::size_t kResultBytesMax = std::size_t{64} << 10;   // complete's result
constexpr std::size_t kReasonBytesMax = std::size_t{4} << 10;    // fail's reason
constexpr std::size_t kWireBytesFactor = 4;
// max_attempts must lie in [1, kAttemptsMax] (a poison job is dead-lettered after at most this
// many leases); a command outside the range is malformed.
constexpr std::uint32_t kAttemptsMax = 1000;
// lease_ns must lie in [1, kLeaseNsMax]: 12 hours, SQS's visibility-timeout ceiling. A zero lease
// would expire as it is granted; an unbounded one would hold a job forever.
constexpr std::uint64_t kLeaseNsMax = std::uint64_t{12} * 3600 * 1'000'000'000;

// The byte offset and width of now_ns in every encoded command (after the op byte).
constexpr std::size_t kCommandTimeOffset = 1;
constexpr std::size_t kCommandHeaderBytes = kCommandTimeOffset + 8;

enum class Op : std::uint8_t {
  enqueue = 0,
  lease = 1,
  heartbeat = 2,
  complete = 3,
  fail = 4,
  cancel = 5,
  get = 6,  // also the only op query() accepts
};

enum class JobState : std::uint8_t {
  pending = 0,  // waiting to be leased: ready now, or waiting for not_before / retry backoff
  leased = 1,   // held by a worker until lease_expires_ns
  completed = 2,
  dead = 3,  // dead-lettered: failed or expired with attempts == max_attempts
  cancelled = 4,
};

enum class Outcome : std::uint8_t {
  ok = 0,
  empty = 1,              // lease: no job is available now
  not_found = 2,          // no job has this id (never created)
  stale_token = 3,        // the token is not the job's current attempt
  not_leased = 4,         // current token, but the job is not leased (its lease expired)
  already_completed = 5,  // complete/fail of a completed job; job.attempt = completion token
  already_final = 6,      // the job is dead or cancelled (cancel: or completed)
  full = 7,               // enqueue: the job table holds Config::jobs_max jobs
  too_large = 8,          // a payload, key, result or reason beyond its limit
  malformed = 9,          // the bytes do not decode, or a field is out of range
  unavailable = 10,       // the job is archived in a cold snapshot not loaded yet: retry later
};

struct Command {
  Op op = Op::get;
  std::uint64_t now_ns = 0;  // the leader's clock at proposal (stamp_command)
  // enqueue
  std::uint8_t priority = 0;  // higher is leased first
  std::uint32_t max_attempts = 1;
  std::optional<std::string> idempotency_key;  // non-empty when present
  std::optional<std::uint64_t> not_before_ns;
  std::string payload;
  // lease
  std::uint64_t worker_id = 0;
  std::uint64_t lease_ns = 0;  // lease, heartbeat
  // heartbeat, complete, fail, cancel, get
  JobId job_id = 0;
  Token token = 0;     // heartbeat, complete, fail
  std::string result;  // complete
  std::string reason;  // fail

  static Command enqueue(std::string payload, std::uint8_t priority = 0,
                         std::uint32_t max_attempts = 1,
                         std::optional<std::string> idempotency_key = std::nullopt,
                         std::optional<std::uint64_t> not_before_ns = std::nullopt);
  static Command lease(std::uint64_t worker_id, std::uint64_t lease_ns);
  static Command heartbeat(JobId job_id, Token token, std::uint64_t lease_ns);
  static Command complete(JobId job_id, Token token, std::string result = {});
  static Command fail(JobId job_id, Token token, std::string reason = {});
  static Command cancel(JobId job_id);
  static Command get(JobId job_id);

  friend bool operator==(const Command&, const Command&) = default;
};

// What a reply says about one job. Fields that do not apply to the job's state are zero:
// available_ns only while live (pending: when it becomes leasable), lease_expires_ns and
// worker_id only while leased, finished_ns only once final.
struct JobView {
  JobId job_id = 0;  // 0: the reply concerns no job
  JobState state = JobState::pending;
  std::uint8_t priority = 0;
  std::uint32_t attempt = 0;  // leases so far = the current (or last) fencing token
  std::uint32_t max_attempts = 0;
  std::uint64_t enqueued_ns = 0;
  std::uint64_t available_ns = 0;
  std::uint64_t lease_expires_ns = 0;
  std::uint64_t finished_ns = 0;
  std::uint64_t worker_id = 0;
  friend bool operator==(const JobView&, const JobView&) = default;
};

// enqueue: job.job_id and created only. lease ok: job (attempt = the token) and payload. Every
// other reply that concerns an existing job carries its view after the command.
struct Reply {
  Outcome outcome = Outcome::ok;
  bool created = false;  // enqueue: false if the idempotency key matched an existing job
  JobView job;
  std::string payload;  // lease ok only
  friend bool operator==(const Reply&, const Reply&) = default;
};

const char* op_name(Op op);
const char* outcome_name(Outcome outcome);
const char* job_state_name(JobState state);
bool is_final(JobState state);

// command := op:u8 now_ns:u64 body; string := size:u32 bytes; optional := present:u8 [value]
//   enqueue   body := priority:u8 max_attempts:u32 key:optional<string>
//                     not_before_ns:optional<u64> payload:string
//   lease     body := worker_id:u64 lease_ns:u64
//   heartbeat body := job_id:u64 token:u32 lease_ns:u64
//   complete  body := job_id:u64 token:u32 result:string
//   fail      body := job_id:u64 token:u32 reason:string
//   cancel, get body := job_id:u64
std::vector<std::uint8_t> encode_command(const Command& command);
std::optional<Command> decode_command(std::span<const std::uint8_t> bytes);
// Overwrites now_ns of an encoded command in place; a command shorter than the header is left
// unchanged (it does not decode anyway).
void stamp_command(std::vector<std::uint8_t>& command, std::uint64_t now_ns);

// reply := outcome:u8 created:u8 job_id:u64 state:u8 priority:u8 attempt:u32 max_attempts:u32
//          enqueued_ns:u64 available_ns:u64 lease_expires_ns:u64 finished_ns:u64 worker_id:u64
//          payload:string
std::vector<std::uint8_t> encode_reply(const Reply& reply);
std::optional<Reply> decode_reply(std::span<const std::uint8_t> bytes);

}  // namespace raftsim::queue

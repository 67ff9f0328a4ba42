// raftsim: the job queue's command execution (apply/query), state hash and invariant check.
// Control flow: apply decodes, execute advances the machine's time (expiring leases, releasing
// delayed jobs, forgetting keys) and then dispatches to one handler per op. Every structure that
// decides an order is an ordered std container, so every replica makes the same choices.
#include "jobqueue/queue/job_queue.h"

#include <algorithm>
#include <limits>

#include "jobqueue/queue/job_fields.h"
#include "raft/base/check.h"
#include "raft/base/hash.h"
#include "raft/base/probe.h"

namespace raftsim::queue {
namespace {

std::uint64_t saturating_add(std::uint64_t a, std::uint64_t b) {
  return a > std::numeric_limits<std::uint64_t>::max() - b
             ? std::numeric_limits<std::uint64_t>::max()
             : a + b;
}

Reply outcome_only(Outcome outcome) {
  Reply reply;
  reply.outcome = outcome;
  return reply;
}

}  // namespace

std::uint64_t backoff_ns(const Config& config, std::uint32_t attempt) {
  RAFTSIM_CHECK(attempt >= 1);
  const std::uint32_t shift = attempt - 1;
  if (shift >= 63 || config.backoff_base_ns > (config.backoff_max_ns >> shift)) {
    return config.backoff_max_ns;
  }
  return std::min(config.backoff_base_ns << shift, config.backoff_max_ns);
}

JobQueue::JobQueue(Config config, QueueBugs bugs) : config_(config), bugs_(bugs) {
  RAFTSIM_CHECK_MSG(config_.jobs_max >= 1, "Config::jobs_max must be at least 1");
  RAFTSIM_CHECK_MSG(config_.idempotency_window_ns >= 1, "the idempotency window must be > 0");
  RAFTSIM_CHECK_MSG(
      config_.backoff_base_ns >= 1 && config_.backoff_max_ns >= config_.backoff_base_ns,
      "backoff needs 1 <= base <= max");
}

std::vector<std::uint8_t> JobQueue::apply(Index index, std::span<const std::uint8_t> bytes) {
  RAFTSIM_CHECK_MSG(index > last_applied_, "commands must be applied in log order, once");
  last_applied_ = index;
  const std::optional<Command> command = decode_command(bytes);
  if (!command) return encode_reply(outcome_only(Outcome::malformed));
  return encode_reply(execute(*command));
}

std::vector<std::uint8_t> JobQueue::query(std::span<const std::uint8_t> request) const {
  const std::optional<Command> command = decode_command(request);
  if (!command || command->op != Op::get) return encode_reply(outcome_only(Outcome::malformed));
  return encode_reply(get(command->job_id));
}

Reply JobQueue::execute(const Command& command) {
  advance_time(command.now_ns);
  switch (command.op) {
    case Op::enqueue:
      return enqueue(command);
    case Op::lease:
      return lease(command);
    case Op::heartbeat:
      return heartbeat(command);
    case Op::complete:
      return complete(command);
    case Op::fail:
      return fail(command);
    case Op::cancel:
      return cancel(command);
    case Op::get:
      return get(command.job_id);
  }
  RAFTSIM_UNREACHABLE("unknown queue::Op");
}

void JobQueue::advance_time(std::uint64_t command_now_ns) {
  // A new leader's clock may be behind the previous one's: time inside the machine never goes
  // back, so a lease granted until T stays granted until the machine's time passes T.
  now_ns_ = std::max(now_ns_, std::min(command_now_ns, kTimeNsMax));
  while (!leases_.empty() && leases_.begin()->first <= now_ns_) {
    expire_lease(leases_.begin()->second);
  }
  while (!delayed_.empty() && delayed_.begin()->first <= now_ns_) {
    const JobId job_id = delayed_.begin()->second;
    delayed_.erase(delayed_.begin());
    const LiveJob& job = live_.at(job_id);
    RAFTSIM_CHECK(job.state == JobState::pending);
    ready_.insert({static_cast<std::uint8_t>(255 - job.priority), job_id});
  }
  while (!key_expiry_.empty() && key_expiry_.begin()->first <= now_ns_) {
    RAFTSIM_CHECK(keys_.erase(key_expiry_.begin()->second) == 1);
    key_expiry_.erase(key_expiry_.begin());
  }
}

// An expired lease consumes its attempt (the attempt counter counts leases, and it is the
// fencing token, so it can never be handed out twice). The job is leasable again at once -- the
// lease itself was the delay -- unless that was its last attempt: then it is dead-lettered.
void JobQueue::expire_lease(JobId job_id) {
  LiveJob& job = live_.at(job_id);
  RAFTSIM_CHECK(job.state == JobState::leased && job.lease_expires_ns <= now_ns_);
  RAFTSIM_CHECK(leases_.erase({job.lease_expires_ns, job_id}) == 1);
  if (bugs_.has(QueueBug::lease_expiry_ignored)) {
    // Injected bug: the expiry is ignored and the lease held for ever.
    job.lease_expires_ns = kTimeNsMax;
    leases_.insert({job.lease_expires_ns, job_id});
    return;
  }
  ++counters_.lease_expiries;
  const std::uint64_t expired_at = job.lease_expires_ns;
  if (job.attempt >= job.max_attempts) {
    RAFTSIM_PROBE(queue_dead_lettered_expiry);
    archive(job_id, JobState::dead, expired_at);
    return;
  }
  RAFTSIM_PROBE(queue_lease_expired);
  job.state = JobState::pending;
  job.available_ns = expired_at;
  job.lease_expires_ns = 0;
  job.worker_id = 0;
  index_pending(job_id, job);
}

Reply JobQueue::enqueue(const Command& command) {
  if (command.payload.size() > kPayloadBytesMax) return outcome_only(Outcome::too_large);
  if (command.idempotency_key && command.idempotency_key->size() > kIdempotencyKeyBytesMax) {
    return outcome_only(Outcome::too_large);
  }
  Reply reply;
  if (command.idempotency_key) {
    // A retried enqueue must find its job even when the table is full, so this comes first.
    auto found = keys_.find(*command.idempotency_key);
    if (found != keys_.end()) {
      RAFTSIM_PROBE(queue_idempotency_hit);
      reply.job.job_id = found->second.job_id;
      return reply;
    }
  }
  if (next_job_id_ - 1 >= config_.jobs_max) return outcome_only(Outcome::full);
  const JobId job_id = next_job_id_++;
  LiveJob job;
  job.priority = command.priority;
  job.max_attempts = command.max_attempts;
  job.enqueued_ns = now_ns_;
  job.available_ns = std::max(now_ns_, command.not_before_ns.value_or(0));
  job.payload = command.payload;
  index_pending(job_id, job);
  live_.emplace(job_id, std::move(job));
  if (command.idempotency_key) {
    const std::uint64_t expires_ns = saturating_add(now_ns_, config_.idempotency_window_ns);
    keys_.emplace(*command.idempotency_key, KeyEntry{job_id, expires_ns});
    key_expiry_.insert({expires_ns, *command.idempotency_key});
  }
  reply.created = true;
  reply.job.job_id = job_id;
  return reply;
}

Reply JobQueue::lease(const Command& command) {
  if (ready_.empty()) return outcome_only(Outcome::empty);
  const JobId job_id = ready_.begin()->second;
  ready_.erase(ready_.begin());
  LiveJob& job = live_.at(job_id);
  RAFTSIM_CHECK(job.state == JobState::pending && job.available_ns <= now_ns_);
  RAFTSIM_CHECK_MSG(job.attempt < job.max_attempts, "a pending job must have attempts left");
  ++job.attempt;
  job.state = JobState::leased;
  job.lease_expires_ns = saturating_add(now_ns_, command.lease_ns);
  job.worker_id = command.worker_id;
  RAFTSIM_CHECK(job.lease_expires_ns > now_ns_);
  leases_.insert({job.lease_expires_ns, job_id});
  ++counters_.leases;
  Reply reply;
  reply.job = view_of(job_id, job);
  reply.payload = job.payload;
  return reply;
}

Reply JobQueue::heartbeat(const Command& command) {
  Reply reply;
  auto live = live_.find(command.job_id);
  if (live == live_.end()) {
    auto archived = archived_.find(command.job_id);
    if (archived == archived_.end()) return outcome_only(missing_outcome(command.job_id));
    reply.job = view_of(command.job_id, archived->second);
    reply.outcome =
        command.token == archived->second.attempt ? Outcome::not_leased : Outcome::stale_token;
    return reply;
  }
  LiveJob& job = live->second;
  if (command.token != job.attempt) {
    reply.outcome = Outcome::stale_token;
  } else if (job.state != JobState::leased) {
    reply.outcome = Outcome::not_leased;
  } else {
    // Renewed from now (SQS ChangeMessageVisibility, Kafka RENEW): it may also shorten a lease.
    RAFTSIM_PROBE(queue_lease_extended);
    RAFTSIM_CHECK(leases_.erase({job.lease_expires_ns, command.job_id}) == 1);
    job.lease_expires_ns = saturating_add(now_ns_, command.lease_ns);
    leases_.insert({job.lease_expires_ns, command.job_id});
  }
  reply.job = view_of(command.job_id, job);
  return reply;
}

std::optional<Reply> JobQueue::refuse_holder_command(const Command& command, LiveJob*& job) {
  Reply reply;
  auto live = live_.find(command.job_id);
  if (live == live_.end()) {
    auto archived = archived_.find(command.job_id);
    if (archived == archived_.end()) return outcome_only(missing_outcome(command.job_id));
    reply.job = view_of(command.job_id, archived->second);
    RAFTSIM_PROBE(queue_archived_job_touched);
    reply.outcome = archived->second.state == JobState::completed ? Outcome::already_completed
                                                                  : Outcome::already_final;
    return reply;
  }
  const bool stale_accepted =  // injected bug: a complete's fencing token is not checked
      bugs_.has(QueueBug::stale_fence_complete) && command.op == Op::complete;
  if (command.token != live->second.attempt && !stale_accepted) {
    RAFTSIM_PROBE(queue_stale_token_rejected);
    reply.outcome = Outcome::stale_token;
  } else if (live->second.state != JobState::leased) {
    reply.outcome = Outcome::not_leased;
  } else {
    job = &live->second;
    return std::nullopt;
  }
  reply.job = view_of(command.job_id, live->second);
  return reply;
}

Reply JobQueue::complete(const Command& command) {
  if (command.result.size() > kResultBytesMax) return outcome_only(Outcome::too_large);
  LiveJob* job = nullptr;
  if (auto refusal = refuse_holder_command(command, job)) return *refusal;
  RAFTSIM_CHECK(job->lease_expires_ns > now_ns_);
  RAFTSIM_CHECK(leases_.erase({job->lease_expires_ns, command.job_id}) == 1);
  archive(command.job_id, JobState::completed, now_ns_);
  Reply reply;
  reply.job = view_of(command.job_id, archived_.at(command.job_id));
  return reply;
}

Reply JobQueue::fail(const Command& command) {
  if (command.reason.size() > kReasonBytesMax) return outcome_only(Outcome::too_large);
  LiveJob* job = nullptr;
  if (auto refusal = refuse_holder_command(command, job)) return *refusal;
  RAFTSIM_CHECK(leases_.erase({job->lease_expires_ns, command.job_id}) == 1);
  ++counters_.failures;
  Reply reply;
  if (job->attempt >= job->max_attempts) {
    RAFTSIM_PROBE(queue_dead_lettered_failures);
    archive(command.job_id, JobState::dead, now_ns_);
    reply.job = view_of(command.job_id, archived_.at(command.job_id));
    return reply;
  }
  job->state = JobState::pending;
  job->available_ns = saturating_add(now_ns_, backoff_ns(config_, job->attempt));
  job->lease_expires_ns = 0;
  job->worker_id = 0;
  index_pending(command.job_id, *job);
  reply.job = view_of(command.job_id, *job);
  return reply;
}

Reply JobQueue::cancel(const Command& command) {
  Reply reply;
  auto live = live_.find(command.job_id);
  if (live == live_.end()) {
    auto archived = archived_.find(command.job_id);
    if (archived == archived_.end()) return outcome_only(missing_outcome(command.job_id));
    reply.outcome = Outcome::already_final;
    reply.job = view_of(command.job_id, archived->second);
    return reply;
  }
  // A leased job is cancelled too: its holder's complete or fail then answers already_final.
  unindex(command.job_id, live->second);
  archive(command.job_id, JobState::cancelled, now_ns_);
  reply.job = view_of(command.job_id, archived_.at(command.job_id));
  return reply;
}

Reply JobQueue::get(JobId job_id) const {
  Reply reply;
  if (auto live = live_.find(job_id); live != live_.end()) {
    reply.job = view_of(job_id, live->second);
  } else if (auto archived = archived_.find(job_id); archived != archived_.end()) {
    reply.job = view_of(job_id, archived->second);
  } else {
    reply.outcome = missing_outcome(job_id);
  }
  return reply;
}

Outcome JobQueue::missing_outcome(JobId job_id) const {
  if (job_id == 0 || job_id >= next_job_id_) return Outcome::not_found;
  // Dense ids: an existing id that is neither live nor archived is in the cold part still to
  // be loaded.
  RAFTSIM_CHECK_MSG(cold_pending_.waiting && job_id < cold_pending_.id_limit,
                    "a job id below next_job_id must be live, archived or cold");
  return Outcome::unavailable;
}

void JobQueue::index_pending(JobId job_id, const LiveJob& job) {
  RAFTSIM_CHECK(job.state == JobState::pending && job.attempt < job.max_attempts);
  if (job.available_ns <= now_ns_) {
    RAFTSIM_CHECK(ready_.insert({static_cast<std::uint8_t>(255 - job.priority), job_id}).second);
  } else {
    RAFTSIM_CHECK(delayed_.insert({job.available_ns, job_id}).second);
  }
}

void JobQueue::unindex(JobId job_id, const LiveJob& job) {
  std::size_t erased = 0;
  if (job.state == JobState::leased) {
    erased = leases_.erase({job.lease_expires_ns, job_id});
  } else {
    erased = ready_.erase({static_cast<std::uint8_t>(255 - job.priority), job_id}) +
             delayed_.erase({job.available_ns, job_id});
  }
  RAFTSIM_CHECK_MSG(erased == 1, "a live job is in exactly one index");
}

// Final jobs are compacted at once: payload, worker and lease times are dropped, so memory, the
// cold snapshot and a restored machine all hold the same record.
void JobQueue::archive(JobId job_id, JobState state, std::uint64_t finished_ns) {
  RAFTSIM_CHECK(is_final(state));
  auto live = live_.find(job_id);
  RAFTSIM_CHECK(live != live_.end());
  const LiveJob& job = live->second;
  RAFTSIM_CHECK(job.attempt <= job.max_attempts);
  RAFTSIM_CHECK_MSG(state != JobState::completed || job.attempt >= 1,
                    "only a leased job can complete");
  ArchivedJob record{state,           job.priority, job.attempt, job.max_attempts,
                     job.enqueued_ns, finished_ns};
  archived_digest_sum_ += archived_digest(job_id, record);
  RAFTSIM_CHECK_MSG(archived_.emplace(job_id, record).second, "a job is archived once");
  live_.erase(live);
  if (state == JobState::completed) ++counters_.completions;
  if (state == JobState::dead) ++counters_.dead;
  if (state == JobState::cancelled) ++counters_.cancelled;
}

JobView JobQueue::view_of(JobId job_id, const LiveJob& job) {
  JobView view = view_job_fields(job_id, job);
  view.available_ns = job.available_ns;
  view.lease_expires_ns = job.lease_expires_ns;
  view.worker_id = job.worker_id;
  return view;
}

JobView JobQueue::view_of(JobId job_id, const ArchivedJob& job) {
  JobView view = view_job_fields(job_id, job);
  view.finished_ns = job.finished_ns;
  return view;
}

std::uint64_t JobQueue::archived_digest(JobId job_id, const ArchivedJob& job) {
  Hasher hasher;
  return hash_job_fields(hasher, job_id, job).add(job.finished_ns).value();
}

std::uint64_t JobQueue::archived_total() const {
  return archived_.size() + (cold_pending_.waiting ? cold_pending_.count : 0);
}

std::uint64_t JobQueue::state_hash() const {
  Hasher hasher;
  hasher.add(config_.jobs_max)
      .add(config_.idempotency_window_ns)
      .add(config_.backoff_base_ns)
      .add(config_.backoff_max_ns);
  hasher.add(now_ns_).add(next_job_id_);
  hasher.add(counters_.leases)
      .add(counters_.lease_expiries)
      .add(counters_.failures)
      .add(counters_.completions)
      .add(counters_.dead)
      .add(counters_.cancelled);
  hasher.add(live_.size());
  for (const auto& [job_id, job] : live_) {
    hash_job_fields(hasher, job_id, job)
        .add(job.available_ns)
        .add(job.lease_expires_ns)
        .add(job.worker_id)
        .add_string(job.payload);
  }
  hasher.add(keys_.size());
  for (const auto& [key, entry] : keys_) {
    hasher.add_string(key).add(entry.job_id).add(entry.expires_ns);
  }
  // The ready/delayed/lease indexes are functions of the live jobs and now (invariant 3).
  hasher.add(archived_total()).add(archived_digest_sum_).add(cold_loaded() ? 1 : 0);
  return hasher.value();
}

void JobQueue::check_invariants() const {
  RAFTSIM_CHECK_MSG(next_job_id_ >= 1 && next_job_id_ - 1 <= config_.jobs_max, "job table limit");
  RAFTSIM_CHECK(now_ns_ <= kTimeNsMax);
  RAFTSIM_CHECK_MSG(live_.size() + archived_total() == next_job_id_ - 1, "job ids are dense");
  std::size_t pending = 0;
  std::size_t leased = 0;
  for (const auto& [job_id, job] : live_) {
    RAFTSIM_CHECK(job_id >= 1 && job_id < next_job_id_);
    RAFTSIM_CHECK_MSG(!archived_.contains(job_id), "a job is live or archived, not both");
    RAFTSIM_CHECK(job.max_attempts >= 1 && job.max_attempts <= kAttemptsMax);
    RAFTSIM_CHECK(job.payload.size() <= kPayloadBytesMax);
    if (job.state == JobState::pending) {
      ++pending;
      RAFTSIM_CHECK_MSG(job.attempt < job.max_attempts, "a pending job has attempts left");
      RAFTSIM_CHECK(job.lease_expires_ns == 0 && job.worker_id == 0);
      const bool ready = job.available_ns <= now_ns_;
      RAFTSIM_CHECK_MSG(
          ready_.contains({static_cast<std::uint8_t>(255 - job.priority), job_id}) == ready,
          "ready index matches the job table");
      RAFTSIM_CHECK_MSG(delayed_.contains({job.available_ns, job_id}) == !ready,
                        "delayed index matches the job table");
    } else {
      RAFTSIM_CHECK(job.state == JobState::leased);
      ++leased;
      RAFTSIM_CHECK(job.attempt >= 1 && job.attempt <= job.max_attempts);
      RAFTSIM_CHECK_MSG(job.lease_expires_ns > now_ns_, "expired leases are processed eagerly");
      RAFTSIM_CHECK_MSG(leases_.contains({job.lease_expires_ns, job_id}),
                        "lease index matches the job table");
    }
  }
  RAFTSIM_CHECK_MSG(ready_.size() + delayed_.size() == pending, "no stray pending index entry");
  RAFTSIM_CHECK_MSG(leases_.size() == leased, "no stray lease index entry");
  std::uint64_t digest_sum = 0;
  std::uint64_t completed = 0;
  for (const auto& [job_id, job] : archived_) {
    RAFTSIM_CHECK(job_id >= 1 && job_id < next_job_id_ && is_final(job.state));
    RAFTSIM_CHECK(job.attempt <= job.max_attempts);
    RAFTSIM_CHECK(job.state != JobState::completed || job.attempt >= 1);
    if (job.state == JobState::completed) ++completed;
    digest_sum += archived_digest(job_id, job);
  }
  if (cold_loaded()) {
    RAFTSIM_CHECK_MSG(digest_sum == archived_digest_sum_, "archive digest is up to date");
    RAFTSIM_CHECK_MSG(completed == counters_.completions, "one completion record per completion");
  }
  RAFTSIM_CHECK(counters_.completions + counters_.dead + counters_.cancelled == archived_total());
  RAFTSIM_CHECK(keys_.size() == key_expiry_.size());
  for (const auto& [key, entry] : keys_) {
    RAFTSIM_CHECK(!key.empty() && key.size() <= kIdempotencyKeyBytesMax);
    RAFTSIM_CHECK(entry.job_id >= 1 && entry.job_id < next_job_id_);
    RAFTSIM_CHECK_MSG(entry.expires_ns > now_ns_, "expired keys are forgotten eagerly");
    RAFTSIM_CHECK(key_expiry_.contains({entry.expires_ns, key}));
  }
}

void JobQueue::stamp(std::vector<std::uint8_t>& command, std::int64_t leader_wall_ns) const {
  if (!decode_command(command)) return;
  stamp_command(command, leader_wall_ns < 0 ? 0 : static_cast<std::uint64_t>(leader_wall_ns));
}

}  // namespace raftsim::queue

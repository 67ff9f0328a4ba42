// raftsim: tests of the job-queue state machine (jobqueue/queue): every op and error path, the
// codec, a RapidCheck property against a brute-force reference model (vectors, linear scans),
// snapshot/restore (full, hot+cold, lazy cold) preserving hash and behaviour, and corruption.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "jobqueue/queue/codec.h"
#include "jobqueue/queue/job_queue.h"
#include "raft/base/hash.h"
#include "raft/core/codec.h"

namespace raftsim::queue {
namespace {

Config small_config() {
  Config config;
  config.jobs_max = 8;
  config.idempotency_window_ns = 1000;
  config.backoff_base_ns = 100;
  config.backoff_max_ns = 300;
  return config;
}

// Applies commands stamped with the given time at consecutive log indexes, checking every
// invariant after each one.
class Driver {
 public:
  explicit Driver(Config config = small_config()) : queue(config) {}

  Reply run(std::uint64_t now_ns, const Command& command) {
    std::vector<std::uint8_t> bytes = encode_command(command);
    stamp_command(bytes, now_ns);
    return apply_bytes(bytes);
  }
  Reply apply_bytes(std::span<const std::uint8_t> bytes) {
    const auto reply = decode_reply(queue.apply(++index, bytes));
    RAFTSIM_CHECK(reply.has_value());
    queue.check_invariants();
    return *reply;
  }
  Reply get(JobId job_id) const {
    const auto reply = decode_reply(queue.query(encode_command(Command::get(job_id))));
    RAFTSIM_CHECK(reply.has_value());
    return *reply;
  }

  JobQueue queue;
  Index index = 0;
};

// ---------------------------------------------------------------------------------------------
// Unit tests: one per op and error path.

TEST(JobQueue, EnqueueAssignsIdsInApplyOrder) {
  Driver driver;
  for (JobId expected = 1; expected <= 3; ++expected) {
    const Reply reply = driver.run(10, Command::enqueue("job"));
    EXPECT_EQ(reply.outcome, Outcome::ok);
    EXPECT_TRUE(reply.created);
    EXPECT_EQ(reply.job.job_id, expected);
  }
  const Reply view = driver.get(2);
  EXPECT_EQ(view.outcome, Outcome::ok);
  EXPECT_EQ(view.job.state, JobState::pending);
  EXPECT_EQ(view.job.attempt, 0u);
  EXPECT_EQ(view.job.enqueued_ns, 10u);
  EXPECT_EQ(driver.get(4).outcome, Outcome::not_found);
  EXPECT_EQ(driver.get(0).outcome, Outcome::not_found);
}

TEST(JobQueue, LeaseTakesHighestPriorityThenFifo) {
  Driver driver;
  driver.run(0, Command::enqueue("low-1", 1));
  driver.run(0, Command::enqueue("high-2", 5));
  driver.run(0, Command::enqueue("low-3", 1));
  driver.run(0, Command::enqueue("high-4", 5));
  std::vector<std::string> order;
  for (int i = 0; i < 4; ++i) {
    const Reply reply = driver.run(1, Command::lease(7, 100));
    ASSERT_EQ(reply.outcome, Outcome::ok);
    EXPECT_EQ(reply.job.attempt, 1u);
    EXPECT_EQ(reply.job.worker_id, 7u);
    EXPECT_EQ(reply.job.lease_expires_ns, 101u);
    order.push_back(reply.payload);
  }
  EXPECT_EQ(order, (std::vector<std::string>{"high-2", "high-4", "low-1", "low-3"}));
  EXPECT_EQ(driver.run(2, Command::lease(7, 100)).outcome, Outcome::empty);
}

TEST(JobQueue, NotBeforeHoldsTheJobBack) {
  Driver driver;
  driver.run(0, Command::enqueue("later", 9, 1, std::nullopt, 50));
  driver.run(0, Command::enqueue("now", 0));
  EXPECT_EQ(driver.get(1).job.available_ns, 50u);
  EXPECT_EQ(driver.run(10, Command::lease(1, 5)).payload, "now");
  EXPECT_EQ(driver.run(49, Command::lease(1, 5)).outcome, Outcome::empty);
  const Reply reply = driver.run(50, Command::lease(1, 5));
  EXPECT_EQ(reply.outcome, Outcome::ok);
  EXPECT_EQ(reply.payload, "later");
}

TEST(JobQueue, ExpiredLeaseIsReleasedWithANewTokenAndTheOldOneIsFenced) {
  Driver driver;
  driver.run(0, Command::enqueue("job", 0, 3));
  const Reply first = driver.run(0, Command::lease(1, 10));
  EXPECT_EQ(first.job.attempt, 1u);
  // Still leased at 9; at 10 (lease_expires <= now) the lease is gone.
  EXPECT_EQ(driver.run(9, Command::lease(2, 10)).outcome, Outcome::empty);
  const Reply second = driver.run(10, Command::lease(2, 10));
  ASSERT_EQ(second.outcome, Outcome::ok);
  EXPECT_EQ(second.job.attempt, 2u);
  EXPECT_EQ(second.job.worker_id, 2u);
  EXPECT_EQ(driver.queue.counters().lease_expiries, 1u);
  // The slow first worker cannot complete, fail or extend with token 1.
  EXPECT_EQ(driver.run(11, Command::complete(1, 1)).outcome, Outcome::stale_token);
  EXPECT_EQ(driver.run(11, Command::fail(1, 1)).outcome, Outcome::stale_token);
  EXPECT_EQ(driver.run(11, Command::heartbeat(1, 1, 10)).outcome, Outcome::stale_token);
  const Reply done = driver.run(12, Command::complete(1, 2, "result"));
  EXPECT_EQ(done.outcome, Outcome::ok);
  EXPECT_EQ(done.job.state, JobState::completed);
  EXPECT_EQ(done.job.attempt, 2u);
  EXPECT_EQ(done.job.finished_ns, 12u);
}

TEST(JobQueue, CompleteAfterExpiryBeforeReleaseIsNotLeased) {
  Driver driver;
  driver.run(0, Command::enqueue("job", 0, 3));
  driver.run(0, Command::lease(1, 10));
  const Reply reply = driver.run(10, Command::complete(1, 1));
  EXPECT_EQ(reply.outcome, Outcome::not_leased);
  EXPECT_EQ(reply.job.state, JobState::pending);
  EXPECT_EQ(reply.job.available_ns, 10u);  // released at the moment the lease ran out
}

TEST(JobQueue, ExpiryConsumesTheAttemptAndTheLastOneDeadLetters) {
  Driver driver;
  driver.run(0, Command::enqueue("poison", 0, 2));
  driver.run(0, Command::lease(1, 10));
  driver.run(10, Command::lease(1, 10));
  const Reply view = driver.run(20, Command::get(1));
  EXPECT_EQ(view.job.state, JobState::dead);
  EXPECT_EQ(view.job.attempt, 2u);
  EXPECT_EQ(view.job.finished_ns, 20u);
  EXPECT_EQ(driver.queue.counters().dead, 1u);
  EXPECT_EQ(driver.run(21, Command::lease(1, 10)).outcome, Outcome::empty);
}

TEST(JobQueue, HeartbeatExtendsOnlyTheCurrentLease) {
  Driver driver;
  driver.run(0, Command::enqueue("job", 0, 3));
  driver.run(0, Command::lease(1, 10));
  const Reply extended = driver.run(5, Command::heartbeat(1, 1, 10));
  EXPECT_EQ(extended.outcome, Outcome::ok);
  EXPECT_EQ(extended.job.lease_expires_ns, 15u);
  EXPECT_EQ(driver.run(12, Command::lease(2, 10)).outcome, Outcome::empty);
  EXPECT_EQ(driver.run(14, Command::complete(1, 1)).outcome, Outcome::ok);
  EXPECT_EQ(driver.run(14, Command::heartbeat(1, 1, 10)).outcome, Outcome::not_leased);
  EXPECT_EQ(driver.run(14, Command::heartbeat(1, 2, 10)).outcome, Outcome::stale_token);
  EXPECT_EQ(driver.run(14, Command::heartbeat(9, 1, 10)).outcome, Outcome::not_found);
  driver.run(14, Command::enqueue("second", 0, 3));
  EXPECT_EQ(driver.run(14, Command::heartbeat(2, 0, 10)).outcome, Outcome::not_leased);
}

TEST(JobQueue, SecondCompleteIsAlreadyCompletedAndChangesNothing) {
  Driver driver;
  driver.run(0, Command::enqueue("job"));
  driver.run(0, Command::lease(1, 10));
  ASSERT_EQ(driver.run(1, Command::complete(1, 1)).outcome, Outcome::ok);
  const std::uint64_t hash = driver.queue.state_hash();
  const Reply again = driver.run(1, Command::complete(1, 1));
  EXPECT_EQ(again.outcome, Outcome::already_completed);
  EXPECT_EQ(again.job.attempt, 1u);  // the completion token
  EXPECT_EQ(driver.run(1, Command::complete(1, 0)).outcome, Outcome::already_completed);
  EXPECT_EQ(driver.run(1, Command::fail(1, 1)).outcome, Outcome::already_completed);
  EXPECT_EQ(driver.run(1, Command::complete(2, 1)).outcome, Outcome::not_found);
  // Stamped at the same time, so not even the clock moved.
  EXPECT_EQ(driver.queue.state_hash(), hash);
  EXPECT_EQ(driver.queue.counters().completions, 1u);
}

TEST(JobQueue, FailRetriesWithExponentialBackoffThenDeadLetters) {
  Driver driver;
  driver.run(0, Command::enqueue("flaky", 0, 3));
  driver.run(0, Command::lease(1, 1000));
  Reply failed = driver.run(5, Command::fail(1, 1, "boom"));
  EXPECT_EQ(failed.outcome, Outcome::ok);
  EXPECT_EQ(failed.job.state, JobState::pending);
  EXPECT_EQ(failed.job.available_ns, 105u);  // base 100 after the first failure
  EXPECT_EQ(driver.run(104, Command::lease(1, 1000)).outcome, Outcome::empty);
  EXPECT_EQ(driver.run(105, Command::lease(1, 1000)).job.attempt, 2u);
  failed = driver.run(110, Command::fail(1, 2));
  EXPECT_EQ(failed.job.available_ns, 310u);  // 200 after the second
  EXPECT_EQ(driver.run(310, Command::lease(1, 1000)).job.attempt, 3u);
  failed = driver.run(320, Command::fail(1, 3));
  EXPECT_EQ(failed.outcome, Outcome::ok);
  EXPECT_EQ(failed.job.state, JobState::dead);
  EXPECT_EQ(failed.job.finished_ns, 320u);
  EXPECT_EQ(driver.queue.counters().failures, 3u);
  EXPECT_EQ(driver.run(320, Command::fail(1, 3)).outcome, Outcome::already_final);
  EXPECT_EQ(driver.run(320, Command::complete(1, 3)).outcome, Outcome::already_final);
}

TEST(JobQueue, FailRejectsStaleTokensAndUnleasedJobs) {
  Driver driver;
  driver.run(0, Command::enqueue("job", 0, 5));
  EXPECT_EQ(driver.run(0, Command::fail(1, 0)).outcome, Outcome::not_leased);
  driver.run(0, Command::lease(1, 10));
  EXPECT_EQ(driver.run(0, Command::fail(1, 2)).outcome, Outcome::stale_token);
  EXPECT_EQ(driver.run(0, Command::fail(7, 1)).outcome, Outcome::not_found);
}

TEST(JobQueue, BackoffIsExponentialWithACap) {
  const Config config = small_config();
  EXPECT_EQ(backoff_ns(config, 1), 100u);
  EXPECT_EQ(backoff_ns(config, 2), 200u);
  EXPECT_EQ(backoff_ns(config, 3), 300u);
  EXPECT_EQ(backoff_ns(config, 64), 300u);
  EXPECT_EQ(backoff_ns(config, 1000), 300u);
  const Config defaults;
  EXPECT_EQ(backoff_ns(defaults, 1), 100'000'000u);
  EXPECT_EQ(backoff_ns(defaults, 10), 51'200'000'000u);
  EXPECT_EQ(backoff_ns(defaults, 11), 60'000'000'000u);
}

TEST(JobQueue, CancelEndsAnyJobNotYetFinal) {
  Driver driver;
  driver.run(0, Command::enqueue("pending", 0));
  driver.run(0, Command::enqueue("leased", 5));
  driver.run(0, Command::enqueue("delayed", 9, 1, std::nullopt, 100));
  driver.run(0, Command::enqueue("done", 4));
  EXPECT_EQ(driver.run(0, Command::lease(1, 50)).job.job_id, 2u);
  EXPECT_EQ(driver.run(0, Command::lease(1, 50)).job.job_id, 4u);
  driver.run(0, Command::complete(4, 1));
  for (JobId job_id : {1, 2, 3}) {
    const Reply reply = driver.run(1, Command::cancel(job_id));
    EXPECT_EQ(reply.outcome, Outcome::ok);
    EXPECT_EQ(reply.job.state, JobState::cancelled);
  }
  EXPECT_EQ(driver.run(2, Command::cancel(4)).outcome, Outcome::already_final);
  EXPECT_EQ(driver.run(2, Command::cancel(1)).outcome, Outcome::already_final);
  EXPECT_EQ(driver.run(2, Command::cancel(9)).outcome, Outcome::not_found);
  // The holder of the cancelled lease learns it on complete.
  EXPECT_EQ(driver.run(3, Command::complete(2, 1)).outcome, Outcome::already_final);
  EXPECT_EQ(driver.run(200, Command::lease(1, 50)).outcome, Outcome::empty);
  EXPECT_EQ(driver.queue.counters().cancelled, 3u);
}

TEST(JobQueue, IdempotencyKeyMatchesInsideTheWindowAndIsForgottenAfter) {
  Driver driver;  // window 1000
  Reply reply = driver.run(0, Command::enqueue("a", 0, 1, "key"));
  EXPECT_TRUE(reply.created);
  EXPECT_EQ(reply.job.job_id, 1u);
  reply = driver.run(999, Command::enqueue("a-retry", 0, 1, "key"));
  EXPECT_EQ(reply.outcome, Outcome::ok);
  EXPECT_FALSE(reply.created);
  EXPECT_EQ(reply.job.job_id, 1u);
  EXPECT_EQ(driver.queue.next_job_id(), 2u);
  // Still matched after the job completed.
  driver.run(999, Command::lease(1, 10));
  driver.run(999, Command::complete(1, 1));
  EXPECT_EQ(driver.run(999, Command::enqueue("x", 0, 1, "key")).job.job_id, 1u);
  reply = driver.run(1000, Command::enqueue("new", 0, 1, "key"));
  EXPECT_TRUE(reply.created);
  EXPECT_EQ(reply.job.job_id, 2u);
  // Another key is independent.
  EXPECT_EQ(driver.run(1000, Command::enqueue("b", 0, 1, "other")).job.job_id, 3u);
}

TEST(JobQueue, FullTableRefusesNewJobsButAnswersRetries) {
  Config config = small_config();
  config.jobs_max = 2;
  Driver driver(config);
  driver.run(0, Command::enqueue("1", 0, 1, "k1"));
  driver.run(0, Command::enqueue("2"));
  EXPECT_EQ(driver.run(0, Command::enqueue("3")).outcome, Outcome::full);
  const Reply retry = driver.run(0, Command::enqueue("1", 0, 1, "k1"));
  EXPECT_EQ(retry.outcome, Outcome::ok);
  EXPECT_EQ(retry.job.job_id, 1u);
  EXPECT_EQ(driver.queue.next_job_id(), 3u);
}

std::vector<std::uint8_t> bytes_of(std::initializer_list<int> values) {
  std::vector<std::uint8_t> out;
  for (int value : values) out.push_back(static_cast<std::uint8_t>(value));
  return out;
}

TEST(JobQueue, MalformedCommandsChangeNothingNotEvenTime) {
  Driver driver;
  driver.run(5, Command::enqueue("job"));
  std::vector<std::vector<std::uint8_t>> bad = {{}, bytes_of({7}), bytes_of({99, 0, 0})};
  std::vector<std::uint8_t> truncated = encode_command(Command::enqueue("payload"));
  truncated.pop_back();
  bad.push_back(truncated);
  std::vector<std::uint8_t> trailing = encode_command(Command::get(1));
  trailing.push_back(0);
  bad.push_back(trailing);
  bad.push_back(encode_command(Command::enqueue("x", 0, 0)));  // max_attempts 0
  bad.push_back(encode_command(Command::enqueue("x", 0, kAttemptsMax + 1)));
  bad.push_back(encode_command(Command::enqueue("x", 0, 1, std::string())));  // empty key
  bad.push_back(encode_command(Command::lease(1, 0)));
  bad.push_back(encode_command(Command::lease(1, kLeaseNsMax + 1)));
  bad.push_back(encode_command(Command::heartbeat(1, 1, 0)));
  bad.push_back(
      encode_command(Command::enqueue(std::string(kWireBytesFactor * kPayloadBytesMax + 1, 'x'))));
  std::vector<std::uint8_t> bad_bool = encode_command(Command::enqueue("x"));
  bad_bool[kCommandHeaderBytes + 5] = 2;  // the key-present flag
  bad.push_back(bad_bool);
  for (auto& bytes : bad) {
    stamp_command(bytes, 1'000'000);
    const Index before_index = driver.index;
    const std::uint64_t now_before = driver.queue.now_ns();
    EXPECT_EQ(driver.apply_bytes(bytes).outcome, Outcome::malformed);
    EXPECT_EQ(driver.queue.now_ns(), now_before);
    EXPECT_EQ(driver.index, before_index + 1);
  }
  EXPECT_EQ(driver.queue.next_job_id(), 2u);
  EXPECT_EQ(driver.queue.now_ns(), 5u);
  // query() answers only get.
  const auto reply = decode_reply(driver.queue.query(encode_command(Command::lease(1, 1))));
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->outcome, Outcome::malformed);
}

TEST(JobQueue, OversizedFieldsAreTooLargeAndChangeNoJob) {
  Driver driver;
  EXPECT_EQ(driver.run(0, Command::enqueue(std::string(kPayloadBytesMax + 1, 'p'))).outcome,
            Outcome::too_large);
  EXPECT_EQ(
      driver.run(0, Command::enqueue("x", 0, 1, std::string(kIdempotencyKeyBytesMax + 1, 'k')))
          .outcome,
      Outcome::too_large);
  EXPECT_EQ(driver.queue.next_job_id(), 1u);
  EXPECT_EQ(driver.run(0, Command::enqueue(std::string(kPayloadBytesMax, 'p'))).outcome,
            Outcome::ok);
  driver.run(0, Command::lease(1, 10));
  EXPECT_EQ(driver.run(1, Command::complete(1, 1, std::string(kResultBytesMax + 1, 'r'))).outcome,
            Outcome::too_large);
  EXPECT_EQ(driver.run(1, Command::fail(1, 1, std::string(kReasonBytesMax + 1, 'r'))).outcome,
            Outcome::too_large);
  EXPECT_EQ(driver.get(1).job.state, JobState::leased);
  EXPECT_EQ(driver.run(1, Command::complete(1, 1, std::string(kResultBytesMax, 'r'))).outcome,
            Outcome::ok);
}

TEST(JobQueue, TimeNeverGoesBackWhenANewLeaderIsBehind) {
  Driver driver;
  driver.run(0, Command::enqueue("job", 0, 3));
  EXPECT_EQ(driver.run(100, Command::lease(1, 10)).job.lease_expires_ns, 110u);
  // A new leader whose clock reads 50: the machine's time stays at 100.
  const Reply extended = driver.run(50, Command::heartbeat(1, 1, 5));
  EXPECT_EQ(extended.outcome, Outcome::ok);
  EXPECT_EQ(extended.job.lease_expires_ns, 105u);
  EXPECT_EQ(driver.queue.now_ns(), 100u);
  EXPECT_EQ(driver.run(60, Command::enqueue("later")).outcome, Outcome::ok);
  EXPECT_EQ(driver.get(2).job.enqueued_ns, 100u);
  // Even stamped at 0, the lease cannot expire before the machine's time passes 105.
  EXPECT_EQ(driver.run(0, Command::lease(2, 10)).job.job_id, 2u);
  EXPECT_EQ(driver.get(1).job.state, JobState::leased);
  EXPECT_EQ(driver.run(105, Command::get(1)).job.state, JobState::pending);
}

TEST(JobQueue, TimeStopsAtTheCeilingAndSaturatesBeyondIt) {
  Driver driver;
  driver.run(UINT64_MAX, Command::enqueue("job", 0, 2, "key"));
  EXPECT_EQ(driver.queue.now_ns(), kTimeNsMax);
  const Reply lease = driver.run(UINT64_MAX, Command::lease(1, kLeaseNsMax));
  EXPECT_EQ(lease.job.lease_expires_ns, kTimeNsMax + kLeaseNsMax);
  const Reply failed = driver.run(kTimeNsMax, Command::fail(1, 1));
  EXPECT_EQ(failed.job.available_ns, kTimeNsMax + 100);
  // Time cannot reach the retry any more; the job can still be cancelled.
  EXPECT_EQ(driver.run(UINT64_MAX, Command::lease(1, 1)).outcome, Outcome::empty);
  EXPECT_EQ(driver.run(UINT64_MAX, Command::cancel(1)).outcome, Outcome::ok);
  Config huge = small_config();
  huge.idempotency_window_ns = UINT64_MAX;
  Driver saturating(huge);
  saturating.run(kTimeNsMax, Command::enqueue("job", 0, 1, "key"));
  EXPECT_FALSE(saturating.run(kTimeNsMax, Command::enqueue("job", 0, 1, "key")).created);
}

TEST(JobQueue, GetThroughApplyAdvancesTimeAndQueryDoesNot) {
  Driver driver;
  driver.run(0, Command::enqueue("job"));
  driver.run(0, Command::lease(1, 10));
  EXPECT_EQ(driver.get(1).job.state, JobState::leased);
  const Reply through_apply = driver.run(10, Command::get(1));
  EXPECT_EQ(through_apply.job.state, JobState::dead);  // max_attempts 1: expiry dead-letters
  EXPECT_EQ(driver.get(1), through_apply);
}

TEST(JobQueueCodec, StampCommandOverwritesTheTimeField) {
  for (const Command& command : {Command::enqueue("p", 3, 2, "k", 9), Command::lease(4, 5),
                                 Command::heartbeat(1, 2, 3), Command::complete(1, 2, "r"),
                                 Command::fail(1, 2, "why"), Command::cancel(3), Command::get(4)}) {
    std::vector<std::uint8_t> bytes = encode_command(command);
    stamp_command(bytes, 0x0102030405060708ULL);
    const auto decoded = decode_command(bytes);
    ASSERT_TRUE(decoded.has_value());
    Command expected = command;
    expected.now_ns = 0x0102030405060708ULL;
    EXPECT_EQ(*decoded, expected);
  }
  std::vector<std::uint8_t> short_bytes = bytes_of({1, 2, 3});
  stamp_command(short_bytes, 99);
  EXPECT_EQ(short_bytes, bytes_of({1, 2, 3}));
}

RC_GTEST_PROP(JobQueueCodec, RepliesRoundTrip,
              (std::uint8_t outcome, bool created, std::uint64_t job_id, std::uint8_t state,
               std::uint32_t attempt, std::uint64_t time, std::string payload)) {
  Reply reply;
  reply.outcome = static_cast<Outcome>(outcome % 11);
  reply.created = created;
  reply.job.job_id = job_id;
  reply.job.state = static_cast<JobState>(state % 5);
  reply.job.priority = state;
  reply.job.attempt = attempt;
  reply.job.max_attempts = attempt + 1;
  reply.job.enqueued_ns = time;
  reply.job.available_ns = time + 1;
  reply.job.lease_expires_ns = time + 2;
  reply.job.finished_ns = time + 3;
  reply.job.worker_id = job_id ^ time;
  reply.payload = payload;
  const auto decoded = decode_reply(encode_reply(reply));
  RC_ASSERT(decoded.has_value());
  RC_ASSERT(*decoded == reply);
}

RC_GTEST_PROP(JobQueueCodec, GarbageIsMalformedNeverACrash, (std::vector<std::uint8_t> bytes)) {
  JobQueue queue(small_config());
  const std::uint64_t hash = queue.state_hash();
  const auto decoded = decode_command(bytes);
  const auto reply = decode_reply(queue.apply(1, bytes));
  RC_ASSERT(reply.has_value());
  if (!decoded) {
    RC_ASSERT(reply->outcome == Outcome::malformed);
    RC_ASSERT(queue.state_hash() == hash);
  }
  queue.check_invariants();
}

// ---------------------------------------------------------------------------------------------
// The reference model: every job in a vector, every decision a linear scan.

class Model {
 public:
  explicit Model(Config config) : config_(config) {}

  Reply run(const Command& command) {
    now_ = std::max(now_, command.now_ns);
    for (Job& job : jobs_) {
      if (job.view.state != JobState::leased || job.view.lease_expires_ns > now_) continue;
      const std::uint64_t expired_at = job.view.lease_expires_ns;
      if (job.view.attempt >= job.view.max_attempts) {
        finish(job, JobState::dead, expired_at);
      } else {
        job.view.state = JobState::pending;
        job.view.available_ns = expired_at;
        job.view.lease_expires_ns = 0;
        job.view.worker_id = 0;
      }
    }
    std::erase_if(keys_, [&](const Key& key) { return key.expires_ns <= now_; });
    switch (command.op) {
      case Op::enqueue:
        return enqueue(command);
      case Op::lease:
        return lease(command);
      case Op::heartbeat:
      case Op::complete:
      case Op::fail:
        return with_token(command);
      case Op::cancel:
        return cancel(command.job_id);
      case Op::get:
        return get(command.job_id);
    }
    return {};
  }

  Reply get(JobId job_id) const {
    Reply reply;
    if (job_id == 0 || job_id > jobs_.size()) {
      reply.outcome = Outcome::not_found;
    } else {
      reply.job = jobs_[job_id - 1].view;
    }
    return reply;
  }
  std::uint32_t attempt_of(JobId job_id) const {
    return job_id == 0 || job_id > jobs_.size() ? 0 : jobs_[job_id - 1].view.attempt;
  }
  std::uint64_t now() const { return now_; }
  std::vector<JobId> leased_ids() const {
    std::vector<JobId> ids;
    for (const Job& job : jobs_) {
      if (job.view.state == JobState::leased) ids.push_back(job.view.job_id);
    }
    return ids;
  }

 private:
  struct Job {
    JobView view;
    std::string payload;
  };
  struct Key {
    std::string key;
    JobId job_id;
    std::uint64_t expires_ns;
  };

  static Reply outcome(Outcome value) {
    Reply reply;
    reply.outcome = value;
    return reply;
  }
  void finish(Job& job, JobState state, std::uint64_t at) {
    job.view.state = state;
    job.view.finished_ns = at;
    job.view.available_ns = 0;
    job.view.lease_expires_ns = 0;
    job.view.worker_id = 0;
    job.payload.clear();
  }
  std::uint64_t backoff(std::uint32_t attempt) const {
    std::uint64_t delay = config_.backoff_base_ns;
    for (std::uint32_t i = 1; i < attempt; ++i) {
      delay = std::min(delay * 2, config_.backoff_max_ns);
    }
    return std::min(delay, config_.backoff_max_ns);
  }

  Reply enqueue(const Command& command) {
    if (command.payload.size() > kPayloadBytesMax) return outcome(Outcome::too_large);
    if (command.idempotency_key && command.idempotency_key->size() > kIdempotencyKeyBytesMax) {
      return outcome(Outcome::too_large);
    }
    Reply reply;
    for (const Key& key : keys_) {
      if (command.idempotency_key && key.key == *command.idempotency_key) {
        reply.job.job_id = key.job_id;
        return reply;
      }
    }
    if (jobs_.size() >= config_.jobs_max) return outcome(Outcome::full);
    Job job;
    job.view.job_id = jobs_.size() + 1;
    job.view.priority = command.priority;
    job.view.max_attempts = command.max_attempts;
    job.view.enqueued_ns = now_;
    job.view.available_ns = std::max(now_, command.not_before_ns.value_or(0));
    job.payload = command.payload;
    jobs_.push_back(job);
    if (command.idempotency_key) {
      keys_.push_back(
          {*command.idempotency_key, job.view.job_id, now_ + config_.idempotency_window_ns});
    }
    reply.created = true;
    reply.job.job_id = job.view.job_id;
    return reply;
  }

  Reply lease(const Command& command) {
    Job* best = nullptr;
    for (Job& job : jobs_) {
      if (job.view.state != JobState::pending || job.view.available_ns > now_) continue;
      if (best == nullptr || job.view.priority > best->view.priority) best = &job;
    }
    if (best == nullptr) return outcome(Outcome::empty);
    best->view.state = JobState::leased;
    best->view.attempt += 1;
    best->view.lease_expires_ns = now_ + command.lease_ns;
    best->view.worker_id = command.worker_id;
    Reply reply;
    reply.job = best->view;
    reply.payload = best->payload;
    return reply;
  }

  Reply with_token(const Command& command) {
    if (command.op == Op::complete && command.result.size() > kResultBytesMax) {
      return outcome(Outcome::too_large);
    }
    if (command.op == Op::fail && command.reason.size() > kReasonBytesMax) {
      return outcome(Outcome::too_large);
    }
    Reply reply = get(command.job_id);
    if (reply.outcome != Outcome::ok) return reply;
    Job& job = jobs_[command.job_id - 1];
    if (is_final(job.view.state)) {
      if (command.op == Op::heartbeat) {
        reply.outcome =
            command.token == job.view.attempt ? Outcome::not_leased : Outcome::stale_token;
      } else {
        reply.outcome = job.view.state == JobState::completed ? Outcome::already_completed
                                                              : Outcome::already_final;
      }
      return reply;
    }
    if (command.token != job.view.attempt) {
      reply.outcome = Outcome::stale_token;
      return reply;
    }
    if (job.view.state != JobState::leased) {
      reply.outcome = Outcome::not_leased;
      return reply;
    }
    if (command.op == Op::heartbeat) {
      job.view.lease_expires_ns = now_ + command.lease_ns;
    } else if (command.op == Op::complete) {
      finish(job, JobState::completed, now_);
    } else if (job.view.attempt >= job.view.max_attempts) {
      finish(job, JobState::dead, now_);
    } else {
      job.view.state = JobState::pending;
      job.view.available_ns = now_ + backoff(job.view.attempt);
      job.view.lease_expires_ns = 0;
      job.view.worker_id = 0;
    }
    reply.job = job.view;
    return reply;
  }

  Reply cancel(JobId job_id) {
    Reply reply = get(job_id);
    if (reply.outcome != Outcome::ok) return reply;
    Job& job = jobs_[job_id - 1];
    if (is_final(job.view.state)) {
      reply.outcome = Outcome::already_final;
      return reply;
    }
    finish(job, JobState::cancelled, now_);
    reply.job = job.view;
    return reply;
  }

  Config config_;
  std::uint64_t now_ = 0;
  std::vector<Job> jobs_;
  std::vector<Key> keys_;
};

Config property_config() {
  Config config;
  config.jobs_max = 8;
  config.idempotency_window_ns = 40;
  config.backoff_base_ns = 3;
  config.backoff_max_ns = 20;
  return config;
}

// One random step: (kind, time, a, b, c) bytes, interpreted against the model's current state so
// job ids often name a leased job and tokens are often the current one, one behind or one ahead.
using Step = std::tuple<std::uint8_t, std::uint8_t, std::uint8_t, std::uint8_t, std::uint8_t>;

struct StepMaker {
  std::uint64_t leader_clock = 0;

  Command make(const Step& step, const Model& model, std::size_t serial) {
    const auto [kind, time, a, b, c] = step;
    leader_clock += time % 8;
    // Now and then the command comes from a leader whose clock is behind.
    std::uint64_t stamp = leader_clock;
    if (time >= 224) stamp = leader_clock >= (time % 32) ? leader_clock - (time % 32) : 0;
    Command command;
    // Half the time a leased job (if any), so heartbeats and completions often hit live leases.
    const std::vector<JobId> leased = model.leased_ids();
    const JobId job_id =
        (a & 1) == 0 && !leased.empty() ? leased[(a >> 1) % leased.size()] : a % 10;
    const std::uint32_t attempt = model.attempt_of(job_id);
    const std::uint32_t tokens[4] = {attempt, attempt - 1, attempt + 1, 0};
    switch (kind % 9) {
      case 0:
      case 1: {
        std::optional<std::string> key;
        if (c % 3 != 0) key = "key-" + std::to_string(c % 4);
        std::optional<std::uint64_t> not_before;
        if (b % 4 == 0) not_before = leader_clock + b % 16;
        std::string payload = "job-" + std::to_string(serial);
        if (a == 255) payload.assign(kPayloadBytesMax + 1, 'x');
        command = Command::enqueue(payload, b % 3, 1 + c % 3, key, not_before);
        break;
      }
      case 2:
      case 3:
        command = Command::lease(a % 4, 1 + b % 24);
        break;
      case 4:
        command = Command::heartbeat(job_id, tokens[b % 4], 1 + c % 24);
        break;
      case 5:
        command = Command::complete(job_id, tokens[b % 4], "done");
        break;
      case 6:
        command = Command::fail(job_id, tokens[b % 4], "error");
        break;
      case 7:
        command = Command::cancel(job_id);
        break;
      default:
        command = Command::get(job_id);
        break;
    }
    command.now_ns = stamp;
    return command;
  }
};

Reply apply_command(JobQueue& queue, Index index, const Command& command) {
  const auto reply = decode_reply(queue.apply(index, encode_command(command)));
  RAFTSIM_CHECK(reply.has_value());
  return *reply;
}

Reply query_get(const JobQueue& queue, JobId job_id) {
  const auto reply = decode_reply(queue.query(encode_command(Command::get(job_id))));
  RAFTSIM_CHECK(reply.has_value());
  return *reply;
}

RC_GTEST_PROP(JobQueueProperty, MatchesTheBruteForceModel, (std::vector<Step> steps)) {
  JobQueue queue(property_config());
  Model model(property_config());
  StepMaker maker;
  Index index = 0;
  for (const Step& step : steps) {
    const Command command = maker.make(step, model, index);
    const Reply expected = model.run(command);
    const Reply actual = apply_command(queue, ++index, command);
    RC_ASSERT(actual == expected);
    queue.check_invariants();
    RC_ASSERT(queue.now_ns() == model.now());
    for (JobId job_id = 0; job_id <= 9; ++job_id) {
      RC_ASSERT(query_get(queue, job_id) == model.get(job_id));
    }
  }
}

// Replays the same steps into twins, so equal hashes can be compared with equal behaviour.
void run_steps(JobQueue& queue, Model& model, StepMaker& maker, Index& index,
               const std::vector<Step>& steps) {
  for (const Step& step : steps) {
    const Command command = maker.make(step, model, index);
    model.run(command);
    (void)apply_command(queue, ++index, command);
  }
}

RC_GTEST_PROP(JobQueueProperty, SnapshotRestorePreservesHashAndBehaviour,
              (std::vector<Step> prefix, std::vector<Step> suffix)) {
  JobQueue original(property_config());
  Model model(property_config());
  StepMaker maker;
  Index index = 0;
  run_steps(original, model, maker, index, prefix);

  JobQueue from_full(property_config());
  RC_ASSERT(from_full.restore(original.snapshot_full()).ok());
  JobQueue from_parts(property_config());
  RC_ASSERT(from_parts.restore(original.snapshot_hot(), original.snapshot_cold()).ok());
  JobQueue lazy(property_config());
  RC_ASSERT(lazy.restore_hot(original.snapshot_hot()).ok());
  const std::vector<std::uint8_t> cold = original.snapshot_cold();
  for (JobQueue* restored : {&from_full, &from_parts}) {
    restored->check_invariants();
    RC_ASSERT(restored->state_hash() == original.state_hash());
    RC_ASSERT(restored->snapshot_full() == original.snapshot_full());
  }
  lazy.check_invariants();

  for (const Step& step : suffix) {
    const Command command = maker.make(step, model, index);
    model.run(command);
    ++index;
    const Reply expected = apply_command(original, index, command);
    RC_ASSERT(apply_command(from_full, index, command) == expected);
    RC_ASSERT(apply_command(from_parts, index, command) == expected);
    const Reply lazy_reply = apply_command(lazy, index, command);
    RC_ASSERT(lazy_reply == expected || lazy_reply.outcome == Outcome::unavailable);
    lazy.check_invariants();
  }
  RC_ASSERT(from_full.state_hash() == original.state_hash());
  RC_ASSERT(from_parts.state_hash() == original.state_hash());
  RC_ASSERT(lazy.restore_cold(cold).ok());
  lazy.check_invariants();
  RC_ASSERT(lazy.state_hash() == original.state_hash());
  for (JobId job_id = 0; job_id <= 9; ++job_id) {
    RC_ASSERT(query_get(lazy, job_id) == query_get(original, job_id));
  }
}

// ---------------------------------------------------------------------------------------------
// Snapshots: lazy cold loading, mismatched parts, corruption.

// A machine with jobs in every state: 1 completed, 2 dead, 3 cancelled, 4 leased, 5 pending
// (delayed by backoff), 6 pending (ready), with idempotency keys.
Driver busy_driver() {
  Driver driver;
  driver.run(0, Command::enqueue("one", 9, 1, "k1"));
  driver.run(0, Command::enqueue("two", 8, 1));
  driver.run(0, Command::enqueue("three", 7, 1));
  driver.run(0, Command::enqueue("four", 6, 2, "k4"));
  driver.run(0, Command::enqueue("five", 5, 3));
  driver.run(0, Command::enqueue("six", 0, 1));
  driver.run(1, Command::lease(1, 500));  // 1
  driver.run(1, Command::complete(1, 1));
  driver.run(1, Command::lease(1, 500));  // 2
  driver.run(1, Command::fail(2, 1));     // dead: max_attempts 1
  driver.run(1, Command::cancel(3));
  driver.run(1, Command::lease(1, 500));  // 4
  driver.run(1, Command::lease(1, 500));  // 5
  driver.run(2, Command::fail(5, 1));     // pending until 102
  return driver;
}

TEST(JobQueueSnapshot, ServesAfterHotOnlyAndAnswersColdJobsUnavailable) {
  Driver original = busy_driver();
  const auto hot = original.queue.snapshot_hot();
  const auto cold = original.queue.snapshot_cold();
  EXPECT_EQ(hot.size() + cold.size(), original.queue.snapshot_full().size());

  Driver lazy;
  lazy.index = original.index;
  ASSERT_TRUE(lazy.queue.restore_hot(hot).ok());
  EXPECT_FALSE(lazy.queue.cold_loaded());
  EXPECT_EQ(lazy.get(1).outcome, Outcome::unavailable);
  EXPECT_EQ(lazy.get(4).job.state, JobState::leased);
  EXPECT_EQ(lazy.get(7).outcome, Outcome::not_found);
  // Live work goes on: lease, complete, enqueue; idempotency keys of cold jobs still match.
  EXPECT_EQ(lazy.run(3, Command::lease(2, 100)).job.job_id, 6u);
  EXPECT_EQ(lazy.run(3, Command::complete(1, 1)).outcome, Outcome::unavailable);
  EXPECT_EQ(lazy.run(3, Command::cancel(2)).outcome, Outcome::unavailable);
  EXPECT_EQ(lazy.run(3, Command::complete(4, 1)).outcome, Outcome::ok);
  const Reply retry = lazy.run(3, Command::enqueue("one", 9, 1, "k1"));
  EXPECT_FALSE(retry.created);
  EXPECT_EQ(retry.job.job_id, 1u);
  EXPECT_EQ(lazy.run(3, Command::enqueue("seven")).job.job_id, 7u);

  ASSERT_TRUE(lazy.queue.restore_cold(cold).ok());
  lazy.queue.check_invariants();
  EXPECT_EQ(lazy.get(1).job.state, JobState::completed);
  EXPECT_EQ(lazy.get(2).job.state, JobState::dead);
  EXPECT_EQ(lazy.get(3).job.state, JobState::cancelled);
  EXPECT_EQ(lazy.get(4).job.state, JobState::completed);
  EXPECT_EQ(lazy.run(3, Command::complete(1, 1)).outcome, Outcome::already_completed);
  // A second cold load has nothing to wait for.
  EXPECT_EQ(lazy.queue.restore_cold(cold).code(), StatusCode::invalid_argument);
}

TEST(JobQueueSnapshot, ColdPartMustBelongToTheHotPart) {
  Driver original = busy_driver();
  const auto hot = original.queue.snapshot_hot();
  const auto cold = original.queue.snapshot_cold();
  original.run(3, Command::cancel(6));
  const auto later_cold = original.queue.snapshot_cold();
  JobQueue target(small_config());
  const std::uint64_t empty_hash = target.state_hash();
  EXPECT_EQ(target.restore(hot, later_cold).code(), StatusCode::invalid_argument);
  EXPECT_EQ(target.state_hash(), empty_hash);
  EXPECT_EQ(target.restore(cold, hot).code(), StatusCode::corruption);  // wrong magic
  Config other = small_config();
  other.jobs_max = 9;
  JobQueue different(other);
  EXPECT_EQ(different.restore(original.queue.snapshot_full()).code(), StatusCode::invalid_argument);
  ASSERT_TRUE(target.restore(hot, cold).ok());
}

TEST(JobQueueSnapshot, TruncatedOrBitFlippedSnapshotsAreRefusedAndChangeNothing) {
  Driver original = busy_driver();
  const auto full = original.queue.snapshot_full();
  Driver target = busy_driver();
  target.run(50, Command::enqueue("differs"));
  const std::uint64_t hash = target.queue.state_hash();
  for (std::size_t size = 0; size < full.size(); ++size) {
    const std::span<const std::uint8_t> truncated(full.data(), size);
    const Status status = target.queue.restore(truncated);
    ASSERT_FALSE(status.ok()) << "truncated to " << size;
    EXPECT_EQ(status.code(), StatusCode::corruption);
  }
  for (std::size_t at = 0; at < full.size(); ++at) {
    for (int bit : {0, 7}) {
      std::vector<std::uint8_t> flipped = full;
      flipped[at] ^= static_cast<std::uint8_t>(1 << bit);
      const Status status = target.queue.restore(flipped);
      ASSERT_FALSE(status.ok()) << "bit " << bit << " of byte " << at;
      EXPECT_EQ(status.code(), StatusCode::corruption);
    }
  }
  std::vector<std::uint8_t> longer = full;
  longer.push_back(0);
  EXPECT_EQ(target.queue.restore(longer).code(), StatusCode::corruption);
  EXPECT_EQ(target.queue.state_hash(), hash);
  target.queue.check_invariants();
}

// Recomputes the digest that closes a section (its last 8 bytes), so a test can change the body
// and reach the structural checks behind the digest.
void reseal(std::vector<std::uint8_t>& section) {
  const std::size_t covered = section.size() - 8;
  const std::uint64_t digest =
      Hasher().add_bytes(std::span<const std::uint8_t>(section.data(), covered)).value();
  for (std::size_t i = 0; i < 8; ++i)
    section[covered + i] = static_cast<std::uint8_t>(digest >> (8 * i));
}

void put_u64_at(std::vector<std::uint8_t>& bytes, std::size_t at, std::uint64_t value) {
  for (std::size_t i = 0; i < 8; ++i) bytes[at + i] = static_cast<std::uint8_t>(value >> (8 * i));
}

TEST(JobQueueSnapshot, StructuralChecksBehindTheDigest) {
  Driver original = busy_driver();
  const auto hot = original.queue.snapshot_hot();
  const auto cold = original.queue.snapshot_cold();
  constexpr std::size_t kBody = 13;  // magic, version, body size
  const auto refused = [&](std::vector<std::uint8_t> bad_hot, std::vector<std::uint8_t> bad_cold) {
    reseal(bad_hot);
    reseal(bad_cold);
    JobQueue target(small_config());
    return !target.restore(bad_hot, bad_cold).ok();
  };
  // next_job_id (field 6) beyond the table limit, or not covering the jobs.
  std::vector<std::uint8_t> bad = hot;
  put_u64_at(bad, kBody + 6 * 8, 100);
  EXPECT_TRUE(refused(bad, cold));
  bad = hot;
  put_u64_at(bad, kBody + 6 * 8, 6);
  EXPECT_TRUE(refused(bad, cold));
  // The completion counter (field 10) no longer matches the cold records.
  bad = hot;
  put_u64_at(bad, kBody + 10 * 8, 2);
  put_u64_at(bad, kBody + 11 * 8, 0);
  EXPECT_TRUE(refused(bad, cold));
  // The first live job's state byte made final.
  bad = hot;
  bad[kBody + 16 * 8 + 8] = static_cast<std::uint8_t>(JobState::completed);
  EXPECT_TRUE(refused(bad, cold));
  // A cold record's state changed: structurally fine, but the digest the hot part promised and
  // the counters differ.
  std::vector<std::uint8_t> bad_cold = cold;
  bad_cold[kBody + 16 + 8] = static_cast<std::uint8_t>(JobState::dead);
  EXPECT_TRUE(refused(hot, bad_cold));
  // Unchanged parts, resealed, still restore.
  EXPECT_FALSE(refused(hot, cold));
}

RC_GTEST_PROP(JobQueueSnapshot, ResealedRandomDamageIsRefusedOrConsistent,
              (std::vector<Step> steps, std::vector<std::pair<std::uint16_t, std::uint8_t>> damage,
               bool damage_cold)) {
  JobQueue original(property_config());
  Model model(property_config());
  StepMaker maker;
  Index index = 0;
  run_steps(original, model, maker, index, steps);
  std::vector<std::uint8_t> hot = original.snapshot_hot();
  std::vector<std::uint8_t> cold = original.snapshot_cold();
  std::vector<std::uint8_t>& target_bytes = damage_cold ? cold : hot;
  if (target_bytes.size() > 21) {
    for (const auto& [position, value] : damage) {
      target_bytes[13 + position % (target_bytes.size() - 21)] ^= value;
    }
    reseal(target_bytes);
  }
  JobQueue restored(property_config());
  if (restored.restore(hot, cold).ok()) {
    restored.check_invariants();
    // And it keeps working.
    for (const Step& step : steps) {
      const Command command = maker.make(step, model, index);
      (void)apply_command(restored, ++index, command);
      restored.check_invariants();
    }
  }
}

}  // namespace
}  // namespace raftsim::queue

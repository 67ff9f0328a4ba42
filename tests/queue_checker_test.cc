// raftsim tests: the queue history format and the queue checker.
// Crafted histories for every rule (each must be caught and named with its job), crafted valid
// histories (redelivery after expiry or fail, recovered info enqueues, idempotent retries,
// concurrent workers), and properties: histories from a correct in-test toy queue always pass,
// and each single mutation of a listed kind makes the checker report the rule it targets.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sim/checkers/queue_checker.h"
#include "sim/checkers/queue_timing_rules.h"
#include "sim/workload/queue_history.h"

namespace raftsim::sim {
namespace {

using Status_ = QueueOperationStatus;

constexpr Time kLeaseDuration = 1000;

// Builds crafted histories operation by operation; times are virtual ns.
class Crafted {
 public:
  Crafted() { final_state.available = true; }

  std::size_t add(QueueOperation operation) {
    EXPECT_TRUE(history.append(std::move(operation)).ok());
    return history.size() - 1;
  }
  std::size_t enqueue(Time invoke, Time returned, std::optional<JobId> job, bool created = true,
                      std::optional<std::string> key = std::nullopt, std::uint64_t max_attempts = 3,
                      Status_ status = Status_::ok, std::optional<Time> not_before = std::nullopt) {
    QueueOperation operation = base(0, QueueOp::enqueue, invoke, returned, status);
    operation.arguments.payload = "p";
    operation.arguments.not_before = not_before;
    operation.arguments.idempotency_key = std::move(key);
    operation.arguments.max_attempts = max_attempts;
    if (job) operation.reply.job_id = *job;
    operation.reply.created = created;
    return add(operation);
  }
  // A lease granted at `granted` (state-machine time) for `duration`; the recorded lease_ns is
  // `duration` unless record_duration is false (then the checker needs the option).
  std::size_t lease(std::uint64_t worker, Time invoke, Time returned, JobId job,
                    std::uint64_t attempt, Time granted, Status_ status = Status_::ok,
                    Time duration = kLeaseDuration, bool record_duration = true) {
    QueueOperation operation = base(worker, QueueOp::lease, invoke, returned, status);
    operation.arguments.lease_duration = record_duration ? duration : 0;
    operation.reply.job_id = job;
    operation.reply.attempt = attempt;
    operation.reply.lease_expires = granted + duration;
    operation.reply.enqueued = lease_enqueued;
    return add(operation);
  }
  std::size_t heartbeat(std::uint64_t worker, Time invoke, Time returned, JobId job,
                        std::uint64_t token, Time granted) {
    QueueOperation operation = base(worker, QueueOp::heartbeat, invoke, returned, Status_::ok);
    operation.arguments =
        QueueArguments{.job_id = job, .token = token, .lease_duration = kLeaseDuration};
    operation.reply.lease_expires = granted + kLeaseDuration;
    return add(operation);
  }
  std::size_t with_token(QueueOp op, std::uint64_t worker, Time invoke, Time returned, JobId job,
                         std::uint64_t token, Status_ status = Status_::ok, std::string note = "") {
    QueueOperation operation = base(worker, op, invoke, returned, status);
    operation.arguments.job_id = job;
    operation.arguments.token = token;
    operation.reply.note = std::move(note);
    return add(operation);
  }
  std::size_t complete(std::uint64_t worker, Time invoke, Time returned, JobId job,
                       std::uint64_t token, Status_ status = Status_::ok, std::string note = "") {
    return with_token(QueueOp::complete, worker, invoke, returned, job, token, status, note);
  }
  std::size_t fail(std::uint64_t worker, Time invoke, Time returned, JobId job, std::uint64_t token,
                   Status_ status = Status_::ok) {
    return with_token(QueueOp::fail, worker, invoke, returned, job, token, status);
  }
  std::size_t cancel(Time invoke, Time returned, JobId job, Status_ status = Status_::ok) {
    return with_token(QueueOp::cancel, 0, invoke, returned, job, 0, status);
  }
  void job(JobId job_id, JobFinalStatus status, std::uint64_t attempts,
           std::uint64_t completions = 0, std::uint64_t max_attempts = 3) {
    final_state.jobs[job_id] = FinalJob{status, attempts, max_attempts, completions, false};
  }
  QueueCheckReport check(QueueCheckOptions options = {}) const {
    return check_queue(history, final_state, options);
  }

  QueueHistory history;
  QueueFinalState final_state;
  std::optional<Time> lease_enqueued;  // the creation time the next ok leases report

 private:
  static QueueOperation base(std::uint64_t client, QueueOp op, Time invoke, Time returned,
                             Status_ status) {
    QueueOperation operation;
    operation.client = client;
    operation.op = op;
    operation.invoke_time = invoke;
    operation.return_time = returned;
    operation.status = status;
    return operation;
  }
};

// Only the given rules fired, each for the given job.
void expect_only(const QueueCheckReport& report,
                 std::vector<std::pair<QueueRule, JobId>> expected) {
  std::vector<std::pair<QueueRule, JobId>> found;
  for (const QueueFinding& finding : report.findings) {
    found.emplace_back(finding.rule, finding.job_id);
  }
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(found, expected) << report.to_json();
}

// ---- the history format

TEST(QueueHistoryFormat, RoundTripsEveryOpStatusAndTheFinalState) {
  Crafted crafted;
  crafted.enqueue(10, 20, 1, true, "key-a", 3);
  crafted.enqueue(11, 0, std::nullopt, false, std::nullopt, 0, Status_::info);
  crafted.enqueue(12, 13, std::nullopt, false, "key-b", 5, Status_::fail);
  QueueOperation delayed;
  delayed.op = QueueOp::enqueue;
  delayed.arguments = {.payload = "later", .priority = -4, .not_before = 9'000};
  delayed.status = Status_::pending;
  delayed.invoke_time = 14;
  crafted.add(delayed);
  crafted.lease_enqueued = 15;
  crafted.lease(7, 30, 40, 1, 1, 35);
  QueueOperation empty_lease;
  empty_lease.client = 8;
  empty_lease.op = QueueOp::lease;
  empty_lease.status = Status_::ok;
  empty_lease.invoke_time = 31;
  empty_lease.return_time = 41;
  empty_lease.reply.empty = true;
  crafted.add(empty_lease);
  crafted.heartbeat(7, 50, 60, 1, 1, 55);
  crafted.complete(9, 55, 65, 1, 0, Status_::fail, "stale_token");
  crafted.complete(7, 70, 80, 1, 1);
  crafted.fail(7, 71, 0, 1, 1, Status_::info);
  crafted.cancel(90, 95, 1, Status_::fail);
  crafted.job(1, JobFinalStatus::completed, 1, 1);
  crafted.final_state.jobs[2] = FinalJob{JobFinalStatus::dead, 3, 3, 0, std::nullopt};
  crafted.final_state.counters = FinalCounters{4, 2};

  const std::string json = crafted.history.to_json(&crafted.final_state);
  const Result<QueueHistoryDocument> parsed = QueueHistory::parse(json);
  ASSERT_TRUE(parsed.ok()) << parsed.status().to_string();
  EXPECT_EQ(parsed.value().history, crafted.history);
  ASSERT_TRUE(parsed.value().final_state.has_value());
  EXPECT_EQ(*parsed.value().final_state, crafted.final_state);
  EXPECT_EQ(parsed.value().history.to_json(&*parsed.value().final_state), json);
  EXPECT_NE(json.find("\"format\": \"raftsim queue history\""), std::string::npos);

  const Result<QueueHistoryDocument> without = QueueHistory::parse(crafted.history.to_json());
  ASSERT_TRUE(without.ok());
  EXPECT_FALSE(without.value().final_state.has_value());
}

TEST(QueueHistoryFormat, EndKeepsOnlyTheFieldsTheStatusUses) {
  QueueHistory history;
  QueueOperation lease;
  lease.client = 3;
  lease.op = QueueOp::lease;
  lease.invoke_time = 5;
  const std::optional<std::size_t> first = history.begin(lease);
  const std::optional<std::size_t> second = history.begin(lease);
  ASSERT_TRUE(first && second);
  history.end(*first, Status_::fail, 9,
              QueueReply{.job_id = 4, .attempt = 2, .note = "not_leader"});
  history.end(*second, Status_::ok, 9, QueueReply{.job_id = 4, .attempt = 2, .lease_expires = 90});
  EXPECT_EQ(history.operations()[0].reply, QueueReply{.note = "not_leader"});
  EXPECT_FALSE(history.operations()[0].job().has_value());
  EXPECT_EQ(history.operations()[1].job(), std::optional<JobId>(4));
  EXPECT_EQ(history.count(Status_::ok), 1u);
}

TEST(QueueHistoryFormat, ParseErrorsNameTheJsonPath) {
  Crafted crafted;
  crafted.enqueue(10, 20, 1);
  crafted.lease(7, 30, 40, 1, 1, 35);
  const std::string good = crafted.history.to_json(&crafted.final_state);
  const auto error_of = [](const std::string& text) {
    const Result<QueueHistoryDocument> parsed = QueueHistory::parse(text);
    return parsed.ok() ? std::string("parsed") : parsed.status().message();
  };
  const auto replaced = [&](const std::string& from, const std::string& to) {
    std::string text = good;
    const std::size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return text.replace(at, from.size(), to);
  };
  EXPECT_NE(error_of(replaced("\"status\": \"ok\"", "\"status\": \"done\""))
                .find("/operations/0/status: expected \"pending\""),
            std::string::npos);
  EXPECT_NE(error_of(replaced("\"attempt\": 1", "\"attempt\": -1"))
                .find("/operations/1/attempt: expected a non-negative integer"),
            std::string::npos);
  EXPECT_NE(error_of(replaced("\"return_ns\": 20", "\"return_ns\": 5"))
                .find("/operations/0/return_ns: expected a time not before invoke_ns"),
            std::string::npos);
  EXPECT_NE(error_of(replaced("\"lease_expires_ns\"", "\"lease_expiry\""))
                .find("/operations/1/lease_expires_ns: expected a value"),
            std::string::npos);
  EXPECT_NE(error_of(replaced("raftsim queue history", "kv")).find("/format"), std::string::npos);
  EXPECT_NE(error_of(replaced("\"version\": 1", "\"version\": 2")).find("/version"),
            std::string::npos);
  EXPECT_NE(
      error_of(replaced("\"available\": true", "\"available\": 1")).find("/final_state/available"),
      std::string::npos);
  EXPECT_EQ(error_of("{\"format\": "),
            "queue history:1:12: unexpected end of input: expected a JSON value");
  EXPECT_NE(error_of("{\"format\": 1, \"format\": 2}").find("duplicate key \"format\""),
            std::string::npos);
  // Fields nothing reads are refused, not dropped: a misspelling at the top, one in an
  // operation, and a real field on an op that does not have it.
  EXPECT_NE(error_of(replaced("\"version\": 1", "\"version\": 1, \"fromat\": 0"))
                .find("/fromat: unknown field (allowed: format, version, operations, final_state)"),
            std::string::npos);
  EXPECT_NE(error_of(replaced("\"lease_expires_ns\"", "\"colour\": 1, \"lease_expires_ns\""))
                .find("/operations/1/colour: not a field of a lease with status ok"),
            std::string::npos);
  EXPECT_EQ(error_of(good), "parsed");
}

TEST(QueueHistoryFormat, AppendRefusesAReturnBeforeTheInvocationAndOversizedText) {
  QueueHistory history;
  QueueOperation operation;
  operation.status = Status_::ok;
  operation.invoke_time = 10;
  operation.return_time = 9;
  EXPECT_FALSE(history.append(operation).ok());
  operation.return_time = 10;
  operation.arguments.payload.assign(QueueHistory::kTextBytesMax + 1, 'x');
  EXPECT_FALSE(history.append(operation).ok());
  EXPECT_EQ(history.size(), 0u);
}

// ---- valid crafted histories

TEST(QueueCheckerValid, LeaseHeartbeatComplete) {
  Crafted c;
  c.enqueue(10, 20, 1);
  c.lease(100, 30, 40, 1, 1, 35);
  c.heartbeat(100, 50, 60, 1, 1, 55);
  c.complete(100, 70, 80, 1, 1);
  c.job(1, JobFinalStatus::completed, 1, 1);
  const QueueCheckReport report = c.check();
  EXPECT_TRUE(report.valid) << report.to_json();
  expect_only(report, {});
  EXPECT_EQ(report.jobs_completed, 1u);
}

TEST(QueueCheckerValid, RedeliveryAfterExpiryWithTheSlowWorkerRejected) {
  Crafted c;
  c.enqueue(10, 20, 1);
  c.lease(100, 30, 40, 1, 1, 35);        // expires at 1035
  c.lease(101, 1100, 1110, 1, 2, 1105);  // granted after the expiry
  c.complete(100, 1200, 1210, 1, 1, Status_::fail, "stale_token");
  c.complete(101, 1300, 1310, 1, 2);
  c.job(1, JobFinalStatus::completed, 2, 1);
  expect_only(c.check(), {});
}

TEST(QueueCheckerValid, RedeliveryAfterFailEvenBeforeTheLeaseWouldExpire) {
  Crafted c;
  c.enqueue(10, 20, 1);
  c.lease(100, 30, 40, 1, 1, 35);
  c.fail(100, 50, 0, 1, 1, Status_::info);  // outcome unknown: may have ended attempt 1
  c.lease(101, 60, 70, 1, 2, 65);
  c.complete(101, 80, 90, 1, 2);
  c.job(1, JobFinalStatus::completed, 2, 1);
  expect_only(c.check(), {});
}

TEST(QueueCheckerValid, RedeliveryAfterAHeartbeatShortenedTheLease) {
  Crafted c;
  c.enqueue(10, 20, 1);
  c.lease(100, 30, 40, 1, 1, 35);  // until 1035
  QueueOperation shorten;
  shorten.client = 100;
  shorten.op = QueueOp::heartbeat;
  shorten.status = Status_::ok;
  shorten.invoke_time = 200;
  shorten.return_time = 210;
  shorten.arguments = QueueArguments{.job_id = 1, .token = 1, .lease_duration = 100};
  shorten.reply.lease_expires = 305;  // a heartbeat sets the expiry: here earlier than before
  c.add(shorten);
  c.lease(101, 500, 510, 1, 2, 505);
  c.job(1, JobFinalStatus::leased, 2);
  expect_only(c.check(), {});
}

TEST(QueueCheckerValid, RedeliveryAfterAHeartbeatOfUnknownOutcome) {
  Crafted c;
  c.enqueue(10, 20, 1);
  c.lease(100, 30, 40, 1, 1, 35);  // until 1035
  QueueOperation heartbeat;
  heartbeat.client = 100;
  heartbeat.op = QueueOp::heartbeat;
  heartbeat.status = Status_::info;  // may have set the expiry to grant + 10 or later
  heartbeat.invoke_time = 20;
  heartbeat.arguments = QueueArguments{.job_id = 1, .token = 1, .lease_duration = 10};
  c.add(heartbeat);
  c.lease(101, 500, 510, 1, 2, 505);
  c.job(1, JobFinalStatus::leased, 2);
  expect_only(c.check(), {});
}

TEST(QueueCheckerValid, InfoEnqueueThatShowsUpIsRecoveredNotAViolation) {
  Crafted c;
  c.enqueue(10, 0, std::nullopt, false, std::nullopt, 3, Status_::info);
  c.lease(100, 30, 40, 7, 1, 35);
  c.complete(100, 50, 60, 7, 1);
  c.job(7, JobFinalStatus::completed, 1, 1);
  const QueueCheckReport report = c.check();
  EXPECT_TRUE(report.valid);
  expect_only(report, {{QueueRule::recovered, 7}});
  EXPECT_EQ(report.category_count("recovered"), 1u);
}

TEST(QueueCheckerValid, IdempotentRetriesReturnTheSameJob) {
  Crafted c;
  c.enqueue(10, 0, std::nullopt, false, "order-9", 3, Status_::info);
  c.enqueue(20, 30, 4, false, "order-9");  // the first one took effect
  c.enqueue(40, 50, 4, false, "order-9");
  c.enqueue(45, 55, 5, true, "order-10");
  c.job(4, JobFinalStatus::pending, 0);
  c.job(5, JobFinalStatus::pending, 0);
  expect_only(c.check(), {});
}

TEST(QueueCheckerValid, KeyReusedAfterTheIdempotencyWindow) {
  Crafted c;
  c.enqueue(10, 20, 4, true, "k");
  c.enqueue(5'000, 5'010, 5, true, "k");
  c.job(4, JobFinalStatus::pending, 0);
  c.job(5, JobFinalStatus::pending, 0);
  expect_only(c.check({.idempotency_window = 1'000}), {});
  expect_only(c.check(), {{QueueRule::idempotency_key_reused, 5}});
}

TEST(QueueCheckerValid, ConcurrentWorkersCancelAndDeadLetter) {
  Crafted c;
  c.enqueue(10, 20, 1);
  c.enqueue(11, 21, 2, true, std::nullopt, 2);
  c.enqueue(12, 22, 3);
  c.enqueue(13, 23, 4);
  c.lease(100, 30, 60, 1, 1, 40);
  c.lease(101, 31, 61, 2, 1, 41);
  c.complete(100, 70, 90, 1, 1);
  c.fail(101, 71, 91, 2, 1);
  c.lease(100, 95, 99, 2, 2, 97);  // expires at 1097; expiry of the last attempt: dead
  c.cancel(100, 110, 3);
  c.lease(101, 95, 0, 4, 0, 0, Status_::info);
  c.job(1, JobFinalStatus::completed, 1, 1);
  c.job(2, JobFinalStatus::dead, 2, 0, 2);
  c.job(3, JobFinalStatus::cancelled, 0);
  c.job(4, JobFinalStatus::leased, 1);
  const QueueCheckReport report = c.check();
  expect_only(report, {});
  EXPECT_EQ(report.jobs_acknowledged, 4u);
  EXPECT_EQ(report.jobs_delivered, 2u);
}

TEST(QueueCheckerValid, DeadLetteredJobsMissingFromTheFinalStateAreNotLost) {
  Crafted c;
  c.enqueue(10, 20, 1, true, std::nullopt, 1);
  c.lease(100, 30, 40, 1, 1, 35);
  c.fail(100, 50, 60, 1, 1);
  expect_only(c.check(), {});
}

// ---- every violation, crafted

TEST(QueueCheckerViolation, LostNeverDelivered) {
  Crafted c;
  c.enqueue(10, 20, 1);
  c.enqueue(11, 21, 2);
  c.job(2, JobFinalStatus::pending, 0);
  const QueueCheckReport report = c.check();
  EXPECT_FALSE(report.valid);
  expect_only(report, {{QueueRule::lost, 1}});
  ASSERT_EQ(report.findings.size(), 1u);
  EXPECT_EQ(report.findings[0].operations.at(0).index, 0u);
  EXPECT_EQ(report.findings[0].operations.at(0).return_time, 20);
  EXPECT_EQ(report.category_count("lost"), 1u);
}

TEST(QueueCheckerViolation, LostAfterDelivery) {
  Crafted c;
  c.enqueue(10, 20, 1);
  c.lease(100, 30, 40, 1, 1, 35);
  expect_only(c.check(), {{QueueRule::lost, 1}});
}

TEST(QueueCheckerViolation, UnexpectedLeaseOfAJobNoEnqueueCreated) {
  Crafted c;
  c.lease(100, 30, 40, 9, 1, 35);
  c.enqueue(50, 0, std::nullopt, false, std::nullopt, 3, Status_::info);  // invoked too late
  c.job(9, JobFinalStatus::leased, 1);
  expect_only(c.check(), {{QueueRule::unexpected, 9}});
}

TEST(QueueCheckerViolation, UnexpectedPhantomInTheFinalState) {
  Crafted c;
  c.enqueue(10, 0, std::nullopt, false, std::nullopt, 3, Status_::info);
  c.job(5, JobFinalStatus::pending, 0);
  c.job(6, JobFinalStatus::pending, 0);  // one info enqueue explains one job, not two
  const QueueCheckReport report = c.check();
  EXPECT_EQ(report.count(QueueRule::unexpected), 1u);
  EXPECT_FALSE(report.valid);
}

TEST(QueueCheckerViolation, DuplicatedSameTokenToTwoWorkers) {
  Crafted c;
  c.enqueue(10, 20, 1);
  const std::size_t first = c.lease(100, 30, 40, 1, 1, 35);
  const std::size_t second = c.lease(101, 31, 41, 1, 1, 36);
  c.job(1, JobFinalStatus::leased, 1);
  const QueueCheckReport report = c.check();
  expect_only(report, {{QueueRule::duplicated_same_token, 1}});
  ASSERT_EQ(report.findings.at(0).operations.size(), 2u);
  EXPECT_EQ(report.findings[0].operations[0].index, first);
  EXPECT_EQ(report.findings[0].operations[1].index, second);
  EXPECT_EQ(report.category_count("duplicated"), 1u);
}

TEST(QueueCheckerViolation, DuplicatedOverlappingUnexpiredLeases) {
  Crafted c;
  c.enqueue(10, 20, 1);
  c.lease(100, 30, 40, 1, 1, 35);     // leased until 1035
  c.lease(101, 500, 510, 1, 2, 505);  // granted at 505 without a fail of attempt 1
  c.fail(100, 600, 610, 1, 1);        // a fail after the second lease returned explains nothing
  c.job(1, JobFinalStatus::leased, 2);
  expect_only(c.check(), {{QueueRule::duplicated_overlapping_lease, 1}});
}

TEST(QueueCheckerViolation, DuplicatedOverlappingWithTheDurationFromTheOptions) {
  Crafted c;
  c.enqueue(10, 20, 1);
  c.lease(100, 30, 40, 1, 1, 35, Status_::ok, 2'000, false);     // leased until 2035
  c.lease(101, 500, 510, 1, 2, 505, Status_::ok, 2'000, false);  // granted at 505
  c.job(1, JobFinalStatus::leased, 2);
  expect_only(c.check({.lease_duration = 2'000}), {{QueueRule::duplicated_overlapping_lease, 1}});
  // Without any lease duration the redelivery cannot be judged, and the report says so.
  const QueueCheckReport unknown = c.check();
  expect_only(unknown, {});
  ASSERT_EQ(unknown.skipped.size(), 1u);
  EXPECT_EQ(unknown.skipped[0].rfind("duplicated_overlapping_lease:", 0), 0u);
}

TEST(QueueCheckerViolation, DuplicatedWhileAHeartbeatHadExtendedTheLease) {
  Crafted c;
  c.enqueue(10, 20, 1);
  c.lease(100, 30, 40, 1, 1, 35);         // until 1035
  c.heartbeat(100, 900, 910, 1, 1, 905);  // until 1905
  c.lease(101, 1500, 1510, 1, 2, 1505);   // after the first expiry, before the extended one
  c.job(1, JobFinalStatus::leased, 2);
  const QueueCheckReport report = c.check();
  expect_only(report, {{QueueRule::duplicated_overlapping_lease, 1}});
  EXPECT_EQ(report.findings.at(0).operations.size(), 3u);  // both leases and the heartbeat

  Crafted later;  // the same, but the second lease comes after the extended expiry: valid
  later.enqueue(10, 20, 1);
  later.lease(100, 30, 40, 1, 1, 35);
  later.heartbeat(100, 900, 910, 1, 1, 905);
  later.lease(101, 2000, 2010, 1, 2, 2005);
  later.job(1, JobFinalStatus::leased, 2);
  expect_only(later.check(), {});
}

TEST(QueueCheckerViolation, DuplicatedAfterCompletion) {
  Crafted c;
  c.enqueue(10, 20, 1);
  c.lease(100, 30, 40, 1, 1, 35);
  c.complete(100, 50, 60, 1, 1);
  c.lease(101, 2000, 2010, 1, 2, 2005);
  c.job(1, JobFinalStatus::completed, 2, 1);
  expect_only(c.check(), {{QueueRule::duplicated_after_final, 1}});
}

TEST(QueueCheckerViolation, CompletedTwiceInTheHistory) {
  Crafted c;
  c.enqueue(10, 20, 1);
  c.lease(100, 30, 40, 1, 1, 35);
  c.complete(100, 50, 60, 1, 1);
  c.complete(100, 70, 80, 1, 1);
  c.job(1, JobFinalStatus::completed, 1, 1);
  expect_only(c.check(), {{QueueRule::completed_twice, 1}});
}

TEST(QueueCheckerViolation, CompletedTwiceInTheFinalState) {
  Crafted c;
  c.enqueue(10, 20, 1);
  c.lease(100, 30, 40, 1, 1, 35);
  c.complete(100, 50, 60, 1, 1);
  c.job(1, JobFinalStatus::completed, 1, 2);
  expect_only(c.check(), {{QueueRule::completed_twice, 1}});
}

TEST(QueueCheckerViolation, StaleTokenAcceptedAfterRedelivery) {
  Crafted c;
  c.enqueue(10, 20, 1);
  c.lease(100, 30, 40, 1, 1, 35);
  c.lease(101, 1100, 1110, 1, 2, 1105);
  const std::size_t stale = c.complete(100, 1200, 1210, 1, 1);  // the slow worker wins
  c.job(1, JobFinalStatus::completed, 2, 1);
  const QueueCheckReport report = c.check();
  expect_only(report, {{QueueRule::stale_token_accepted, 1}});
  EXPECT_EQ(report.findings.at(0).operations.at(1).index, stale);
}

TEST(QueueCheckerViolation, StaleTokenAcceptedAfterTheAttemptFailed) {
  Crafted c;
  c.enqueue(10, 20, 1);
  c.lease(100, 30, 40, 1, 1, 35);
  c.fail(100, 50, 60, 1, 1);
  c.complete(100, 70, 80, 1, 1);
  c.job(1, JobFinalStatus::completed, 1, 1);
  expect_only(c.check(), {{QueueRule::stale_token_accepted, 1}});
}

TEST(QueueCheckerViolation, StaleTokenNeverIssuedOrReportedByTheStateMachine) {
  Crafted c;
  c.enqueue(10, 20, 1);
  c.lease(100, 30, 40, 1, 1, 35);
  c.complete(100, 50, 60, 1, 7);
  c.job(1, JobFinalStatus::completed, 1, 1);
  expect_only(c.check(), {{QueueRule::stale_token_accepted, 1}});

  Crafted reported;
  reported.enqueue(10, 20, 2);
  reported.complete(100, 50, 60, 2, 1);
  reported.job(2, JobFinalStatus::completed, 1, 1);
  reported.final_state.jobs[2].stale_completion = true;
  expect_only(reported.check(), {{QueueRule::stale_token_accepted, 2}});
}

TEST(QueueCheckerViolation, IdempotencyKeyCreatedTwoJobs) {
  Crafted c;
  c.enqueue(10, 20, 1, true, "k");
  c.enqueue(30, 40, 2, true, "k");
  c.enqueue(50, 60, 1, false, "k");
  c.job(1, JobFinalStatus::pending, 0);
  c.job(2, JobFinalStatus::pending, 0);
  const QueueCheckReport report = c.check();
  expect_only(report, {{QueueRule::idempotency_key_reused, 2}});
  EXPECT_NE(report.findings.at(0).detail.find("\"k\""), std::string::npos);
}

TEST(QueueCheckerViolation, AttemptsExceededByALeaseAndByTheFinalState) {
  Crafted c;
  c.enqueue(10, 20, 1, true, std::nullopt, 1);
  c.lease(100, 30, 40, 1, 1, 35);
  c.lease(100, 1100, 1110, 1, 2, 1105);
  c.job(1, JobFinalStatus::leased, 2, 0, 1);
  const QueueCheckReport report = c.check();
  EXPECT_EQ(report.count(QueueRule::attempts_exceeded), 2u) << report.to_json();
  expect_only(report, {{QueueRule::attempts_exceeded, 1}, {QueueRule::attempts_exceeded, 1}});
}

TEST(QueueCheckerViolation, CompletionNotRecordedInTheFinalState) {
  Crafted c;
  c.enqueue(10, 20, 1);
  c.lease(100, 30, 40, 1, 1, 35);
  c.complete(100, 50, 60, 1, 1);
  c.job(1, JobFinalStatus::pending, 1);
  expect_only(c.check(), {{QueueRule::completion_not_recorded, 1}});
}

// ---- timing and refusal rules (queue_timing_rules.h)

QueueCheckOptions backoff_options() {
  QueueCheckOptions options;
  options.backoff_base = 100;
  options.backoff_max = 1000;
  return options;
}

TEST(QueueCheckerTiming, BackoffDoublesUpToTheMaximum) {
  const QueueCheckOptions options = backoff_options();
  EXPECT_EQ(queue_backoff(options, 1), 100);
  EXPECT_EQ(queue_backoff(options, 2), 200);
  EXPECT_EQ(queue_backoff(options, 4), 800);
  EXPECT_EQ(queue_backoff(options, 5), 1000);
  EXPECT_EQ(queue_backoff(options, 200), 1000);  // the shift would overflow
}

TEST(QueueCheckerTiming, LeaseAtOrAfterNotBeforePasses) {
  Crafted c;
  c.enqueue(10, 20, 1, true, std::nullopt, 3, Status_::ok, 5000);
  c.lease(100, 30, 5010, 1, 1, 5000);  // granted exactly at not_before
  c.complete(100, 5020, 5030, 1, 1);
  c.job(1, JobFinalStatus::completed, 1, 1);
  expect_only(c.check(), {});
}

TEST(QueueCheckerTiming, LeaseBeforeNotBeforeFails) {
  Crafted c;
  c.enqueue(10, 20, 1, true, std::nullopt, 3, Status_::ok, 5000);
  c.lease(100, 30, 40, 1, 1, 4999);
  c.complete(100, 50, 60, 1, 1);
  c.job(1, JobFinalStatus::completed, 1, 1);
  expect_only(c.check(), {{QueueRule::leased_before_not_before, 1}});
}

TEST(QueueCheckerTiming, RefusalsThatAgreeWithTheFinalStatePass) {
  Crafted c;
  c.enqueue(10, 20, 1);
  c.enqueue(10, 20, 2, true, std::nullopt, 1);
  c.lease(100, 30, 40, 1, 1, 35);
  c.complete(100, 50, 60, 1, 1);
  c.complete(100, 70, 80, 1, 1, Status_::fail, "already_completed");  // a late retry
  // cancel of a completed job answers already_final.
  c.with_token(QueueOp::cancel, 0, 90, 100, 1, 0, Status_::fail, "already_final");
  c.lease(101, 30, 40, 2, 1, 35);
  c.fail(101, 50, 60, 2, 1);  // its only attempt: dead
  c.with_token(QueueOp::fail, 101, 70, 80, 2, 1, Status_::fail, "already_final");
  c.job(1, JobFinalStatus::completed, 1, 1);
  c.job(2, JobFinalStatus::dead, 1, 0, 1);
  expect_only(c.check(), {});
}

TEST(QueueCheckerTiming, RefusalsThatContradictTheFinalStateFail) {
  Crafted c;
  c.enqueue(10, 20, 1);
  c.enqueue(10, 20, 2, true, std::nullopt, 1);
  c.lease(100, 30, 40, 1, 1, 35);
  c.complete(100, 50, 60, 1, 1);
  c.complete(100, 70, 80, 1, 1, Status_::fail, "already_final");  // completed: wrong reason
  c.lease(101, 30, 40, 2, 1, 35);
  c.fail(101, 50, 60, 2, 1);
  c.with_token(QueueOp::fail, 101, 70, 80, 2, 1, Status_::fail, "already_completed");  // dead
  c.job(1, JobFinalStatus::completed, 1, 1);
  c.job(2, JobFinalStatus::dead, 1, 0, 1);
  expect_only(c.check(), {{QueueRule::refusal_contradicts_final_state, 1},
                          {QueueRule::refusal_contradicts_final_state, 2}});
}

TEST(QueueCheckerTiming, RedeliveryAfterTheBackoffPassesAndBeforeItFails) {
  for (const Time second_grant : {Time{135}, Time{134}}) {
    Crafted c;
    c.enqueue(10, 20, 1);
    c.lease(100, 30, 40, 1, 1, 35);
    c.fail(100, 50, 60, 1, 1);  // attempt 1 backs off 100 from its fail, >= its grant
    c.lease(101, 120, 140, 1, 2, second_grant);
    c.complete(101, 150, 160, 1, 2);
    c.job(1, JobFinalStatus::completed, 2, 1);
    if (second_grant == 135) {
      expect_only(c.check(backoff_options()), {});
    } else {
      expect_only(c.check(backoff_options()), {{QueueRule::leased_before_backoff, 1}});
    }
    expect_only(c.check(), {});  // no backoff configured: not judged
  }
}

TEST(QueueCheckerTiming, PendingJobWaitingLongerThanItsBackoffFails) {
  Crafted c;
  c.enqueue(10, 20, 1);
  c.lease(100, 30, 40, 1, 1, 35);
  c.fail(100, 50, 60, 1, 1);
  c.lease(101, 300, 310, 1, 2, 305);
  c.fail(101, 320, 330, 1, 2);
  c.job(1, JobFinalStatus::pending, 2);
  c.final_state.jobs[1].available_remaining_ns = 200;  // backoff(2) = 200: allowed
  expect_only(c.check(backoff_options()), {});
  c.final_state.jobs[1].available_remaining_ns = 201;
  expect_only(c.check(backoff_options()), {{QueueRule::retry_delay_exceeds_backoff, 1}});
  expect_only(c.check(), {});  // no backoff configured: not judged
}

// Every acknowledged lease that handed out a job and every acknowledged fail was applied, so the
// queue's own counters cannot be lower; retries (info) may make them higher.
TEST(QueueCheckerCounters, CountersBelowTheAcknowledgedLeasesOrFailsFail) {
  Crafted c;
  c.enqueue(10, 20, 1);
  c.lease(100, 30, 40, 1, 1, 35);
  c.fail(100, 50, 60, 1, 1);
  c.lease(101, 300, 310, 1, 2, 305);
  c.fail(101, 320, 0, 1, 2, Status_::info);
  c.job(1, JobFinalStatus::pending, 2);
  expect_only(c.check(), {});  // counters unknown: not judged
  c.final_state.counters = FinalCounters{2, 1};
  expect_only(c.check(), {});
  c.final_state.counters = FinalCounters{3, 2};  // the info fail applied, a lease was retried
  expect_only(c.check(), {});
  c.final_state.counters = FinalCounters{2, 0};
  expect_only(c.check(), {{QueueRule::counter_below_history, 1}});
  c.final_state.counters = FinalCounters{1, 1};
  expect_only(c.check(), {{QueueRule::counter_below_history, 1}});
  c.final_state.available = false;
  expect_only(c.check(), {});
}

// The queue's time never goes back and an acknowledged operation applied before any operation
// invoked after it returned, so a job cannot have been created before the grant of a lease that
// returned before its enqueue was invoked, nor after its own lease's grant.
TEST(QueueCheckerTiming, EnqueuedTimeOutOfTheRealTimeOrderFails) {
  Crafted c;
  c.enqueue(10, 20, 1);
  c.lease(100, 30, 40, 1, 1, 35);  // granted at 35, returned at 40
  c.complete(100, 45, 50, 1, 1);
  c.enqueue(60, 70, 2);  // invoked at 60: created at 35 or later
  const std::size_t lease = c.lease(100, 80, 90, 2, 1, 85);
  c.complete(100, 95, 99, 2, 1);
  c.job(1, JobFinalStatus::completed, 1, 1);
  c.job(2, JobFinalStatus::completed, 1, 1);
  expect_only(c.check(), {});  // not recorded: not judged
  for (const auto& [enqueued, judged_bad] :
       {std::pair<Time, bool>{35, false}, {85, false}, {34, true}, {86, true}, {0, true}}) {
    c.history = [&] {
      QueueHistory copy;
      for (std::size_t i = 0; i < c.history.size(); ++i) {
        QueueOperation operation = c.history.operations()[i];
        if (i == lease) operation.reply.enqueued = enqueued;
        EXPECT_TRUE(copy.append(operation).ok());
      }
      return copy;
    }();
    if (judged_bad) {
      expect_only(c.check(), {{QueueRule::enqueued_time_out_of_order, 2}});
    } else {
      expect_only(c.check(), {});
    }
  }
}

// ---- report mechanics

TEST(QueueCheckerReport, CountsEverythingListsUpToTheLimitAndIsDeterministic) {
  Crafted c;
  for (JobId job = 1; job <= 5; ++job) c.enqueue(10 * job, 10 * job + 5, job);
  QueueCheckOptions options;
  options.findings_listed_per_rule_max = 2;
  const QueueCheckReport report = c.check(options);
  EXPECT_EQ(report.count(QueueRule::lost), 5u);
  EXPECT_EQ(report.findings.size(), 2u);
  EXPECT_EQ(report.findings[0].job_id, 1u);
  EXPECT_EQ(report.to_json(), c.check(options).to_json());
  EXPECT_NE(report.summary().find("lost: 5"), std::string::npos);
}

TEST(QueueCheckerReport, NoFinalStateSkipsTheFinalStateChecks) {
  Crafted c;
  c.enqueue(10, 20, 1);
  c.final_state.available = false;
  const QueueCheckReport report = c.check();
  EXPECT_TRUE(report.valid);
  ASSERT_EQ(report.skipped.size(), 1u);
  EXPECT_EQ(report.skipped[0].rfind("lost:", 0), 0u);
}

TEST(QueueCheckerReport, LargeAndAdversarialHistoriesStayNearLinear) {
  Crafted c;
  constexpr JobId kJobs = 40'000;
  for (JobId job = 1; job <= kJobs; ++job) {
    const Time t = static_cast<Time>(job) * 100;
    c.enqueue(t, t + 1, job);
    c.lease(100 + job % 7, t + 2, t + 3, job, 1, t + 2);
    c.complete(100 + job % 7, t + 4, t + 5, job, 1);
    c.job(job, JobFinalStatus::completed, 1, 1);
  }
  // One job leased and completed thousands of times: quadratic rules would stall here.
  constexpr std::uint64_t kRepeats = 5'000;
  const JobId hot = kJobs + 1;
  c.enqueue(1, 2, hot, true, std::nullopt, 0);
  for (std::uint64_t attempt = 1; attempt <= kRepeats; ++attempt) {
    const Time t = 10'000'000 + static_cast<Time>(attempt) * 10'000;
    c.lease(100, t, t + 1, hot, attempt, t);
    c.complete(100, t + 2, t + 15'000, hot, attempt);  // returns after the next lease began
  }
  c.job(hot, JobFinalStatus::completed, kRepeats, kRepeats, 0);
  const QueueCheckReport report = c.check();
  EXPECT_EQ(report.jobs_completed, kJobs + 1);
  EXPECT_EQ(report.count(QueueRule::completed_twice), 1u);
  EXPECT_EQ(report.count(QueueRule::stale_token_accepted), kRepeats - 1);
  EXPECT_EQ(report.count(QueueRule::duplicated_after_final), 1u);
  EXPECT_EQ(report.findings.size(), 2u + 100u);  // stale findings listed up to the default 100
}

// ---- the toy queue: a correct single-threaded queue driven by simulated clients

struct SplitMix {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  std::uint64_t below(std::uint64_t bound) { return next() % bound; }
  bool percent(std::uint64_t chance) { return below(100) < chance; }
};

struct ToyJob {
  JobFinalStatus status = JobFinalStatus::pending;
  std::uint64_t attempt = 0;
  Time expires = 0;
  std::uint64_t max_attempts = 0;
  std::uint64_t completions = 0;
};

// The reference queue: state-machine time is the virtual time of the effect; leases expire
// lazily; FIFO by job id.
class ToyQueue {
 public:
  struct Outcome {
    bool ok = false;
    QueueReply reply;
  };

  Outcome apply(const QueueOperation& operation, Time now) {
    expire(now);
    switch (operation.op) {
      case QueueOp::enqueue:
        return enqueue(operation.arguments);
      case QueueOp::lease:
        return lease(now, operation.arguments.lease_duration);
      case QueueOp::heartbeat:
      case QueueOp::complete:
      case QueueOp::fail:
        return with_token(operation, now);
      case QueueOp::cancel:
        return cancel(operation.arguments.job_id);
    }
    return {};
  }

  QueueFinalState final_state() const {
    QueueFinalState state;
    state.available = true;
    for (const auto& [id, job] : jobs_) {
      state.jobs[id] = FinalJob{job.status, job.attempt, job.max_attempts, job.completions, false};
    }
    return state;
  }

 private:
  static Outcome rejected(std::string note) { return Outcome{false, QueueReply{.note = note}}; }

  void expire(Time now) {
    for (auto& [id, job] : jobs_) {
      if (job.status != JobFinalStatus::leased || job.expires > now) continue;
      job.status = exhausted(job) ? JobFinalStatus::dead : JobFinalStatus::pending;
    }
  }
  static bool exhausted(const ToyJob& job) {
    return job.max_attempts > 0 && job.attempt >= job.max_attempts;
  }

  Outcome enqueue(const QueueArguments& arguments) {
    if (arguments.idempotency_key) {
      const auto found = keys_.find(*arguments.idempotency_key);
      if (found != keys_.end()) return Outcome{true, QueueReply{.job_id = found->second}};
      keys_[*arguments.idempotency_key] = next_id_;
    }
    jobs_[next_id_].max_attempts = arguments.max_attempts;
    return Outcome{true, QueueReply{.job_id = next_id_++, .created = true}};
  }

  Outcome lease(Time now, Time duration) {
    for (auto& [id, job] : jobs_) {
      if (job.status != JobFinalStatus::pending) continue;
      job.status = JobFinalStatus::leased;
      job.attempt += 1;
      job.expires = now + duration;
      return Outcome{
          true, QueueReply{.job_id = id, .attempt = job.attempt, .lease_expires = job.expires}};
    }
    return Outcome{true, QueueReply{.empty = true}};
  }

  Outcome with_token(const QueueOperation& operation, Time now) {
    const auto found = jobs_.find(operation.arguments.job_id);
    if (found == jobs_.end()) return rejected("not_found");
    ToyJob& job = found->second;
    if (job.status == JobFinalStatus::completed) return rejected("already_completed");
    if (job.status != JobFinalStatus::leased) return rejected("not_leased");
    if (job.attempt != operation.arguments.token) return rejected("stale_token");
    if (operation.op == QueueOp::heartbeat) {
      job.expires = now + operation.arguments.lease_duration;
      return Outcome{true, QueueReply{.lease_expires = job.expires}};
    } else if (operation.op == QueueOp::complete) {
      job.status = JobFinalStatus::completed;
      job.completions += 1;
    } else {
      job.status = exhausted(job) ? JobFinalStatus::dead : JobFinalStatus::pending;
    }
    return Outcome{true, QueueReply{}};
  }

  Outcome cancel(JobId job_id) {
    const auto found = jobs_.find(job_id);
    if (found == jobs_.end()) return rejected("not_found");
    ToyJob& job = found->second;
    if (job.status != JobFinalStatus::pending && job.status != JobFinalStatus::leased) {
      return rejected("already_final");
    }
    job.status = JobFinalStatus::cancelled;
    return Outcome{true, QueueReply{}};
  }

  std::map<JobId, ToyJob> jobs_;
  std::map<std::string, JobId> keys_;
  JobId next_id_ = 1;
};

struct ToyRun {
  QueueHistory history;
  QueueFinalState final_state;
};

// Producers (clients 0-1) enqueue, retry keyed enqueues after info and sometimes cancel; workers
// (clients 100-102) lease, heartbeat, complete, fail, and sometimes stall past their lease.
// One outstanding operation per client; the network may drop the request (fail or info) or the
// reply (info after the effect).
class ToySimulation {
 public:
  explicit ToySimulation(std::uint64_t seed) : random_{seed} {}

  ToyRun run(std::size_t invocations) {
    for (const std::uint64_t client : {0, 1, 100, 101, 102}) {
      clients_[client] = Client{};
      schedule(1'000 + static_cast<Time>(random_.below(50)), Event::invoke, client, 0);
    }
    while (!events_.empty()) {
      const auto [key, event] = *events_.begin();
      events_.erase(events_.begin());
      if (event.kind == Event::invoke) {
        if (invoked_ >= invocations) continue;
        ++invoked_;
        invoke(key.first, event.client);
      } else if (event.kind == Event::effect) {
        effect(key.first, event.index);
      } else {
        finish(key.first, event.index);
      }
    }
    return ToyRun{std::move(history_), queue_.final_state()};
  }

 private:
  struct Event {
    enum Kind { invoke, effect, reply } kind;
    std::uint64_t client = 0;
    std::size_t index = 0;
  };
  struct Client {
    std::optional<std::pair<JobId, std::uint64_t>> held;  // worker: job and token
    std::optional<std::string> retry_key;                 // producer: keyed enqueue to retry
    std::vector<JobId> enqueued;
    bool stalled = false;
  };
  struct InFlight {
    bool applied = false;
    bool drop_request = false;
    bool drop_reply = false;
    ToyQueue::Outcome outcome;
  };

  void schedule(Time at, Event::Kind kind, std::uint64_t client, std::size_t index) {
    events_.emplace(std::pair(at, sequence_++), Event{kind, client, index});
  }
  // Round trips of about a third of a lease, so stalls and expiries interleave with work.
  Time delay() { return 1 + static_cast<Time>(random_.below(kLeaseDuration / 3)); }

  QueueOperation next_operation(std::uint64_t client_id) {
    Client& client = clients_[client_id];
    QueueOperation operation;
    operation.client = client_id;
    if (client_id < 100) {
      if (!client.enqueued.empty() && random_.percent(10)) {
        operation.op = QueueOp::cancel;
        operation.arguments.job_id = client.enqueued[random_.below(client.enqueued.size())];
        return operation;
      }
      operation.op = QueueOp::enqueue;
      operation.arguments.payload = "job";
      operation.arguments.max_attempts = random_.below(4);
      if (client.retry_key) {
        operation.arguments.idempotency_key = client.retry_key;
      } else if (random_.percent(50)) {
        operation.arguments.idempotency_key = "key-" + std::to_string(random_.below(12));
      }
      return operation;
    }
    // Lease lengths vary per request, as the queue's lease_ns allows.
    operation.arguments.lease_duration =
        kLeaseDuration / 2 + static_cast<Time>(random_.below(kLeaseDuration));
    if (!client.held) {
      operation.op = QueueOp::lease;
      return operation;
    }
    const std::uint64_t roll = random_.below(100);
    operation.op = roll < 60 ? QueueOp::complete : roll < 75 ? QueueOp::fail : QueueOp::heartbeat;
    operation.arguments.job_id = client.held->first;
    operation.arguments.token = client.held->second;
    if (operation.op != QueueOp::heartbeat) operation.arguments.lease_duration = 0;
    return operation;
  }

  void invoke(Time now, std::uint64_t client_id) {
    QueueOperation operation = next_operation(client_id);
    operation.invoke_time = now;
    const std::optional<std::size_t> index = history_.begin(operation);
    ASSERT_TRUE(index.has_value());
    InFlight flight;
    flight.drop_request = random_.percent(8);
    flight.drop_reply = random_.percent(8);
    in_flight_[*index] = flight;
    schedule(now + delay(), Event::effect, client_id, *index);
  }

  void effect(Time now, std::size_t index) {
    InFlight& flight = in_flight_[index];
    if (!flight.drop_request) {
      flight.applied = true;
      flight.outcome = queue_.apply(history_.operations()[index], now);
    }
    schedule(now + delay(), Event::reply, history_.operations()[index].client, index);
  }

  void finish(Time now, std::size_t index) {
    const InFlight& flight = in_flight_[index];
    const QueueOperation& operation = history_.operations()[index];
    Client& client = clients_[operation.client];
    const bool unknown = flight.drop_reply || (flight.drop_request && random_.percent(50));
    if (unknown) {
      history_.end(index, Status_::info, now);
    } else if (!flight.applied) {
      history_.end(index, Status_::fail, now, QueueReply{.note = "unavailable"});
    } else {
      history_.end(index, flight.outcome.ok ? Status_::ok : Status_::fail, now,
                   flight.outcome.reply);
    }
    const QueueOperation& ended = history_.operations()[index];
    update_client(client, ended);
    Time next = now + delay();
    if (client.held && random_.percent(15)) {  // a stalled worker: its lease may expire
      next += kLeaseDuration + static_cast<Time>(random_.below(kLeaseDuration));
    }
    schedule(next, Event::invoke, operation.client, 0);
  }

  static void update_client(Client& client, const QueueOperation& ended) {
    const bool ok = ended.status == Status_::ok;
    if (ended.op == QueueOp::enqueue) {
      client.retry_key =
          !ok && ended.status == Status_::info ? ended.arguments.idempotency_key : std::nullopt;
      if (ok) client.enqueued.push_back(ended.reply.job_id);
    } else if (ended.op == QueueOp::lease) {
      if (ok && !ended.reply.empty)
        client.held = std::pair(ended.reply.job_id, ended.reply.attempt);
    } else if (ended.op != QueueOp::heartbeat || !ok) {
      client.held.reset();
    }
  }

  SplitMix random_;
  ToyQueue queue_;
  QueueHistory history_;
  std::map<std::pair<Time, std::uint64_t>, Event> events_;
  std::map<std::uint64_t, Client> clients_;
  std::map<std::size_t, InFlight> in_flight_;
  std::uint64_t sequence_ = 0;
  std::size_t invoked_ = 0;
};

TEST(QueueCheckerToy, ProducesEveryOutcomeTheCheckerCaresAbout) {
  std::size_t recovered = 0, redelivered = 0, rejected = 0, keyed_retries = 0;
  for (std::uint64_t seed = 1; seed <= 40; ++seed) {
    const ToyRun run = ToySimulation(seed).run(80);
    const QueueCheckReport report = check_queue(run.history, run.final_state);
    ASSERT_TRUE(report.valid) << "seed " << seed << "\n"
                              << report.to_json() << run.history.to_json();
    recovered += report.count(QueueRule::recovered);
    for (const QueueOperation& operation : run.history.operations()) {
      const bool ok = operation.status == Status_::ok;
      redelivered += ok && operation.op == QueueOp::lease && operation.reply.attempt > 1;
      rejected += operation.reply.note == "stale_token";
      keyed_retries += ok && operation.op == QueueOp::enqueue && !operation.reply.created;
    }
  }
  EXPECT_GT(recovered, 0u);
  EXPECT_GT(redelivered, 0u);
  EXPECT_GT(rejected, 0u);
  EXPECT_GT(keyed_retries, 0u);
}

// ---- mutations: each turns a valid toy history into one the named rule must catch

enum class Mutation {
  lost,
  unexpected,
  same_token,
  overlapping_lease,
  after_final,
  completed_twice,
  stale_token,
  key_reused,
  attempts_exceeded,
  not_recorded,
};
constexpr Mutation kMutations[] = {
    Mutation::lost,
    Mutation::unexpected,
    Mutation::same_token,
    Mutation::overlapping_lease,
    Mutation::after_final,
    Mutation::completed_twice,
    Mutation::stale_token,
    Mutation::key_reused,
    Mutation::attempts_exceeded,
    Mutation::not_recorded,
};

struct Mutated {
  QueueRule rule;
  JobId job_id;
};

class Mutator {
 public:
  Mutator(ToyRun& run, SplitMix& random) : run_(run), random_(random) {
    for (const QueueOperation& operation : run.history.operations()) {
      end_ = std::max({end_, operation.invoke_time, operation.return_time});
      if (const std::optional<JobId> job = operation.job()) fresh_ = std::max(fresh_, *job + 1);
    }
    for (const auto& [job, unused] : run.final_state.jobs) fresh_ = std::max(fresh_, job + 1);
  }

  // Applies the mutation; nullopt when the history has nothing it applies to.
  std::optional<Mutated> apply(Mutation mutation);

 private:
  const std::vector<QueueOperation>& operations() const { return run_.history.operations(); }
  std::vector<std::size_t> matching(bool (*predicate)(const QueueOperation&)) const {
    std::vector<std::size_t> found;
    for (std::size_t i = 0; i < operations().size(); ++i) {
      if (predicate(operations()[i])) found.push_back(i);
    }
    return found;
  }
  template <typename T>
  std::optional<T> pick(const std::vector<T>& choices) {
    if (choices.empty()) return std::nullopt;
    return choices[random_.below(choices.size())];
  }
  void append(QueueOperation operation, Time invoke) {
    operation.client = 999;
    operation.invoke_time = invoke;
    operation.return_time = invoke + 1;
    operation.status = Status_::ok;
    ASSERT_TRUE(run_.history.append(std::move(operation)).ok());
  }
  // Granting b when a was granted overlaps a whatever heartbeats did to a's expiry.
  static Time granted_at(const QueueOperation& lease) {
    return lease.reply.lease_expires - lease.arguments.lease_duration;
  }
  static bool ok_lease(const QueueOperation& o) {
    return o.status == Status_::ok && o.op == QueueOp::lease && !o.reply.empty;
  }
  static bool ok_complete(const QueueOperation& o) {
    return o.status == Status_::ok && o.op == QueueOp::complete;
  }
  // Consecutive attempts (a, b) of one job with no possible fail of a: (lease a, lease b).
  std::vector<std::pair<std::size_t, std::size_t>> lease_pairs_without_fail() const;

  ToyRun& run_;
  SplitMix& random_;
  Time end_ = 0;
  JobId fresh_ = 1;
};

std::vector<std::pair<std::size_t, std::size_t>> Mutator::lease_pairs_without_fail() const {
  std::map<JobId, std::map<std::uint64_t, std::size_t>> leases;
  std::map<std::pair<JobId, std::uint64_t>, bool> failed;
  for (std::size_t i = 0; i < operations().size(); ++i) {
    const QueueOperation& o = operations()[i];
    if (ok_lease(o)) leases[o.reply.job_id].emplace(o.reply.attempt, i);
    if (o.op == QueueOp::fail && o.status != Status_::fail) {
      failed[{o.arguments.job_id, o.arguments.token}] = true;
    }
  }
  std::vector<std::pair<std::size_t, std::size_t>> pairs;
  for (const auto& [job, by_attempt] : leases) {
    for (auto it = by_attempt.begin(); std::next(it) != by_attempt.end(); ++it) {
      if (!failed.contains({job, it->first})) pairs.emplace_back(it->second, std::next(it)->second);
    }
  }
  return pairs;
}

std::optional<Mutated> Mutator::apply(Mutation mutation) {
  QueueOperation operation;
  switch (mutation) {
    case Mutation::lost: {
      operation.op = QueueOp::enqueue;
      operation.reply = QueueReply{.job_id = fresh_, .created = true};
      append(operation, end_ + 10);
      return Mutated{QueueRule::lost, fresh_};
    }
    case Mutation::unexpected: {  // before any enqueue was invoked (toy clients start at 1000)
      operation.op = QueueOp::lease;
      operation.reply = QueueReply{.job_id = fresh_, .attempt = 1, .lease_expires = 500};
      append(operation, 1);
      return Mutated{QueueRule::unexpected, fresh_};
    }
    case Mutation::same_token: {
      const std::optional<std::size_t> lease = pick(matching(ok_lease));
      if (!lease) return std::nullopt;
      append(operations()[*lease], end_ + 10);
      return Mutated{QueueRule::duplicated_same_token, operations()[*lease].reply.job_id};
    }
    case Mutation::overlapping_lease: {
      const auto pair = pick(lease_pairs_without_fail());
      if (!pair) return std::nullopt;
      QueueHistory rebuilt;
      for (std::size_t i = 0; i < operations().size(); ++i) {
        QueueOperation copy = operations()[i];
        if (i == pair->second) {
          copy.reply.lease_expires =
              granted_at(operations()[pair->first]) + copy.arguments.lease_duration;
        }
        EXPECT_TRUE(rebuilt.append(std::move(copy)).ok());
      }
      run_.history = std::move(rebuilt);
      return Mutated{QueueRule::duplicated_overlapping_lease,
                     operations()[pair->first].reply.job_id};
    }
    case Mutation::after_final: {
      const std::optional<std::size_t> complete = pick(matching(ok_complete));
      if (!complete) return std::nullopt;
      const JobId job = operations()[*complete].arguments.job_id;
      operation.op = QueueOp::lease;
      operation.reply = QueueReply{.job_id = job,
                                   .attempt = run_.final_state.jobs[job].attempts + 1,
                                   .lease_expires = end_ + 20 + kLeaseDuration};
      append(operation, end_ + 20);
      return Mutated{QueueRule::duplicated_after_final, job};
    }
    case Mutation::completed_twice: {
      const std::optional<std::size_t> complete = pick(matching(ok_complete));
      if (!complete) return std::nullopt;
      append(operations()[*complete], end_ + 10);
      return Mutated{QueueRule::completed_twice, operations()[*complete].arguments.job_id};
    }
    case Mutation::stale_token: {
      const auto pair = pick(lease_pairs_without_fail());
      if (!pair) return std::nullopt;
      const QueueOperation& earlier = operations()[pair->first];
      operation.op = QueueOp::complete;
      operation.arguments =
          QueueArguments{.job_id = earlier.reply.job_id, .token = earlier.reply.attempt};
      append(operation, operations()[pair->second].return_time + 1);
      return Mutated{QueueRule::stale_token_accepted, earlier.reply.job_id};
    }
    case Mutation::key_reused: {
      const std::optional<std::size_t> keyed = pick(matching([](const QueueOperation& o) {
        return o.status == Status_::ok && o.op == QueueOp::enqueue &&
               o.arguments.idempotency_key.has_value();
      }));
      if (!keyed) return std::nullopt;
      operation = operations()[*keyed];
      operation.reply = QueueReply{.job_id = fresh_, .created = true};
      append(operation, end_ + 10);
      run_.final_state.jobs[fresh_] = FinalJob{};
      return Mutated{QueueRule::idempotency_key_reused, fresh_};
    }
    case Mutation::attempts_exceeded: {
      std::vector<JobId> limited;
      for (const auto& [job, state] : run_.final_state.jobs) {
        if (state.max_attempts > 0) limited.push_back(job);
      }
      const std::optional<JobId> job = pick(limited);
      if (!job) return std::nullopt;
      FinalJob& state = run_.final_state.jobs[*job];
      state.attempts = state.max_attempts + 1;
      return Mutated{QueueRule::attempts_exceeded, *job};
    }
    case Mutation::not_recorded: {
      const std::optional<std::size_t> complete = pick(matching(ok_complete));
      if (!complete) return std::nullopt;
      const JobId job = operations()[*complete].arguments.job_id;
      run_.final_state.jobs[job].status = JobFinalStatus::pending;
      return Mutated{QueueRule::completion_not_recorded, job};
    }
  }
  return std::nullopt;
}

RC_GTEST_PROP(QueueCheckerProperty, ToyQueueHistoriesAreValidAndRoundTrip, ()) {
  const std::uint64_t seed = *rc::gen::arbitrary<std::uint64_t>();
  const std::size_t invocations = *rc::gen::inRange<std::size_t>(0, 160);
  const ToyRun run = ToySimulation(seed).run(invocations);
  const QueueCheckReport report = check_queue(run.history, run.final_state);
  RC_ASSERT(report.valid);
  const Result<QueueHistoryDocument> parsed =
      QueueHistory::parse(run.history.to_json(&run.final_state));
  RC_ASSERT(parsed.ok());
  RC_ASSERT(parsed.value().history == run.history);
  RC_ASSERT(*parsed.value().final_state == run.final_state);
}

RC_GTEST_PROP(QueueCheckerProperty, EverySingleMutationIsCaughtAndNamed, ()) {
  const std::uint64_t seed = *rc::gen::arbitrary<std::uint64_t>();
  const Mutation mutation =
      *rc::gen::elementOf(std::vector<Mutation>(std::begin(kMutations), std::end(kMutations)));
  ToyRun run = ToySimulation(seed).run(100);
  SplitMix random{seed ^ 0x5eed};
  const std::optional<Mutated> mutated = Mutator(run, random).apply(mutation);
  RC_PRE(mutated.has_value());
  RC_TAG(queue_rule_name(mutated->rule));
  const QueueCheckReport report = check_queue(run.history, run.final_state);
  if (report.valid || !report.has(mutated->rule, mutated->job_id)) {
    RC_FAIL("seed " + std::to_string(seed) + ": expected " + queue_rule_name(mutated->rule) +
            " for job " + std::to_string(mutated->job_id) + "\n" + report.to_json());
  }
}

}  // namespace
}  // namespace raftsim::sim

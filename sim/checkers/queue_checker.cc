// raftsim: the job-queue checker. One pass indexes the history per job (ordered map), then each
// rule runs over the per-job lists, sorting where it needs an order: O(n log n) overall. Rules
// never guess against the queue: where an operation's outcome is unknown (info, pending) it is
// assumed to have done whatever explains the history best, so every finding is a real violation.
#include "sim/checkers/queue_checker.h"

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

#include "raft/base/check.h"
#include "sim/checkers/queue_timing_rules.h"

namespace raftsim::sim {
namespace {

// The operations of one job, by kind, each list in history order.
struct JobOperations {
  std::vector<std::size_t> enqueues_ok;
  std::vector<std::size_t> leases_ok;
  std::vector<std::size_t> completes_ok;
  std::vector<std::size_t> cancels_ok;
  std::vector<std::size_t> fails_ok;
  std::vector<std::size_t> heartbeats_ok;
  std::vector<std::size_t> heartbeats_unknown;  // info or pending: may have set the expiry
  std::vector<std::size_t> fails_maybe;         // ok, info or pending: may have ended the lease
  std::vector<std::size_t> references_ok;       // every ok operation but enqueue naming the job
  std::optional<std::size_t> creating_enqueue;  // the first ok enqueue with created = true
};

std::string time_text(Time time) {
  return std::to_string(time) + " ns";
}

class Checker {
 public:
  Checker(const QueueHistory& history, const QueueFinalState& final_state,
          const QueueCheckOptions& options)
      : history_(history),
        operations_(history.operations()),
        final_state_(final_state),
        options_(options) {}

  QueueCheckReport run() {
    index_operations();
    check_lost();
    check_unexpected_and_recovered();
    check_idempotency_keys();
    for (const auto& [job_id, job] : jobs_) {
      check_deliveries(job_id, job);
      check_completions(job_id, job);
      check_final_job(job_id, job);
    }
    check_leases_expire();
    for (QueueRuleHit& hit : check_queue_timing(history_, final_state_, options_)) {
      add(hit.rule, hit.job_id, std::move(hit.operations), std::move(hit.detail));
    }
    return finish();
  }

 private:
  const QueueOperation& at(std::size_t index) const { return operations_[index]; }

  // A lease runs lease_duration from its grant or last renewal, both at or before the queue's
  // final time: more remaining than that means the lease can never have been bounded.
  void check_leases_expire() {
    if (!final_state_.available || options_.lease_duration == 0) return;
    for (const auto& [job_id, final] : final_state_.jobs) {
      if (final.status != JobFinalStatus::leased || !final.lease_remaining_ns) continue;
      const auto lease_ns = static_cast<std::uint64_t>(options_.lease_duration);
      if (*final.lease_remaining_ns <= lease_ns) continue;
      std::vector<std::size_t> leases;
      if (auto found = jobs_.find(job_id); found != jobs_.end()) leases = found->second.leases_ok;
      add(QueueRule::lease_never_expires, job_id, leases,
          "the final state holds the lease of attempt " + std::to_string(final.attempts) +
              " for another " + time_text(static_cast<Time>(*final.lease_remaining_ns)) +
              ", longer than a lease (" + time_text(options_.lease_duration) + ")");
    }
  }
  const FinalJob* final_job(JobId job_id) const {
    if (!final_state_.available) return nullptr;
    const auto found = final_state_.jobs.find(job_id);
    return found == final_state_.jobs.end() ? nullptr : &found->second;
  }

  void add(QueueRule rule, JobId job_id, std::vector<std::size_t> indexes, std::string detail) {
    std::sort(indexes.begin(), indexes.end());
    indexes.erase(std::unique(indexes.begin(), indexes.end()), indexes.end());
    QueueFinding finding;
    finding.rule = rule;
    finding.job_id = job_id;
    finding.detail = std::move(detail);
    for (const std::size_t index : indexes) {
      if (finding.operations.size() >= options_.operations_per_finding_max) break;
      const QueueOperation& operation = at(index);
      finding.operations.push_back(QueueOperationRef{index, operation.op, operation.client,
                                                     operation.status, operation.invoke_time,
                                                     operation.return_time});
    }
    findings_.push_back(std::move(finding));
  }

  void index_operations();
  void check_lost();
  void check_unexpected_and_recovered();
  void check_idempotency_keys();
  void check_deliveries(JobId job_id, const JobOperations& job);
  void check_overlapping_leases(JobId job_id, const JobOperations& job,
                                const std::vector<std::size_t>& leases);
  Time expiry_lower_bound(std::size_t lease, const std::vector<std::size_t>& heartbeats,
                          std::vector<std::size_t>& involved) const;
  // The lease_ns an operation recorded, else the option (0: unknown).
  Time lease_duration_of(const QueueOperation& operation) const {
    return operation.arguments.lease_duration > 0 ? operation.arguments.lease_duration
                                                  : options_.lease_duration;
  }
  void check_completions(JobId job_id, const JobOperations& job);
  struct CompletionContext {
    std::vector<std::size_t> leases_by_attempt;
    std::vector<std::size_t> earliest_invoked_from;     // suffix minimum of invoke_time
    std::map<std::uint64_t, std::size_t> first_failed;  // token -> earliest-returning ok fail
  };
  void check_stale_completion(JobId job_id, std::size_t complete, const CompletionContext& context);
  void check_final_job(JobId job_id, const JobOperations& job);
  std::uint64_t max_attempts(JobId job_id, const JobOperations& job) const;
  QueueCheckReport finish();

  const QueueHistory& history_;
  const std::vector<QueueOperation>& operations_;
  const QueueFinalState& final_state_;
  const QueueCheckOptions& options_;
  std::map<JobId, JobOperations> jobs_;
  std::vector<std::size_t> unknown_enqueues_;  // info or pending enqueues, in history order
  std::map<std::string, std::vector<std::size_t>> keyed_enqueues_ok_;
  std::vector<QueueFinding> findings_;
  std::vector<std::string> skipped_;
  std::size_t enqueues_attempted_ = 0;
  std::size_t enqueues_acknowledged_ = 0;
  std::size_t leases_without_duration_ = 0;
};

void Checker::index_operations() {
  for (std::size_t index = 0; index < operations_.size(); ++index) {
    const QueueOperation& operation = at(index);
    const bool ok = operation.status == QueueOperationStatus::ok;
    if (operation.op == QueueOp::enqueue) {
      ++enqueues_attempted_;
      if (operation.unknown_outcome()) unknown_enqueues_.push_back(index);
      if (!ok) continue;
      ++enqueues_acknowledged_;
      JobOperations& job = jobs_[operation.reply.job_id];
      job.enqueues_ok.push_back(index);
      if (operation.reply.created && !job.creating_enqueue) job.creating_enqueue = index;
      if (operation.arguments.idempotency_key) {
        keyed_enqueues_ok_[*operation.arguments.idempotency_key].push_back(index);
      }
      continue;
    }
    const std::optional<JobId> job_id = operation.job();
    if (!job_id) continue;  // an empty lease, or a lease that did not return ok
    const bool maybe = operation.unknown_outcome() &&
                       (operation.op == QueueOp::fail || operation.op == QueueOp::heartbeat);
    if (!ok && !maybe) continue;
    JobOperations& job = jobs_[*job_id];
    if (operation.op == QueueOp::fail) job.fails_maybe.push_back(index);
    if (maybe && operation.op == QueueOp::heartbeat) job.heartbeats_unknown.push_back(index);
    if (!ok) continue;
    job.references_ok.push_back(index);
    if (operation.op == QueueOp::lease) job.leases_ok.push_back(index);
    if (operation.op == QueueOp::complete) job.completes_ok.push_back(index);
    if (operation.op == QueueOp::cancel) job.cancels_ok.push_back(index);
    if (operation.op == QueueOp::fail) job.fails_ok.push_back(index);
    if (operation.op == QueueOp::heartbeat) job.heartbeats_ok.push_back(index);
  }
  if (final_state_.available) {
    for (const auto& [job_id, unused] : final_state_.jobs) jobs_[job_id];
  }
}

// The job's attempt limit: the creating enqueue's argument, else the final state's; 0 = none.
std::uint64_t Checker::max_attempts(JobId job_id, const JobOperations& job) const {
  if (job.creating_enqueue) return at(*job.creating_enqueue).arguments.max_attempts;
  const FinalJob* final = final_job(job_id);
  return final != nullptr ? final->max_attempts : 0;
}

// lost: an acknowledged job the final state no longer lists and the history never finished
// (no ok complete, ok cancel, or ok fail of the last attempt). A job still listed -- pending,
// leased, or final -- is not lost.
void Checker::check_lost() {
  if (!final_state_.available) {
    skipped_.push_back("lost: no final state (no leader answered at the end)");
    return;
  }
  for (const auto& [job_id, job] : jobs_) {
    if (job.enqueues_ok.empty() || final_state_.jobs.contains(job_id)) continue;
    if (!job.completes_ok.empty() || !job.cancels_ok.empty()) continue;
    const std::uint64_t limit = max_attempts(job_id, job);
    const bool dead_lettered = std::any_of(
        job.fails_ok.begin(), job.fails_ok.end(),
        [&](std::size_t fail) { return limit > 0 && at(fail).arguments.token >= limit; });
    if (dead_lettered) continue;
    std::vector<std::size_t> involved = job.enqueues_ok;
    involved.insert(involved.end(), job.references_ok.begin(), job.references_ok.end());
    add(QueueRule::lost, job_id, std::move(involved),
        job.references_ok.empty()
            ? "acknowledged, never delivered, and absent from the final state"
            : "acknowledged and delivered, never finished, and absent from the final state");
  }
}

// unexpected / recovered: a job id no ok enqueue returned needs an enqueue of unknown outcome
// invoked before the job was first seen. Matching is greedy by deadline (earliest first), which
// is optimal because every unknown enqueue fits any deadline after its invocation. Jobs seen only
// in the final state get an infinite deadline.
void Checker::check_unexpected_and_recovered() {
  struct Candidate {
    Time deadline;
    JobId job_id;
    bool operator<(const Candidate& other) const {
      return std::pair(deadline, job_id) < std::pair(other.deadline, other.job_id);
    }
  };
  std::vector<Candidate> candidates;
  for (const auto& [job_id, job] : jobs_) {
    if (!job.enqueues_ok.empty()) continue;
    // A job named only by fails of unknown outcome is no evidence that the job exists.
    if (job.references_ok.empty() && final_job(job_id) == nullptr) continue;
    Time deadline = kTimeNever;
    for (const std::size_t reference : job.references_ok) {
      deadline = std::min(deadline, at(reference).return_time);
    }
    candidates.push_back(Candidate{deadline, job_id});
  }
  std::sort(candidates.begin(), candidates.end());
  std::vector<std::size_t> enqueues = unknown_enqueues_;
  std::stable_sort(enqueues.begin(), enqueues.end(), [&](std::size_t a, std::size_t b) {
    return at(a).invoke_time < at(b).invoke_time;
  });
  std::size_t next = 0;
  std::vector<std::size_t> available;  // unknown enqueues invoked before the current deadline
  std::size_t available_first = 0;
  for (const Candidate& candidate : candidates) {
    while (next < enqueues.size() && at(enqueues[next]).invoke_time <= candidate.deadline) {
      available.push_back(enqueues[next++]);
    }
    const JobOperations& job = jobs_.at(candidate.job_id);
    if (available_first == available.size()) {
      add(QueueRule::unexpected, candidate.job_id, job.references_ok,
          job.references_ok.empty()
              ? "in the final state, but no enqueue is left that can have created it"
              : "never returned by an ok enqueue, and no enqueue of unknown outcome was "
                "invoked before it was first seen");
      continue;
    }
    const std::size_t creator = available[available_first++];
    if (job.references_ok.empty()) continue;
    std::vector<std::size_t> involved = job.references_ok;
    involved.push_back(creator);
    add(QueueRule::recovered, candidate.job_id, std::move(involved),
        "delivered although its enqueue's outcome was unknown (matched to enqueue #" +
            std::to_string(creator) + ")");
  }
}

// idempotency_key_reused: ok enqueues with one key returned two different job ids, the later
// invoked within the window after the earlier returned. One finding per key, the first pair.
void Checker::check_idempotency_keys() {
  for (auto& [key, indexes] : keyed_enqueues_ok_) {
    std::stable_sort(indexes.begin(), indexes.end(), [&](std::size_t a, std::size_t b) {
      return at(a).invoke_time < at(b).invoke_time;
    });
    // The latest-returning earlier enqueue, and the latest one with a different job id.
    std::optional<std::size_t> latest;
    std::optional<std::size_t> latest_other;
    for (const std::size_t index : indexes) {
      const QueueOperation& operation = at(index);
      const JobId job_id = operation.reply.job_id;
      const std::optional<std::size_t> earlier =
          latest && at(*latest).reply.job_id != job_id ? latest : latest_other;
      // Both times are non-negative, so the difference cannot overflow.
      if (earlier &&
          operation.invoke_time - at(*earlier).return_time <= options_.idempotency_window) {
        add(QueueRule::idempotency_key_reused, job_id, {*earlier, index},
            "idempotency key \"" + key + "\" returned job " +
                std::to_string(at(*earlier).reply.job_id) + " and job " + std::to_string(job_id));
        break;
      }
      if (!latest || operation.return_time >= at(*latest).return_time) {
        if (latest && at(*latest).reply.job_id != job_id) latest_other = latest;
        latest = index;
      } else if (at(*latest).reply.job_id != job_id &&
                 (!latest_other || operation.return_time >= at(*latest_other).return_time)) {
        latest_other = index;
      }
    }
  }
}

// Leases of one job: same attempt twice, attempts beyond the limit, redelivery while the
// previous lease was unexpired and not failed, and delivery after an ok complete or cancel.
void Checker::check_deliveries(JobId job_id, const JobOperations& job) {
  std::vector<std::size_t> leases = job.leases_ok;
  std::stable_sort(leases.begin(), leases.end(), [&](std::size_t a, std::size_t b) {
    return at(a).reply.attempt < at(b).reply.attempt;
  });
  for (std::size_t begin = 0; begin < leases.size();) {
    std::size_t end = begin + 1;
    while (end < leases.size() &&
           at(leases[end]).reply.attempt == at(leases[begin]).reply.attempt) {
      ++end;
    }
    if (end - begin > 1) {
      add(QueueRule::duplicated_same_token, job_id,
          std::vector<std::size_t>(leases.begin() + begin, leases.begin() + end),
          "attempt " + std::to_string(at(leases[begin]).reply.attempt) + " was granted " +
              std::to_string(end - begin) + " times");
    }
    begin = end;
  }
  const std::uint64_t limit = max_attempts(job_id, job);
  std::vector<std::size_t> beyond;
  for (const std::size_t lease : leases) {
    if (limit > 0 && at(lease).reply.attempt > limit) beyond.push_back(lease);
  }
  if (!beyond.empty()) {
    add(QueueRule::attempts_exceeded, job_id, beyond,
        "leased with attempt " + std::to_string(at(beyond.back()).reply.attempt) +
            " but max_attempts is " + std::to_string(limit));
  }
  check_overlapping_leases(job_id, job, leases);
  std::optional<std::size_t> final_operation;
  for (const auto* list : {&job.completes_ok, &job.cancels_ok}) {
    for (const std::size_t index : *list) {
      if (!final_operation || at(index).return_time < at(*final_operation).return_time) {
        final_operation = index;
      }
    }
  }
  if (!final_operation) return;
  std::vector<std::size_t> after;
  for (const std::size_t lease : leases) {
    if (at(lease).invoke_time > at(*final_operation).return_time) after.push_back(lease);
  }
  if (after.empty()) return;
  const std::size_t count = after.size();
  after.push_back(*final_operation);
  add(QueueRule::duplicated_after_final, job_id, std::move(after),
      std::to_string(count) + " lease(s) invoked after an ok " +
          queue_op_name(at(*final_operation).op) + " returned at " +
          time_text(at(*final_operation).return_time));
}

// Consecutive observed attempts a < b: if b was granted (its lease_expires minus its lease
// duration) before a's lease ended, a must have been ended by a fail with token a that began
// before b returned. When a's lease ended is bounded from below by expiry_lower_bound(), so a
// correct queue never trips the rule.
void Checker::check_overlapping_leases(JobId job_id, const JobOperations& job,
                                       const std::vector<std::size_t>& leases) {
  std::map<std::uint64_t, Time> fail_invoked;  // token -> earliest invoke of a maybe-fail
  for (const std::size_t fail : job.fails_maybe) {
    const std::uint64_t token = at(fail).arguments.token;
    const auto [found, inserted] = fail_invoked.emplace(token, at(fail).invoke_time);
    if (!inserted) found->second = std::min(found->second, at(fail).invoke_time);
  }
  std::map<std::uint64_t, std::vector<std::size_t>> heartbeats;  // token -> ok or unknown
  for (const auto* list : {&job.heartbeats_ok, &job.heartbeats_unknown}) {
    for (const std::size_t heartbeat : *list) {
      heartbeats[at(heartbeat).arguments.token].push_back(heartbeat);
    }
  }
  static const std::vector<std::size_t> kNone;
  for (std::size_t i = 1; i < leases.size(); ++i) {
    const QueueOperation& previous = at(leases[i - 1]);
    const QueueOperation& next = at(leases[i]);
    if (previous.reply.attempt == next.reply.attempt) continue;
    const Time duration = lease_duration_of(next);
    if (duration <= 0) {
      ++leases_without_duration_;
      continue;
    }
    const Time granted = next.reply.lease_expires - duration;
    const auto found = heartbeats.find(previous.reply.attempt);
    std::vector<std::size_t> involved = {leases[i - 1], leases[i]};
    const Time expires = expiry_lower_bound(
        leases[i - 1], found == heartbeats.end() ? kNone : found->second, involved);
    if (granted >= expires) continue;
    const auto failed = fail_invoked.find(previous.reply.attempt);
    if (failed != fail_invoked.end() && failed->second <= next.return_time) continue;
    add(QueueRule::duplicated_overlapping_lease, job_id, std::move(involved),
        "attempt " + std::to_string(next.reply.attempt) + " granted at " + time_text(granted) +
            " while attempt " + std::to_string(previous.reply.attempt) +
            " was leased at least until " + time_text(expires) +
            " and never failed (state-machine time)");
  }
}

// A lower bound on when the lease of one attempt ended (absent a fail). The lease and each ok
// heartbeat set the expiry (a heartbeat may shorten it); the last one applied wins. A setter
// that another ok setter began after it returned is not last, so the bound is the least expiry
// among the remaining ok setters and, for heartbeats of unknown outcome (which may have applied
// at any time after the grant), grant + their lease_ns. Adds the setter that gives the bound.
Time Checker::expiry_lower_bound(std::size_t lease, const std::vector<std::size_t>& heartbeats,
                                 std::vector<std::size_t>& involved) const {
  Time latest_invoke = at(lease).invoke_time;
  for (const std::size_t heartbeat : heartbeats) {
    if (at(heartbeat).status == QueueOperationStatus::ok) {
      latest_invoke = std::max(latest_invoke, at(heartbeat).invoke_time);
    }
  }
  Time bound = at(lease).return_time >= latest_invoke ? at(lease).reply.lease_expires : kTimeNever;
  std::optional<std::size_t> bounding;
  const Time lease_duration = lease_duration_of(at(lease));
  for (const std::size_t heartbeat : heartbeats) {
    const QueueOperation& operation = at(heartbeat);
    Time expires = kTimeNever;
    if (operation.status == QueueOperationStatus::ok) {
      if (operation.return_time < latest_invoke) continue;
      expires = operation.reply.lease_expires;
    } else if (lease_duration > 0) {
      const Time granted = at(lease).reply.lease_expires - lease_duration;
      expires = granted + std::max<Time>(lease_duration_of(operation), 0);
    } else {
      expires = 0;  // no grant time known: nothing can be said
    }
    if (expires < bound) {
      bound = expires;
      bounding = heartbeat;
    }
  }
  if (bounding) involved.push_back(*bounding);
  return bound;
}

void Checker::check_completions(JobId job_id, const JobOperations& job) {
  const FinalJob* final = final_job(job_id);
  const bool counted_twice = final != nullptr && final->completion_count > 1;
  if (job.completes_ok.size() > 1 || counted_twice) {
    add(QueueRule::completed_twice, job_id, job.completes_ok,
        std::to_string(job.completes_ok.size()) + " ok completes; the final state records " +
            (final != nullptr ? std::to_string(final->completion_count) : "?") + " completion(s)");
  }
  if (job.completes_ok.empty()) return;
  if (final_state_.available && (final == nullptr || final->status != JobFinalStatus::completed)) {
    add(QueueRule::completion_not_recorded, job_id, job.completes_ok,
        std::string("an ok complete, but the final state has the job ") +
            (final == nullptr ? "absent" : job_final_status_name(final->status)));
  }
  CompletionContext context;
  context.leases_by_attempt = job.leases_ok;
  std::stable_sort(
      context.leases_by_attempt.begin(), context.leases_by_attempt.end(),
      [&](std::size_t a, std::size_t b) { return at(a).reply.attempt < at(b).reply.attempt; });
  // earliest_invoked_from[i]: the earliest-invoked lease among leases_by_attempt[i..].
  const std::vector<std::size_t>& leases = context.leases_by_attempt;
  context.earliest_invoked_from.resize(leases.size());
  for (std::size_t i = leases.size(); i-- > 0;) {
    const bool later_is_earlier =
        i + 1 < leases.size() &&
        at(context.earliest_invoked_from[i + 1]).invoke_time < at(leases[i]).invoke_time;
    context.earliest_invoked_from[i] =
        later_is_earlier ? context.earliest_invoked_from[i + 1] : leases[i];
  }
  for (const std::size_t fail : job.fails_ok) {
    const auto [found, inserted] = context.first_failed.emplace(at(fail).arguments.token, fail);
    if (!inserted && at(fail).return_time < at(found->second).return_time) found->second = fail;
  }
  for (const std::size_t complete : job.completes_ok) {
    check_stale_completion(job_id, complete, context);
  }
}

// stale_token_accepted for one ok complete with token t: a lease with a higher attempt began
// before the complete returned (either t was stale, or the job was leased after completion), an
// ok fail of t returned before the complete began, or t exceeds every attempt the queue issued.
// O(log leases) per completion.
void Checker::check_stale_completion(JobId job_id, std::size_t complete,
                                     const CompletionContext& context) {
  const QueueOperation& operation = at(complete);
  const std::uint64_t token = operation.arguments.token;
  const std::vector<std::size_t>& leases = context.leases_by_attempt;
  const auto higher = std::upper_bound(
      leases.begin(), leases.end(), token,
      [&](std::uint64_t value, std::size_t lease) { return value < at(lease).reply.attempt; });
  if (higher != leases.end()) {
    const std::size_t earliest =
        context.earliest_invoked_from[static_cast<std::size_t>(higher - leases.begin())];
    if (at(earliest).invoke_time < operation.return_time) {
      add(QueueRule::stale_token_accepted, job_id, {complete, earliest},
          "complete with token " + std::to_string(token) + " accepted, but attempt " +
              std::to_string(at(earliest).reply.attempt) + " was leased concurrently or before");
      return;
    }
  }
  const auto failed = context.first_failed.find(token);
  if (failed != context.first_failed.end() &&
      at(failed->second).return_time < operation.invoke_time) {
    add(QueueRule::stale_token_accepted, job_id, {complete, failed->second},
        "complete with token " + std::to_string(token) +
            " accepted after that attempt had been failed");
    return;
  }
  const FinalJob* final = final_job(job_id);
  if (final != nullptr && token > final->attempts) {
    add(QueueRule::stale_token_accepted, job_id, {complete},
        "complete with token " + std::to_string(token) + " accepted, but the queue issued only " +
            std::to_string(final->attempts) + " attempt(s)");
  }
}

// What the final state itself says: attempts over the limit, a stale completion it noticed.
void Checker::check_final_job(JobId job_id, const JobOperations& job) {
  const FinalJob* final = final_job(job_id);
  if (final == nullptr) return;
  if (final->max_attempts > 0 && final->attempts > final->max_attempts) {
    add(QueueRule::attempts_exceeded, job_id, {},
        "the final state has " + std::to_string(final->attempts) + " attempts of at most " +
            std::to_string(final->max_attempts));
  }
  if (final->stale_completion.value_or(false)) {
    add(QueueRule::stale_token_accepted, job_id, job.completes_ok,
        "the state machine recorded a completion with a token other than the current attempt");
  }
}

QueueCheckReport Checker::finish() {
  std::stable_sort(
      findings_.begin(), findings_.end(), [](const QueueFinding& a, const QueueFinding& b) {
        const std::size_t first_a = a.operations.empty() ? 0 : a.operations[0].index;
        const std::size_t first_b = b.operations.empty() ? 0 : b.operations[0].index;
        return std::tuple(a.rule, a.job_id, first_a) < std::tuple(b.rule, b.job_id, first_b);
      });
  QueueCheckReport report;
  for (QueueFinding& finding : findings_) {
    std::size_t& count = report.counts[static_cast<std::size_t>(finding.rule)];
    ++count;
    if (queue_rule_is_violation(finding.rule)) report.valid = false;
    if (count <= options_.findings_listed_per_rule_max) {
      report.findings.push_back(std::move(finding));
    }
  }
  if (leases_without_duration_ > 0) {
    skipped_.push_back("duplicated_overlapping_lease: " + std::to_string(leases_without_duration_) +
                       " redelivery(ies) not judged: no lease_ns recorded and "
                       "options.lease_duration is 0");
  }
  report.skipped = std::move(skipped_);
  report.enqueues_attempted = enqueues_attempted_;
  report.enqueues_acknowledged = enqueues_acknowledged_;
  for (const auto& [job_id, job] : jobs_) {
    report.jobs_acknowledged += job.enqueues_ok.empty() ? 0 : 1;
    report.jobs_delivered += job.leases_ok.empty() ? 0 : 1;
    report.jobs_completed += job.completes_ok.empty() ? 0 : 1;
  }
  return report;
}

}  // namespace

QueueCheckReport check_queue(const QueueHistory& history, const QueueFinalState& final_state,
                             const QueueCheckOptions& options) {
  RAFTSIM_CHECK(history.size() <= QueueHistory::kOperationsMax);
  RAFTSIM_CHECK_MSG(final_state.jobs.size() <= QueueFinalState::kJobsMax,
                    "the runner must not report more than kJobsMax jobs");
  return Checker(history, final_state, options).run();
}

}  // namespace raftsim::sim

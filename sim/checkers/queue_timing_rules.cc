// raftsim: the queue checker's timing and refusal rules. One pass indexes each job's creating
// enqueue, ok leases and ok fails; each rule then compares state-machine times only (grant =
// lease_expires - lease duration), never client times, so clock skew cannot make a finding.
#include "sim/checkers/queue_timing_rules.h"

#include <algorithm>
#include <climits>
#include <iterator>
#include <map>
#include <optional>
#include <tuple>

#include "raft/base/check.h"

namespace raftsim::sim {
namespace {

struct JobTiming {
  std::optional<std::size_t> creating_enqueue;  // first ok enqueue with created = true
  std::map<std::uint64_t, std::size_t> leases;  // attempt -> first ok lease with it
  std::map<std::uint64_t, std::size_t> fails;   // token -> first ok fail with it
};

std::string ns_text(Time time) {
  return std::to_string(time) + " ns";
}

class TimingRules {
 public:
  TimingRules(const QueueHistory& history, const QueueFinalState& final_state,
              const QueueCheckOptions& options)
      : operations_(history.operations()), final_state_(final_state), options_(options) {}

  std::vector<QueueRuleHit> run() {
    index();
    const TimeFloor floor = time_floor();
    for (const auto& [job_id, job] : jobs_) {
      check_not_before(job_id, job);
      check_backoff_lower_bound(job_id, job);
      check_enqueued_time(job_id, job, floor);
    }
    check_retry_delays();
    check_refusals();
    check_counters();
    return std::move(hits_);
  }

 private:
  const QueueOperation& at(std::size_t index) const { return operations_[index]; }
  bool judges_backoff() const { return options_.backoff_base > 0 && options_.backoff_max > 0; }

  // The lease's grant time, or nullopt when its duration is unknown.
  std::optional<Time> granted(std::size_t lease) const {
    const QueueOperation& operation = at(lease);
    const Time duration = operation.arguments.lease_duration > 0
                              ? operation.arguments.lease_duration
                              : options_.lease_duration;
    if (duration <= 0) return std::nullopt;
    return operation.reply.lease_expires - duration;
  }

  void index() {
    for (std::size_t index = 0; index < operations_.size(); ++index) {
      const QueueOperation& operation = at(index);
      if (operation.status != QueueOperationStatus::ok) continue;
      if (operation.op == QueueOp::enqueue) {
        JobTiming& job = jobs_[operation.reply.job_id];
        if (operation.reply.created && !job.creating_enqueue) job.creating_enqueue = index;
      } else if (operation.op == QueueOp::lease && !operation.reply.empty) {
        jobs_[operation.reply.job_id].leases.emplace(operation.reply.attempt, index);
        ok_leases_.push_back(index);
      } else if (operation.op == QueueOp::fail) {
        jobs_[operation.arguments.job_id].fails.emplace(operation.arguments.token, index);
        ok_fails_.push_back(index);
      }
    }
  }

  // The queue's time never goes back (each command's stamp is capped below by the last), and an
  // operation that returned ok was applied before any operation invoked later. So at `t` the
  // queue's time is at least the grant of every ok lease that returned before t: ok leases with a
  // known grant by return time, with the running maximum of their grants.
  struct TimeFloor {
    std::vector<std::pair<Time, Time>> returned_grant_max;  // (return time, max grant so far)
    Time at(Time time) const {
      auto after = std::lower_bound(returned_grant_max.begin(), returned_grant_max.end(),
                                    std::pair<Time, Time>{time, INT64_MIN});
      return after == returned_grant_max.begin() ? INT64_MIN : std::prev(after)->second;
    }
  };
  TimeFloor time_floor() const {
    TimeFloor floor;
    for (const auto& [job_id, job] : jobs_) {
      for (const auto& [attempt, lease] : job.leases) {
        if (auto grant = granted(lease))
          floor.returned_grant_max.emplace_back(at(lease).return_time, *grant);
      }
    }
    std::sort(floor.returned_grant_max.begin(), floor.returned_grant_max.end());
    for (std::size_t i = 1; i < floor.returned_grant_max.size(); ++i) {
      auto& [time, grant] = floor.returned_grant_max[i];
      grant = std::max(grant, floor.returned_grant_max[i - 1].second);
    }
    return floor;
  }

  // enqueued_time_out_of_order: the creation time an ok lease reports for its job lies between
  // the queue's time when the creating enqueue was invoked (its floor) and the lease's grant.
  void check_enqueued_time(JobId job_id, const JobTiming& job, const TimeFloor& floor) {
    if (!job.creating_enqueue) return;
    const Time lowest = floor.at(at(*job.creating_enqueue).invoke_time);
    for (const auto& [attempt, lease] : job.leases) {
      const std::optional<Time> enqueued = at(lease).reply.enqueued;
      if (!enqueued) continue;
      const std::optional<Time> grant = granted(lease);
      std::string detail;
      if (*enqueued < lowest) {
        detail = "created at " + ns_text(*enqueued) + " by its lease's account, but the queue's" +
                 " time had reached " + ns_text(lowest) + " before its enqueue was invoked";
      } else if (grant && *enqueued > *grant) {
        detail = "created at " + ns_text(*enqueued) +
                 " by its lease's account, after that lease's grant at " + ns_text(*grant);
      } else {
        continue;
      }
      hits_.push_back({QueueRule::enqueued_time_out_of_order,
                       job_id,
                       {*job.creating_enqueue, lease},
                       "attempt " + std::to_string(attempt) + ": " + detail});
      return;
    }
  }

  // leased_before_not_before: the queue makes a job available at max(enqueue time, not_before),
  // so no grant can precede not_before.
  void check_not_before(JobId job_id, const JobTiming& job) {
    if (!job.creating_enqueue) return;
    const std::optional<Time> not_before = at(*job.creating_enqueue).arguments.not_before;
    if (!not_before) return;
    for (const auto& [attempt, lease] : job.leases) {
      const std::optional<Time> grant = granted(lease);
      if (!grant || *grant >= *not_before) continue;
      hits_.push_back({QueueRule::leased_before_not_before,
                       job_id,
                       {*job.creating_enqueue, lease},
                       "attempt " + std::to_string(attempt) + " granted at " + ns_text(*grant) +
                           ", before the job's not_before " + ns_text(*not_before)});
      return;
    }
  }

  // leased_before_backoff: an ok fail of attempt n applied while attempt n was leased, so at or
  // after its grant, and made the job available backoff(n) later: attempt n + 1 cannot be
  // granted before grant(n) + backoff(n).
  void check_backoff_lower_bound(JobId job_id, const JobTiming& job) {
    if (!judges_backoff()) return;
    for (const auto& [token, fail] : job.fails) {
      const auto failed = job.leases.find(token);
      const auto next = job.leases.find(token + 1);
      if (failed == job.leases.end() || next == job.leases.end()) continue;
      const std::optional<Time> failed_grant = granted(failed->second);
      const std::optional<Time> next_grant = granted(next->second);
      if (!failed_grant || !next_grant) continue;
      const Time earliest = *failed_grant + queue_backoff(options_, token);
      if (*next_grant >= earliest) continue;
      hits_.push_back({QueueRule::leased_before_backoff,
                       job_id,
                       {failed->second, fail, next->second},
                       "attempt " + std::to_string(token + 1) + " granted at " +
                           ns_text(*next_grant) + ", but attempt " + std::to_string(token) +
                           " was granted at " + ns_text(*failed_grant) +
                           " and failed, so it was held back until at least " + ns_text(earliest)});
      return;
    }
  }

  // retry_delay_exceeds_backoff: a pending job with n >= 1 attempts became pending by a fail
  // (available = fail time + backoff(n)) or an expiry (available = the expiry, in the past), both
  // at or before the queue's final time, so it cannot wait longer than backoff(n) from the end.
  void check_retry_delays() {
    if (!final_state_.available || !judges_backoff()) return;
    for (const auto& [job_id, final] : final_state_.jobs) {
      if (final.status != JobFinalStatus::pending || final.attempts == 0) continue;
      if (!final.available_remaining_ns) continue;
      const Time backoff = queue_backoff(options_, final.attempts);
      if (*final.available_remaining_ns <= static_cast<std::uint64_t>(backoff)) continue;
      std::vector<std::size_t> involved;
      if (auto found = jobs_.find(job_id); found != jobs_.end()) {
        if (auto fail = found->second.fails.find(final.attempts);
            fail != found->second.fails.end()) {
          involved.push_back(fail->second);
        }
      }
      hits_.push_back({QueueRule::retry_delay_exceeds_backoff, job_id, std::move(involved),
                       "pending after attempt " + std::to_string(final.attempts) + " for another " +
                           ns_text(static_cast<Time>(*final.available_remaining_ns)) +
                           ", longer than that attempt's backoff (" + ns_text(backoff) + ")"});
    }
  }

  // refusal_contradicts_final_state: completed, dead and cancelled are terminal, so a refusal
  // naming one must agree with the final state. cancel answers already_final for a completed
  // job too; complete and fail answer already_completed for it.
  void check_refusals() {
    if (!final_state_.available) return;
    for (std::size_t index = 0; index < operations_.size(); ++index) {
      const QueueOperation& operation = at(index);
      if (operation.status != QueueOperationStatus::fail || operation.op == QueueOp::enqueue ||
          operation.op == QueueOp::lease) {
        continue;
      }
      const bool completed_refusal = operation.reply.note == "already_completed";
      if (!completed_refusal && operation.reply.note != "already_final") continue;
      const auto found = final_state_.jobs.find(operation.arguments.job_id);
      if (found == final_state_.jobs.end()) continue;  // `lost` judges a missing job
      const JobFinalStatus status = found->second.status;
      const bool dead_or_cancelled =
          status == JobFinalStatus::dead || status == JobFinalStatus::cancelled;
      const bool agrees = completed_refusal
                              ? status == JobFinalStatus::completed
                              : dead_or_cancelled || (operation.op == QueueOp::cancel &&
                                                      status == JobFinalStatus::completed);
      if (agrees) continue;
      hits_.push_back({QueueRule::refusal_contradicts_final_state,
                       operation.arguments.job_id,
                       {index},
                       std::string(queue_op_name(operation.op)) + " refused as " +
                           operation.reply.note + ", but the final state has the job " +
                           job_final_status_name(status)});
    }
  }

  // counter_below_history: an acknowledged lease that delivered a job, or an acknowledged fail,
  // was applied by the queue and counted there (retries may count more, never fewer).
  void check_counters() {
    if (!final_state_.available || !final_state_.counters) return;
    const FinalCounters& counters = *final_state_.counters;
    for (const auto& [name, counted, acknowledged] :
         {std::tuple{"leases", counters.leases, &ok_leases_},
          std::tuple{"failures", counters.failures, &ok_fails_}}) {
      if (counted >= acknowledged->size()) continue;
      const QueueOperation& last = at(acknowledged->back());
      const JobId job_id = last.op == QueueOp::lease ? last.reply.job_id : last.arguments.job_id;
      hits_.push_back({QueueRule::counter_below_history,
                       job_id,
                       {acknowledged->back()},
                       std::string("the queue counts ") + std::to_string(counted) + " " + name +
                           ", but the history acknowledged " +
                           std::to_string(acknowledged->size())});
    }
  }

  const std::vector<QueueOperation>& operations_;
  const QueueFinalState& final_state_;
  const QueueCheckOptions& options_;
  std::map<JobId, JobTiming> jobs_;
  std::vector<std::size_t> ok_leases_, ok_fails_;  // ok leases that handed out a job, ok fails
  std::vector<QueueRuleHit> hits_;
};

}  // namespace

Time queue_backoff(const QueueCheckOptions& options, std::uint64_t attempt) {
  RAFTSIM_CHECK(attempt >= 1 && options.backoff_base > 0 && options.backoff_max > 0);
  const std::uint64_t shift = attempt - 1;
  // base << shift overflows or passes max: max.
  if (shift >= 62 || options.backoff_base > (options.backoff_max >> shift)) {
    return options.backoff_max;
  }
  return std::min<Time>(options.backoff_base << shift, options.backoff_max);
}

std::vector<QueueRuleHit> check_queue_timing(const QueueHistory& history,
                                             const QueueFinalState& final_state,
                                             const QueueCheckOptions& options) {
  return TimingRules(history, final_state, options).run();
}

}  // namespace raftsim::sim

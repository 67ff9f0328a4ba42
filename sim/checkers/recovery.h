// raftsim: the recovery and liveness checker. Every fault and every heal opens a measurement;
// it closes when the cluster has a stable leader again and, if clients run, the next client
// operation has succeeded. Recovery time counts only the time during which recovery was possible
// -- some majority of nodes up, unpaused, not failed, and all connected to each other both ways --
// so a partition that leaves no majority is not blamed on the code. Over a bound (recovery_max)
// is a recovery failure; still open after liveness_timeout of such time is a liveness failure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/cluster/service_cluster.h"

namespace raftsim::sim {

// What recovery needs to know about the cluster at one moment.
struct ClusterHealth {
  // Some majority of nodes is up, unpaused, not failed and pairwise connected both ways.
  bool healthy_majority = false;
  // Stricter, for the liveness bound (leadership.h): some majority is live -- running, its
  // clocks within the drift the cores tolerate, its disks and the links among it fast enough
  // for the election timeout (shortest_election_timeout / 4), at most 10% of messages lost or late
  // -- and, unless PreVote and CheckQuorum are both on, no running node outside it has a link to it
  // (a half-connected node may then disrupt every election: a known limit of Raft, not a bug).
  bool live_majority = false;
  // A running leader that has committed an entry of its term and reaches a majority (itself
  // included) of running nodes in its term over links open both ways.
  std::optional<NodeIndex> stable_leader;
  Term stable_leader_term = 0;
};

// Evaluates ClusterHealth (cost: O(2^nodes * nodes) for the majority tests, fine up to 9 nodes).
ClusterHealth observe_health(ServiceCluster& cluster);

struct RecoveryMeasurement {
  std::string event;  // e.g. "crash n2 (leader)" or "heal"
  Time at = 0;
  std::optional<Time> leader_at;  // first moment with a stable leader
  std::optional<Time> commit_at;  // first successful client operation after the event
  Time healthy_time = 0;          // time with a healthy majority while the measurement was open
  // ...with a live majority (ClusterHealth::live_majority): what the liveness timeout judges,
  // since Raft promises a leader only then (not, say, to voters a removed server keeps
  // disrupting without PreVote and CheckQuorum).
  Time live_time = 0;
  std::optional<Time> recovered_at;
  Time recovery_time() const { return healthy_time; }  // the number bounds apply to
};

struct RecoveryVerdict {
  std::optional<std::string> recovery_failure;  // a measurement over the bound
  std::optional<std::string> liveness_failure;  // never recovered with a live majority
  Time failure_at = 0;                          // when the first failure became certain
};

// What one administrative request (a membership change or a leadership transfer) cost the
// clients: from the request to the change committed (the operator's answer), then to the first
// write served after it; and the longest stretch in between with no write served (the write
// unavailability, virtual time).
struct ChangeUnavailability {
  std::string change;  // e.g. "add_learner n3"
  AdminOutcome outcome = AdminOutcome::pending;
  Time requested_at = 0;
  std::optional<Time> answered_at;
  std::optional<Time> writes_again_at;  // the first write served once it was answered
  Time write_gap = 0;                   // the longest time without a write served in between
};

// One measurement per admin operation. ok_write_times: when each successful client write
// returned, sorted. An operation not answered ok, or with no write served after its answer, has
// no writes_again_at and its gap runs to the last write seen.
std::vector<ChangeUnavailability> measure_changes(const std::vector<AdminOperation>& operations,
                                                  const std::vector<Time>& ok_write_times);

class RecoveryTracker {
 public:
  static constexpr std::size_t kMeasurementsMax = 100'000;  // beyond it events are not measured

  // need_commit: clients run, so recovery also waits for a successful operation.
  RecoveryTracker(bool need_commit, std::optional<Time> recovery_max, Time liveness_timeout)
      : need_commit_(need_commit),
        recovery_max_(recovery_max),
        liveness_timeout_(liveness_timeout) {}

  void on_event(Time now, std::string description);
  // Call often (every millisecond of virtual time or so) with the state at `now`.
  void observe(Time now, const ClusterHealth& health, const History& history) {
    observe(now, health, history.ok_return_times());
  }
  // ok_times: when each successful client operation returned, sorted.
  void observe(Time now, const ClusterHealth& health, const std::vector<Time>& ok_times);
  bool all_recovered() const { return open_count_ == 0; }
  const std::vector<RecoveryMeasurement>& measurements() const { return measurements_; }
  std::size_t unmeasured_events() const { return unmeasured_; }
  // Judges the run at its end (liveness: only measurements open with enough healthy time).
  RecoveryVerdict verdict() const;
  // Recovery times of closed measurements, sorted; and a percentile of them (0..100).
  std::vector<Time> recovery_times() const;
  static Time percentile(const std::vector<Time>& sorted, unsigned percent);

 private:
  bool need_commit_;
  std::optional<Time> recovery_max_;
  Time liveness_timeout_;
  std::vector<RecoveryMeasurement> measurements_;
  std::size_t first_open_ = 0;  // measurements before it are all closed
  std::size_t open_count_ = 0;
  std::size_t unmeasured_ = 0;
  Time last_observed_ = 0;
  bool last_healthy_ = false;
  bool last_live_ = false;
  std::optional<RecoveryVerdict> failed_early_;
};

}  // namespace raftsim::sim

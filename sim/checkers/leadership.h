// raftsim: leadership over a whole run, for the liveness verdict. Samples say whether a stable
// leader exists and whether a live majority does (connected, running, clocks and disks within
// bounds: ClusterHealth::live_majority). Measured: time without a stable leader after the first
// one (every loss, not only the first), the longest such stretch, stable-leader changes; the
// same from marks (a fault step firing) on; and the first time a live majority went without a
// stable leader for longer than the bound, which fails the run's liveness check.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "sim/cluster/service_cluster.h"

namespace raftsim::sim {

// The longest time a live majority may go without a stable leader, from the timing alone: as
// many longest election timeouts (each as long as the slowest clock the cores tolerate makes it,
// RaftConfig::clock_drift_max_ppm) as randomised elections need to settle with probability
// 1 - kLivenessFalseAlarm (at least kStableLeaderBoundTimeouts), plus round trips for the votes
// and the new leader's first commit. Default timing (10 ms ticks, timeouts of 30-60 ticks, 30%
// drift, links of at most 5 ms, fsyncs of at most 2 ms, 5 nodes: 14 elections): 12,096 ms. 0 (no
// bound) when the timeouts cannot separate candidates by a round trip often enough (more than
// kElectionsBoundMax elections): candidates may then split the vote again and again.
inline constexpr std::uint32_t kStableLeaderBoundTimeouts = 10;
inline constexpr double kLivenessFalseAlarm = 1e-6;
inline constexpr double kElectionsBoundMax = 200;
Time default_stable_leader_bound(const ServiceClusterOptions& options);
// The chance that one election separates the candidates: of `voters` timeouts drawn uniformly
// from `values` whole ticks, exactly one is the first and every other fires `gap_ticks` later
// or more.
double election_separation_chance(std::uint32_t voters, std::uint32_t values,
                                  std::uint32_t gap_ticks);

// The shortest election timeout a core can see (its clock fast by the drift bound). Links and
// disks slower than a quarter of it do not count towards a live majority: Raft's timing
// requirement (broadcast time well below the election timeout) no longer holds.
Time shortest_election_timeout(const ServiceClusterOptions& options);
// The longest a message on this link can take (latency, extra latency, reordering delay).
Time worst_link_delay(const LinkConfig& link);

// Leadership within one window: the whole run (from the first stable leader) or from a mark on.
struct LeadershipWindow {
  std::size_t label = 0;  // the caller's name for it (the runner: the fault step's position)
  Time from = 0;
  Time leaderless = 0;          // time without a stable leader
  Time longest_leaderless = 0;  // the longest stretch of it
  std::uint64_t leader_changes = 0;
  std::vector<Time> change_times;  // when each change happened (the first kChangeTimesMax)
  bool started = false;            // the whole run's window starts with the first stable leader
};

struct LivenessBreach {
  Time from = 0;  // the live majority had no stable leader since then
  Time at = 0;    // ...and the bound ran out here
};

class LeadershipTracker {
 public:
  static constexpr std::size_t kMarksMax = 10'000;       // beyond it mark() refuses
  static constexpr std::size_t kChangeTimesMax = 1'000;  // per window; the count goes on

  // bound: 0 turns the liveness bound off (leadership is still measured).
  explicit LeadershipTracker(Time bound) : bound_(bound) {}

  // Call at every sample, in time order. leader: the stable leader and its term, if any.
  void observe(Time now, bool live_majority, std::optional<std::pair<NodeIndex, Term>> leader);
  // Opens a window at `now` (e.g. a fault step fired); false at the cap (kMarksMax).
  bool mark(Time now, std::size_t label);
  // The window opened with `label`, if any.
  const LeadershipWindow* window(std::size_t label) const;

  const LeadershipWindow& run() const { return run_; }
  const std::vector<LeadershipWindow>& marks() const { return marks_; }
  std::optional<Time> first_leader_at() const { return first_leader_at_; }
  const std::optional<LivenessBreach>& breach() const { return breach_; }
  Time bound() const { return bound_; }
  Time longest_live_leaderless() const { return longest_live_leaderless_; }

 private:
  void add_leaderless(LeadershipWindow& window, Time elapsed, Time stretch);
  static void count_change(LeadershipWindow& window, Time now);

  Time bound_;
  Time last_ = 0;
  bool observed_ = false;
  bool had_leader_ = false;                                // at the last sample
  std::optional<std::pair<NodeIndex, Term>> last_leader_;  // the last stable leader seen
  std::optional<Time> first_leader_at_;
  Time leaderless_since_ = 0;       // the current stretch without a stable leader began here
  std::optional<Time> live_since_;  // a live majority without a stable leader since then
  Time longest_live_leaderless_ = 0;
  LeadershipWindow run_;
  std::vector<LeadershipWindow> marks_;
  std::optional<LivenessBreach> breach_;
};

}  // namespace raftsim::sim

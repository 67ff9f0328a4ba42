// raftsim: swarm scenario generation for fuzz campaigns. Each run's scenario is a pure function
// of (campaign seed, run index): cluster size, timing, workload, a random subset of fault kinds
// with random rates for the nemesis, sometimes a whole-cluster power loss, log compaction in half
// the runs, per-run knobs (generate_knobs.h: batch and window sizes, PreVote and CheckQuorum,
// snapshot thresholds, workload mixes, message-kind delays, small WAL segments with aimed
// corruption) and swarm profiles (FuzzProfiles) that bias a run towards election races and
// Figure-8 histories. The generator never looks at the injected bug. Deterministic: the same pair
// gives the same scenario on every machine, so campaigns split by run index.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sim/fuzz/profile_weights.h"
#include "sim/scenario/scenario.h"

namespace raftsim::sim {

struct FuzzRunSpec {
  std::uint64_t campaign_seed = 1;
  std::uint64_t run_index = 0;
  Bug bug = Bug::none;
  // With a base scenario the run keeps its cluster, workload and faults; only the seed changes,
  // and a nemesis of random kinds is added when the base has none.
  const Scenario* base = nullptr;
  // The chances of the profiles and of perturbation (null: the defaults); steering moves them.
  const FuzzProfileWeights* weights = nullptr;
};

// Swarm biases, each but the last drawn independently in about a quarter of the runs (from their
// own stream, so the other knobs of a run do not move when one is added). Each one makes some
// rare protocol interleaving common:
//   racing_elections  narrow election-timeout range, slow jittery links: candidates of one term
//                     race, and vote requests are still in flight when a voter crashes;
//   leader_churn      crash the leader shortly after each election, restart it soon after;
//   minority_leader   cut the leader off with a minority (it keeps appending to that minority);
//   voter_crashes     crash a follower just as an election ends, back within milliseconds, while
//                     fsyncs are slow: crashes interrupt fsyncs and elections;
//   small_batches     one to three entries per append and few in flight: a follower's match
//                     index crosses every entry of an older term one at a time;
//   figure_8          Figure 8 of the Raft paper as a choreography, in half of these runs on
//                     three nodes with three faults a round (see draw_figure_8_three_nodes),
//                     in the other half on five nodes, 2-4 rounds:
//                     a leader cut off with one follower piles up entries, then crashes; the
//                     next leader is cut off as soon as it is elected (its entry of a newer
//                     term reaches nobody); the follower with the old tail is elected and cut
//                     off within milliseconds while it sends that tail one entry per append;
//                     then the newer-term leader returns. Independent churn, cuts and small
//                     batches line up like this almost never (one bug found in 3 of 10
//                     campaigns before this; see draw_figure_8_rounds);
//   lease_reads       in a fifth of the runs and then alone: a read-heavy key-value run with
//                     lease reads whose leader, its clock slowed to the drift bound, is cut off
//                     with some clients one to three times (see draw_lease_reads);
//   membership        in a quarter of the other runs (never with figure_8 or lease_reads): a
//                     cluster of 3-5 voters with spare slots whose membership an operator or the
//                     nemesis changes while faults happen (sim/fuzz/generate_membership.h).
struct FuzzProfiles {
  bool racing_elections = false;
  bool leader_churn = false;
  bool minority_leader = false;
  bool voter_crashes = false;
  bool small_batches = false;
  bool figure_8 = false;
  bool lease_reads = false;
  bool membership = false;
  std::string describe() const;  // "racing-elections, leader-churn" or "none"
};
FuzzProfiles draw_fuzz_profiles(std::uint64_t run_seed, const FuzzProfileWeights& weights = {});
// Whether the run has in-code perturbation on (cluster.perturb): its own stream, so the other
// draws do not move.
bool draw_fuzz_perturb(std::uint64_t run_seed, const FuzzProfileWeights& weights = {});

// Fuzz runs stop after this many simulator events per simulated second of their duration plus
// settle time (Scenario::events_max), unless the base scenario sets its own budget: about 100x
// what the busiest generated run needs (~70,000 events in ~7 s), so a run that gets there is a
// runaway worth a look, reported as budget exceeded; at ~1 us per event it is seconds of wall.
inline constexpr std::uint64_t kFuzzEventsPerSimulatedSecondMax = 1'000'000;
std::uint64_t fuzz_events_max(const Scenario& scenario);

// Generated runs settle this much longer than their liveness bound (the stable-leader bound of
// sim/checkers/leadership.h, which they set): time for the final recovery's election to be seen.
inline constexpr Time kSettlePastLivenessBound = seconds(2);
void set_liveness_bounds(Scenario& scenario);

// The seed a run uses: a mix of campaign seed and run index (never 0).
std::uint64_t fuzz_run_seed(std::uint64_t campaign_seed, std::uint64_t run_index);

// The scenario for one run. It expects every check to pass.
Scenario generate_scenario(const FuzzRunSpec& spec);

}  // namespace raftsim::sim

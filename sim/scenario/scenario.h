// raftsim: a scenario as plain values -- the cluster, its network, disks and clocks, the client
// workload, a timed fault schedule, an optional random nemesis, the checks to run and the verdict
// expected. parse.h turns a JSON file into one (format reference: scenarios/README.md) and back;
// runner.h runs one. Everything here is already validated: node names resolve, ranges are sane.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/bugs/catalogue.h"
#include "sim/cluster/service_cluster.h"
#include "sim/scenario/faults/fault.h"

namespace raftsim::sim {

inline constexpr int kScenarioFormatVersion = 1;
inline constexpr NodeIndex kScenarioNodesMax = 9;
inline constexpr NodeIndex kScenarioClientsMax = 32;
inline constexpr std::size_t kScenarioFaultStepsMax = 10'000;
inline constexpr Time kScenarioDurationMax = seconds(3600);
// The most simulator events a scenario may ask for: about an hour of one core.
inline constexpr std::uint64_t kScenarioEventsMax = 10'000'000'000;
// The event budget of a scenario that sets none: a few minutes of one core (a busy run takes
// 1-10 us an event), far beyond what any committed scenario needs.
inline constexpr std::uint64_t kScenarioEventsDefault = 100'000'000;
// The memory budget (ServiceCluster::held_bytes(), in MiB) of a scenario that sets none, and the
// most one may ask for. `raftsim run` at the default peaks near 2 GiB (README, "Limits").
inline constexpr std::uint64_t kScenarioMemoryMbDefault = 1024;
inline constexpr std::uint64_t kScenarioMemoryMbMax = 65536;

// Who a fault hits. Names are resolved when the fault fires, so "leader" means the leader then.
//   "n0".."n8"   a cluster node          "leader"     the current leader (highest term)
//   "new-leader" a leader elected since the previous step fired (the step waits for one, and
//                with "leading_ms" until it has led that long; checked every millisecond)
//   "follower"   one follower, drawn     "followers"  every running non-leader
//   "random"     one node, drawn         "all"        every cluster node
//   "others"     nodes no other selector of the same step names (partitions)
//   any name bound earlier with "as"     (e.g. crash "leader" as "old", later restart "old")
//   "down" / "paused"                     every crashed / paused node (restart / resume)
// (Selector itself: selector_check.h; a step's fault kinds: faults/fault.h.)

// Faults drawn at random, one at a time: inject, hold for a while, undo, wait, repeat.
struct Nemesis {
  std::vector<NemesisKind> kinds;
  Time start = seconds(1);
  Time stop = kTimeNever;  // defaults to the scenario's duration
  Time interval_min = milliseconds(500), interval_max = seconds(2);  // quiet time between faults
  Time hold_min = milliseconds(200), hold_max = seconds(2);          // how long a fault lasts
  std::uint32_t faults_max = 1000;                                   // budget over the run
  std::vector<std::uint32_t> kind_budgets;  // per kind (NemesisKind::index), UINT32_MAX: no cap
};

// Bounds on leadership within a window of the run (the whole run from its first stable leader,
// or from a fault step on): how often the stable leader may change, how long it may be missing.
struct LeadershipBounds {
  std::optional<std::uint64_t> leader_changes_max;
  std::optional<Time> leaderless_max;
  bool any() const { return leader_changes_max || leaderless_max; }
};

struct StepLeadershipBounds {
  std::size_t step = 0;  // the fault step's position in `faults` (in time order)
  LeadershipBounds bounds;
};
inline constexpr std::size_t kAfterStepBoundsMax = 100;

struct Checks {
  bool linearizability = true;
  bool durability = true;
  bool queue = true;  // the queue checker (queue workloads only)
  bool recovery = true;
  std::optional<Time> recovery_max;     // a recovery slower than this fails the run
  Time liveness_timeout = seconds(10);  // unrecovered this long with a healthy majority: fails
  // The highest term any node may reach: a cluster that keeps electing (a disruptive node,
  // partial connectivity without PreVote / CheckQuorum) fails the liveness check.
  std::optional<std::uint64_t> term_max;
  // A live majority without a stable leader for longer than this fails liveness (see
  // sim/checkers/leadership.h). Nothing: derived from the timing (default_stable_leader_bound);
  // 0: off.
  std::optional<Time> stable_leader_bound;
  LeadershipBounds leadership;                    // over the whole run
  std::vector<StepLeadershipBounds> after_steps;  // from a fault step on
  std::uint64_t linearizability_steps_max = 50'000'000;
  std::uint64_t linearizability_memory_mb = 4096;  // the search's memory budget
  // The readings on which checkers differ (sim/linearizability/semantics.h); the simulated
  // clients report a failed cas only when the server compared and found another value, so
  // observe is right for them; the KV store starts empty, so the initial value is not a choice.
  std::string linearizability_failed_cas = "observe";
  std::string linearizability_nil_read = "value";
};

struct Expectation {
  bool pass = true;
  std::string checker;  // when !pass: the checker that must fire
};

// The model checker's bounds, budgets and search (raftsim explore; scenarios/README.md,
// "explore"). With a schedule, explore replays those choices instead of searching and verifies
// the run ends in expect_violation (a counterexample file is such a scenario).
struct ExploreSection {
  std::uint32_t proposals = 1;
  std::uint32_t crashes = 0;
  std::uint32_t drops = 0;
  std::uint32_t duplicates = 0;
  std::uint32_t heartbeats = 0;
  std::uint32_t timeouts = 3;  // election timer firings in total
  std::uint64_t term_max = 2;
  std::vector<NodeIndex> campaigners;  // nodes whose election timer may fire; empty: all
  bool pre_vote = false;
  std::uint32_t entries_per_message_max = 1;
  std::uint32_t inflight_messages_max = 4;
  std::uint32_t messages_in_flight_max = 24;
  // The dead-message reduction (sim/explore/README.md): "keep" (off), "checked", "assumed".
  std::string dead_messages = "keep";
  bool sleep_sets = false;  // bfs: sleep sets over deliveries to different nodes
  std::string strategy = "bfs";
  std::uint64_t depth_max = 40;
  std::uint64_t states_max = 4'000'000;
  std::string bug;  // a catalogued bug's name, or empty
  std::vector<std::string> schedule;
  std::string expect_violation;  // the invariant a search or replay must find; empty: none
  // Membership changes as choices (sim/explore/raft_world.h): nodes beyond initial_voters join
  // later (0: all are voters from the start); a budget of changes; joint changes or not.
  std::uint32_t initial_voters = 0;
  std::uint32_t membership_changes = 0;
  bool joint_changes = false;
};

struct Scenario {
  int version = kScenarioFormatVersion;
  std::string name;
  std::string description;
  std::string file;  // where it was read from, for messages and replay lines
  std::uint64_t seed = 1;
  Time duration = seconds(10);
  Time settle_max = seconds(10);  // after the duration: recover everything, wait this long at most
  // The run's event budget (0: kScenarioEventsDefault) and memory budget (MiB the run may hold:
  // its trace, history, logs and simulated disks). A run that reaches either stops there with
  // the verdict "budget_exceeded": neither pass nor fail, and the same at that event on every
  // replay.
  std::uint64_t events_max = 0;
  std::uint64_t memory_mb = kScenarioMemoryMbDefault;
  std::uint64_t events_budget() const {
    return events_max != 0 ? events_max : kScenarioEventsDefault;
  }
  ServiceClusterOptions cluster;  // seed is set per run
  std::vector<FaultStep> faults;  // sorted by time (stable)
  std::optional<Nemesis> nemesis;
  Checks checks;
  Expectation expect;
  std::optional<ExploreSection> explore;
  // The catalogued bug injected while this scenario runs (sim/bugs/catalogue.h): a shrunk failure
  // names its bug so it replays on its own. `raftsim run --bug` overrides it.
  Bug bug = Bug::none;
};

}  // namespace raftsim::sim

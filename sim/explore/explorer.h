// raftsim: the explorer -- systematic search of a World's choices (a stateful model checker).
// Strategies: bfs (breadth first; the first violation found has a shortest trail), dfs (depth
// first with a depth bound; a state reached again at a smaller depth is explored again so the
// bound is exact), random (walks under PCT-style node priorities). Distinct states are pruned by
// fingerprint; the state graph is kept (StateGraph) up to a limit. Limits: states_max distinct
// states (then the search stops, incomplete), depth_max, walks_max; the caller may stop it early
// (should_stop, e.g. a wall-clock budget from tools/). Deterministic for a given world and seed.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/explore/state_graph.h"
#include "sim/explore/visited_set.h"
#include "sim/explore/world.h"

namespace raftsim::sim::explore {

enum class Strategy : std::uint8_t { bfs, dfs, random };
const char* strategy_name(Strategy strategy);
std::optional<Strategy> strategy_from_name(const std::string& name);

struct ExploreOptions {
  Strategy strategy = Strategy::bfs;
  std::uint64_t depth_max = 64;              // choices along one path
  std::uint64_t states_max = 4'000'000;      // distinct states stored (~40 bytes each + frontier)
  std::uint64_t graph_states_max = 200'000;  // the Boost graph stops growing beyond this
  // World copies waiting in the BFS frontier (a 3-node Raft world is ~10 KB); at the limit the
  // search stops, incomplete. DFS keeps at most depth_max copies.
  std::uint64_t frontier_states_max = 600'000;
  std::uint64_t walks_max = 100'000;   // random: walks
  std::uint64_t seed = 1;              // random: walk choices and priorities
  std::uint32_t priority_changes = 2;  // random: PCT's d - 1 priority change points per walk
  // bfs only: sleep sets over World::independent() -- every reachable state is still visited,
  // fewer transitions are taken (sim/explore/README.md, "Reductions").
  bool sleep_sets = false;
  std::uint64_t progress_every_states = 1u << 18;
  std::function<bool()> should_stop;  // polled every 1024 states; true = stop now
  std::function<void(std::uint64_t explored, std::uint64_t distinct, std::uint64_t depth)> progress;
};

struct ExploreResult {
  std::uint64_t states_explored = 0;  // successor states generated (transitions taken)
  std::uint64_t distinct_states = 0;  // fingerprints stored, the initial state included
  std::uint64_t depth_reached = 0;
  bool complete = false;    // every state within the bounds was explored
  std::string stop_reason;  // why an incomplete search stopped
  std::optional<Violation> violation;
  std::vector<Choice> trail;             // choices from the initial state to the violation
  std::uint64_t trail_length_found = 0;  // length of the path the strategy found (dfs/random)
  double collision_probability = 0;      // that two distinct states shared a fingerprint
  std::uint64_t graph_vertices = 0;
  std::uint64_t graph_edges = 0;
  std::uint64_t state_hash = 0;     // a digest of the fingerprints in discovery order
  std::uint64_t coverage = 0;       // World::coverage() of every distinct state, or-ed
  std::uint64_t frontier_peak = 0;  // most world copies held at once (memory)
};

// Depth-first search with its depth bound exact finds some trail, not a shortest one. This
// searches again with the bound one below the trail found, until a search within the bounds
// completes without a violation: the last trail is then a shortest one (`proven` true). Stops
// early (proven false) if a search is incomplete. `found` is the first search's result.
struct ShortestTrail {
  ExploreResult result;  // of the search that found the shortest trail
  bool proven = false;
  std::uint32_t searches = 0;
};
ShortestTrail descend_to_shortest(const World& initial, ExploreOptions options,
                                  ExploreResult found);

class Explorer {
 public:
  Explorer(const World& initial, ExploreOptions options);
  ExploreResult run();
  const StateGraph& graph() const { return graph_; }

 private:
  struct Node {
    std::uint32_t parent;
    std::uint32_t depth;
    Choice choice;
  };
  // Records a new state; its id, or nothing if the state limit is reached.
  std::optional<std::uint32_t> add_state(std::uint64_t fingerprint, std::uint32_t parent,
                                         std::uint32_t depth, const Choice& choice);
  bool stop_requested();
  // What taking one choice led to: a state stored before, a new state, or the end of the search
  // (the state limit, or a violation now recorded in the result).
  enum class Reached : std::uint8_t { known, added, end };
  // The successor step every strategy shares: applies `choice` to `world` (a copy of state
  // `parent`'s world), counts the transition, and stores the state reached at `depth` if it is
  // new; `reached` receives its id. A transition to a known state enters the graph only if
  // `record_known`. A violation in a new state finishes the search with the trail `trail(id)`.
  template <typename Trail>
  Reached take(World& world, const Choice& choice, std::uint32_t parent, std::uint32_t depth,
               bool record_known, std::uint32_t& reached, const Trail& trail);
  // False, and the search stops incomplete, when the bfs frontier holds frontier_states_max.
  bool frontier_has_room(std::size_t frontier_size);
  void finish_violation(std::uint32_t id, const Violation& violation,
                        std::vector<Choice> found_trail);
  std::vector<Choice> parent_path(std::uint32_t id) const;
  void run_bfs();
  void run_bfs_sleep_sets();
  void run_dfs();
  void run_random();

  std::unique_ptr<World> initial_;
  ExploreOptions options_;
  VisitedSet visited_;
  std::vector<Node> nodes_;
  std::vector<std::vector<Choice>> sleep_;  // bfs with sleep sets: each state's sleep set
  StateGraph graph_;
  ExploreResult result_;
  std::uint64_t hash_state_ = 0;
  bool stopped_ = false;
};

// Re-executes a trail from `world`: the state after the last choice, or the index of the first
// choice that is not enabled where it is taken.
struct ReplayOutcome {
  std::unique_ptr<World> world;
  std::optional<std::size_t> failed_at;
};
ReplayOutcome replay(const World& initial, const std::vector<Choice>& trail);

}  // namespace raftsim::sim::explore

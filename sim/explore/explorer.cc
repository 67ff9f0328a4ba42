// raftsim: the explorer's three strategies over one visited set and one state graph.
#include "sim/explore/explorer.h"

#include <algorithm>
#include <deque>

#include "raft/base/check.h"
#include "raft/base/enum_names.h"
#include "raft/base/hash.h"
#include "sim/kernel/random.h"

namespace raftsim::sim::explore {

namespace {
constexpr std::uint32_t kNoParent = UINT32_MAX;
constexpr std::uint64_t kStopPollStates = 1024;
constexpr double kTwoTo64 = 18446744073709551616.0;
constexpr EnumName<Strategy> kStrategyNames[] = {
    {Strategy::bfs, "bfs"}, {Strategy::dfs, "dfs"}, {Strategy::random, "random"}};
}  // namespace

const char* strategy_name(Strategy strategy) {
  return enum_name(kStrategyNames, strategy);
}

std::optional<Strategy> strategy_from_name(const std::string& name) {
  return enum_from_name(kStrategyNames, name);
}

std::optional<Choice> choice_from_label(const World& world, const std::string& label) {
  std::vector<Choice> choices;
  world.enabled_choices(choices);
  for (const Choice& choice : choices) {
    if (world.describe(choice) == label) return choice;
  }
  return std::nullopt;
}

Explorer::Explorer(const World& initial, ExploreOptions options)
    : initial_(initial.clone()), options_(std::move(options)), graph_(options_.graph_states_max) {}

std::optional<std::uint32_t> Explorer::add_state(std::uint64_t fingerprint, std::uint32_t parent,
                                                 std::uint32_t depth, const Choice& choice) {
  if (nodes_.size() >= options_.states_max || nodes_.size() >= kNoParent) {
    stopped_ = true;
    result_.stop_reason =
        "state limit reached (" + std::to_string(options_.states_max) + " distinct states)";
    return std::nullopt;
  }
  const auto id = static_cast<std::uint32_t>(nodes_.size());
  visited_.insert(fingerprint, id);
  nodes_.push_back(Node{parent, depth, choice});
  graph_.add_state(id);
  if (parent != kNoParent) graph_.add_transition(parent, id, choice);
  hash_state_ = Hasher(hash_state_).add(fingerprint).value();
  result_.depth_reached = std::max<std::uint64_t>(result_.depth_reached, depth);
  if (options_.progress && nodes_.size() % options_.progress_every_states == 0) {
    options_.progress(result_.states_explored, nodes_.size(), result_.depth_reached);
  }
  return id;
}

bool Explorer::stop_requested() {
  if (stopped_) return true;
  if (options_.should_stop && result_.states_explored % kStopPollStates == 0 &&
      options_.should_stop()) {
    stopped_ = true;
    result_.stop_reason = "stopped by the caller (time limit)";
  }
  return stopped_;
}

template <typename Trail>
Explorer::Reached Explorer::take(World& world, const Choice& choice, std::uint32_t parent,
                                 std::uint32_t depth, bool record_known, std::uint32_t& reached,
                                 const Trail& trail) {
  world.apply(choice);
  ++result_.states_explored;
  const std::uint64_t fingerprint = world.fingerprint();
  if (std::optional<std::uint32_t> seen = visited_.find(fingerprint)) {
    if (record_known) graph_.add_transition(parent, *seen, choice);
    reached = *seen;
    return Reached::known;
  }
  const std::optional<std::uint32_t> added = add_state(fingerprint, parent, depth, choice);
  if (!added) return Reached::end;
  reached = *added;
  result_.coverage |= world.coverage();
  if (std::optional<Violation> violation = world.violation()) {
    finish_violation(reached, *violation, trail(reached));
    return Reached::end;
  }
  return Reached::added;
}

bool Explorer::frontier_has_room(std::size_t frontier_size) {
  if (frontier_size < options_.frontier_states_max) return true;
  stopped_ = true;
  result_.stop_reason =
      "frontier limit reached (" + std::to_string(options_.frontier_states_max) + " world copies)";
  return false;
}

std::vector<Choice> Explorer::parent_path(std::uint32_t id) const {
  std::vector<Choice> path;
  for (std::uint32_t at = id; nodes_[at].parent != kNoParent; at = nodes_[at].parent) {
    path.push_back(nodes_[at].choice);
  }
  std::reverse(path.begin(), path.end());
  return path;
}

void Explorer::finish_violation(std::uint32_t id, const Violation& violation,
                                std::vector<Choice> found_trail) {
  graph_.mark_violation(id);
  result_.violation = violation;
  result_.trail_length_found = found_trail.size();
  // A shorter path to the same state may be in the graph (dfs and random find long ones).
  std::optional<std::vector<Choice>> shortest = graph_.shortest_path(id);
  result_.trail = shortest && shortest->size() < found_trail.size() ? std::move(*shortest)
                                                                    : std::move(found_trail);
  stopped_ = true;
}

ShortestTrail descend_to_shortest(const World& initial, ExploreOptions options,
                                  ExploreResult found) {
  RAFTSIM_CHECK_MSG(options.strategy == Strategy::dfs, "descent is for depth-first search");
  ShortestTrail shortest{std::move(found), false, 0};
  while (shortest.result.violation && !shortest.result.trail.empty()) {
    options.depth_max = shortest.result.trail.size() - 1;
    ExploreResult shallower = Explorer(initial, options).run();
    ++shortest.searches;
    if (!shallower.violation) {
      shortest.proven = shallower.complete;
      break;
    }
    shortest.result = std::move(shallower);
  }
  return shortest;
}

ExploreResult Explorer::run() {
  const std::uint64_t root_fingerprint = initial_->fingerprint();
  const std::optional<std::uint32_t> root = add_state(root_fingerprint, kNoParent, 0, Choice{});
  RAFTSIM_CHECK(root.has_value());
  result_.coverage = initial_->coverage();
  if (std::optional<Violation> violation = initial_->violation()) {
    finish_violation(0, *violation, {});
  } else {
    switch (options_.strategy) {
      case Strategy::bfs:
        if (options_.sleep_sets) {
          run_bfs_sleep_sets();
        } else {
          run_bfs();
        }
        break;
      case Strategy::dfs:
        run_dfs();
        break;
      case Strategy::random:
        run_random();
        break;
    }
  }
  result_.distinct_states = nodes_.size();
  result_.complete = !stopped_ && options_.strategy != Strategy::random;
  if (options_.strategy == Strategy::random && !result_.violation && result_.stop_reason.empty()) {
    result_.stop_reason = "random walks are never exhaustive";
  }
  const double distinct = static_cast<double>(result_.distinct_states);
  const double revisits =
      static_cast<double>(result_.states_explored + 1) - static_cast<double>(nodes_.size());
  // TLC's optimistic estimate (each revisit matched a wrong stored state) and the birthday bound
  // among the distinct states; the larger one is reported.
  result_.collision_probability =
      std::max(distinct * std::max(revisits, 0.0) / kTwoTo64, distinct * distinct / 2 / kTwoTo64);
  result_.graph_vertices = graph_.vertex_count();
  result_.graph_edges = graph_.edge_count();
  result_.state_hash = hash_state_;
  return result_;
}

void Explorer::run_bfs() {
  const auto trail = [this](std::uint32_t at) { return parent_path(at); };
  std::deque<std::pair<std::uint32_t, std::unique_ptr<World>>> frontier;
  frontier.emplace_back(0, initial_->clone());
  std::vector<Choice> choices;
  while (!frontier.empty() && !stopped_) {
    auto [id, world] = std::move(frontier.front());
    frontier.pop_front();
    const std::uint32_t depth = nodes_[id].depth;
    if (depth >= options_.depth_max) continue;
    world->enabled_choices(choices);
    for (std::size_t i = 0; i < choices.size() && !stop_requested(); ++i) {
      // The last successor reuses the parent's world instead of a copy.
      std::unique_ptr<World> next = i + 1 == choices.size() ? std::move(world) : world->clone();
      std::uint32_t reached = 0;
      const Reached step = take(*next, choices[i], id, depth + 1, true, reached, trail);
      if (step == Reached::end) return;
      if (step == Reached::known) continue;
      if (!frontier_has_room(frontier.size())) return;
      frontier.emplace_back(reached, std::move(next));
      result_.frontier_peak = std::max<std::uint64_t>(result_.frontier_peak, frontier.size());
    }
  }
}

// Sleep sets with state caching (Godefroid). A state's sleep set Z holds choices already
// covered by an equivalent interleaving; its successor by t gets {u in Z or earlier siblings |
// independent(u, t)}. A state reached again with a sleep set that is not a superset of its stored
// one is expanded again for the choices it slept on, and keeps the intersection. Smaller sleep
// sets are always safe, so a re-expansion seeds its successors from the stored set only.
void Explorer::run_bfs_sleep_sets() {
  struct Entry {
    std::uint32_t id;
    std::unique_ptr<World> world;
    std::vector<Choice> only;  // a re-expansion: just these choices
    bool again;
  };
  std::deque<Entry> frontier;
  frontier.push_back(Entry{0, initial_->clone(), {}, false});
  sleep_.assign(1, {});
  std::vector<Choice> choices;
  std::vector<Choice> done;
  const auto trail = [this](std::uint32_t at) { return parent_path(at); };
  auto contains = [](const std::vector<Choice>& set, const Choice& choice) {
    return std::find(set.begin(), set.end(), choice) != set.end();
  };
  while (!frontier.empty() && !stopped_) {
    Entry entry = std::move(frontier.front());
    frontier.pop_front();
    const std::uint32_t id = entry.id;
    const std::uint32_t depth = nodes_[id].depth;
    if (depth >= options_.depth_max) continue;
    entry.world->enabled_choices(choices);
    done.clear();
    for (std::size_t i = 0; i < choices.size() && !stop_requested(); ++i) {
      const Choice& choice = choices[i];
      if (entry.again ? !contains(entry.only, choice) : contains(sleep_[id], choice)) continue;
      std::vector<Choice> sleep;
      for (const auto* set : {&sleep_[id], &done}) {
        for (const Choice& other : *set) {
          if (entry.world->independent(other, choice)) sleep.push_back(other);
        }
      }
      done.push_back(choice);
      std::unique_ptr<World> next = entry.world->clone();
      std::uint32_t reached = 0;
      const Reached step = take(*next, choice, id, depth + 1, true, reached, trail);
      if (step == Reached::end) return;
      if (step == Reached::known) {
        std::vector<Choice> woken;  // slept on before, needed now
        std::vector<Choice> kept;
        for (const Choice& old : sleep_[reached])
          (contains(sleep, old) ? kept : woken).push_back(old);
        if (woken.empty()) continue;
        sleep_[reached] = std::move(kept);
        frontier.push_back(Entry{reached, std::move(next), std::move(woken), true});
        continue;
      }
      sleep_.push_back(std::move(sleep));
      if (!frontier_has_room(frontier.size())) return;
      frontier.push_back(Entry{reached, std::move(next), {}, false});
      result_.frontier_peak = std::max<std::uint64_t>(result_.frontier_peak, frontier.size());
    }
  }
}

void Explorer::run_dfs() {
  struct Frame {
    std::uint32_t id;
    std::unique_ptr<World> world;
    std::vector<Choice> choices;
    std::size_t next = 0;
    bool first_visit = true;
  };
  std::vector<Frame> stack;
  stack.push_back(Frame{0, initial_->clone(), {}, 0, true});
  stack.back().world->enabled_choices(stack.back().choices);
  while (!stack.empty() && !stop_requested()) {
    Frame& top = stack.back();
    if (top.next >= top.choices.size() || stack.size() - 1 >= options_.depth_max) {
      stack.pop_back();
      continue;
    }
    const Choice choice = top.choices[top.next++];
    std::unique_ptr<World> next = top.world->clone();
    const auto depth = static_cast<std::uint32_t>(stack.size());
    const auto trail = [&stack, &choice](std::uint32_t) {
      std::vector<Choice> path;
      for (std::size_t i = 1; i < stack.size(); ++i)
        path.push_back(stack[i - 1].choices[stack[i - 1].next - 1]);
      path.push_back(choice);
      return path;
    };
    std::uint32_t id = 0;
    const Reached step = take(*next, choice, top.id, depth, top.first_visit, id, trail);
    if (step == Reached::end) return;
    const bool first_visit = step == Reached::added;
    if (!first_visit) {
      // Reached again at a smaller depth: explore it again, so the depth bound stays exact.
      if (nodes_[id].depth <= depth) continue;
      nodes_[id].depth = depth;
    }
    result_.frontier_peak = std::max<std::uint64_t>(result_.frontier_peak, stack.size() + 1);
    Frame frame{id, std::move(next), {}, 0, first_visit};
    frame.world->enabled_choices(frame.choices);
    stack.push_back(std::move(frame));
  }
}

void Explorer::run_random() {
  Random random(options_.seed);
  std::vector<Choice> choices;
  std::vector<Choice> best;
  for (std::uint64_t walk = 0; walk < options_.walks_max && !stop_requested(); ++walk) {
    // PCT: random distinct node priorities, lowered at a few random steps of the walk.
    std::vector<std::uint64_t> priority;
    std::vector<std::uint64_t> change_at;
    for (std::uint32_t i = 0; i < options_.priority_changes; ++i) {
      change_at.push_back(random.below(std::max<std::uint64_t>(options_.depth_max, 1)));
    }
    std::uint64_t lowest = 0;
    std::unique_ptr<World> world = initial_->clone();
    std::uint32_t id = 0;
    std::vector<Choice> path;
    for (std::uint64_t step = 0; step < options_.depth_max && !stop_requested(); ++step) {
      world->enabled_choices(choices);
      if (choices.empty()) break;
      for (const Choice& choice : choices) {
        while (priority.size() <= choice.node)
          priority.push_back(1'000'000 + random.below(1'000'000));
      }
      std::uint64_t top = 0;
      for (const Choice& choice : choices) top = std::max(top, priority[choice.node]);
      best.clear();
      for (const Choice& choice : choices) {
        if (priority[choice.node] == top) best.push_back(choice);
      }
      const Choice choice = best[random.below(best.size())];
      if (std::find(change_at.begin(), change_at.end(), step) != change_at.end()) {
        priority[choice.node] = lowest++;  // the running node drops below every other
      }
      path.push_back(choice);
      const auto depth = static_cast<std::uint32_t>(path.size());
      const auto trail = [&path](std::uint32_t) { return path; };
      if (take(*world, choice, id, depth, true, id, trail) == Reached::end) return;
    }
  }
}

ReplayOutcome replay(const World& initial, const std::vector<Choice>& trail) {
  ReplayOutcome outcome{initial.clone(), std::nullopt};
  std::vector<Choice> choices;
  for (std::size_t i = 0; i < trail.size(); ++i) {
    outcome.world->enabled_choices(choices);
    if (std::find(choices.begin(), choices.end(), trail[i]) == choices.end()) {
      outcome.failed_at = i;
      return outcome;
    }
    outcome.world->apply(trail[i]);
  }
  return outcome;
}

}  // namespace raftsim::sim::explore

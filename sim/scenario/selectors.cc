// raftsim: selector resolution at fire time (see selectors.h).
#include "sim/scenario/selectors.h"

#include <algorithm>

#include "sim/scenario/faults/fault.h"

namespace raftsim::sim {
namespace {

constexpr const char* kNewLeader = "new-leader";

}  // namespace

void SelectorResolver::observe(std::optional<NodeIndex> stable_leader) {
  stable_leader_ = stable_leader;
  leader_since_.resize(cluster_.size());
  for (NodeIndex node = 0; node < cluster_.size(); ++node) {
    const Raft* raft = cluster_.raft(node);
    if (raft != nullptr && raft->role() == Role::leader &&
        leader_since_[node].term != raft->term()) {
      leader_since_[node] = {raft->term(), cluster_.world().now()};
    }
  }
}

bool SelectorResolver::needs_missing_leader(const FaultStep& step) {
  if (step_names(step, kNewLeader) && !new_leader(step.leading_min)) return true;
  return (step_names(step, "leader") || step_names(step, "follower") ||
          step_names(step, "followers")) &&
         !current_leader();
}

Term SelectorResolver::highest_leader_term() {
  Term highest = 0;
  for (NodeIndex node = 0; node < cluster_.size(); ++node) {
    const Raft* raft = cluster_.raft(node);
    if (raft != nullptr && raft->role() == Role::leader) highest = std::max(highest, raft->term());
  }
  return highest;
}

// "new-leader": a leader elected since the previous step fired (of a term above every leader's
// then) that has led for at least `leading_min`; the one of the highest term.
std::optional<NodeIndex> SelectorResolver::new_leader(Time leading_min) {
  std::optional<NodeIndex> found;
  Term found_term = leader_term_at_last_step_;
  const Time now = cluster_.world().now();
  leader_since_.resize(cluster_.size());
  for (NodeIndex node = 0; node < cluster_.size(); ++node) {
    const Raft* raft = cluster_.raft(node);
    if (raft == nullptr || raft->role() != Role::leader || raft->term() <= found_term) continue;
    const LeaderSince& since = leader_since_[node];
    if (since.term != raft->term() || now - since.at < leading_min) continue;
    found = node;
    found_term = raft->term();
  }
  return found;
}

std::optional<NodeIndex> SelectorResolver::current_leader() {
  // Prefer the stable leader; an unstable one (just elected, or cut off) still counts as the
  // node that believes it leads, which is what "leader" means to a fault.
  if (stable_leader_ && cluster_.raft(*stable_leader_) != nullptr &&
      cluster_.raft(*stable_leader_)->role() == Role::leader) {
    return stable_leader_;
  }
  return cluster_.leader();
}

std::vector<NodeIndex> SelectorResolver::all_nodes() const {
  std::vector<NodeIndex> nodes;
  for (NodeIndex node = 0; node < cluster_.size(); ++node) nodes.push_back(node);
  return nodes;
}

std::vector<NodeIndex> SelectorResolver::resolve(const Selector& selector,
                                                 const std::vector<NodeIndex>& others) {
  if (selector == "others") return others;
  // A selector means the same nodes throughout one step, even one drawn at random.
  if (auto cached = step_resolutions_.find(selector); cached != step_resolutions_.end()) {
    return cached->second;
  }
  std::vector<NodeIndex> nodes = resolve_now(selector);
  step_resolutions_.emplace(selector, nodes);
  return nodes;
}

std::vector<NodeIndex> SelectorResolver::resolve_now(const Selector& selector) {
  World& world = cluster_.world();
  const NodeIndex nodes = cluster_.size();
  if (selector.size() > 1 && selector[0] == 'n' && selector[1] >= '0' && selector[1] <= '9') {
    return {static_cast<NodeIndex>(std::stoul(selector.substr(1)))};
  }
  if (auto bound = bindings_.find(selector); bound != bindings_.end()) return {bound->second};
  if (selector.size() > 1 && selector[0] == 'c' && selector[1] >= '0' && selector[1] <= '9') {
    return {cluster_.size() + static_cast<NodeIndex>(std::stoul(selector.substr(1)))};
  }
  if (selector == "clients" || selector == "random-client") {
    std::vector<NodeIndex> clients;
    for (NodeIndex client = 0; client < cluster_.options().clients; ++client) {
      clients.push_back(cluster_.size() + client);
    }
    if (selector == "clients" || clients.empty()) return clients;
    return {clients[random_.below(clients.size())]};
  }
  if (selector == kNewLeader) {
    const std::optional<NodeIndex> elected = new_leader(leading_min_);
    return elected ? std::vector<NodeIndex>{*elected} : std::vector<NodeIndex>{};
  }
  const std::optional<NodeIndex> leader = current_leader();
  if (selector == "leader") {
    return leader ? std::vector<NodeIndex>{*leader} : std::vector<NodeIndex>{};
  }
  if (selector == "all") return all_nodes();
  std::vector<NodeIndex> picked;
  std::vector<NodeIndex> started;
  for (NodeIndex node = 0; node < nodes; ++node) {
    // Slots never started (servers not added yet) are no one's follower and no random pick.
    if (!cluster_.started(node)) continue;
    started.push_back(node);
    const HostState state = world.host(node).state();
    if (selector == "followers" && node != leader) picked.push_back(node);
    if (selector == "down" && state == HostState::down) picked.push_back(node);
    if (selector == "paused" && state == HostState::paused) picked.push_back(node);
    if (selector == "follower" && node != leader && state == HostState::running) {
      picked.push_back(node);
    }
  }
  if (selector == "follower") {
    if (picked.empty()) return {};
    return {picked[random_.below(picked.size())]};
  }
  if (selector == "random") {
    if (started.empty()) return {};
    return {started[random_.below(started.size())]};
  }
  return picked;
}

std::vector<NodeIndex> SelectorResolver::resolve_list(const std::vector<Selector>& selectors,
                                                      const std::vector<NodeIndex>& others) {
  std::vector<NodeIndex> out;
  for (const Selector& selector : selectors) {
    for (NodeIndex node : resolve(selector, others)) {
      if (std::find(out.begin(), out.end(), node) == out.end()) out.push_back(node);
    }
  }
  return out;
}

SelectorResolver::Sides SelectorResolver::resolve_sides(const std::vector<Selector>& from,
                                                        const std::vector<Selector>& to) {
  const std::vector<NodeIndex> others = unnamed({&from, &to});
  Sides sides;
  sides.from = resolve_list(from, others);
  sides.to = resolve_list(to, others);
  return sides;
}

std::vector<NodeIndex> SelectorResolver::unnamed(
    const std::vector<const std::vector<Selector>*>& lists) {
  std::vector<bool> named(cluster_.size(), false);
  for (const auto* list : lists) {
    for (const Selector& selector : *list) {
      if (selector == "others") continue;
      for (NodeIndex node : resolve(selector, {})) {
        if (node < named.size()) named[node] = true;  // clients are never "others"
      }
    }
  }
  std::vector<NodeIndex> rest;
  for (NodeIndex node = 0; node < cluster_.size(); ++node) {
    if (!named[node]) rest.push_back(node);
  }
  return rest;
}

}  // namespace raftsim::sim

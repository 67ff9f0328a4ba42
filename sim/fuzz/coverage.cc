// raftsim: fault x protocol-state coverage (see coverage.h). A step "hits the leader" when its
// selectors name the leader, or a partition leaves the leader in a minority group.
#include "sim/fuzz/coverage.h"

#include <algorithm>
#include <sstream>

namespace raftsim::sim {
namespace {

std::string fault_kind(const FaultStep& step) {
  // Operator changes are one row: which one matters less than the state it meets.
  if (needs_admin(step.fault)) return "membership";
  if (const auto* crash = step.as<CrashFault>(); crash != nullptr && crash->target == "all") {
    return "power-loss";
  }
  if (const auto* clock = step.as<ClockFault>()) {
    return clock->drift_ppm ? "clock-drift" : "clock-jump";
  }
  return std::string(fault_name(step.fault));
}

bool names(const std::vector<Selector>& selectors, const std::string& leader) {
  return std::any_of(selectors.begin(), selectors.end(), [&](const Selector& selector) {
    return selector == leader || selector == "leader" || selector == "all";
  });
}

// Whether the step's effect lands on the leader (named `leader`, e.g. "n2"): a selector names
// it, except a bridge node (it keeps every link), or a partition leaves it in a minority group.
bool hits_leader(const FaultStep& step, const std::string& leader, NodeIndex nodes) {
  bool hit = false;
  visit_selectors(step.fault, [&](std::string_view field, const std::vector<Selector>& list) {
    if (field == "bridge") return;
    if (field == "groups") {
      hit = hit || (names(list, leader) && list.size() * 2 <= nodes);
      return;
    }
    hit = hit || names(list, leader);
  });
  return hit;
}

// The configuration states a step meets, from the leader's view of its membership.
template <typename Hit>
void observe_configuration(const Raft& leader, ServiceCluster& cluster, Hit& hit) {
  const Membership& membership = leader.membership();
  if (membership.joint()) hit("joint configuration");
  if (!membership.witnesses.empty()) hit("witness present");
  if (leader.transfer_target() != kNoNode) hit("transfer in progress");
  for (NodeId learner : membership.learners) {
    const Raft* raft = learner < cluster.size() ? cluster.raft(learner) : nullptr;
    if (raft != nullptr && raft->log().last_index() < leader.log().committed()) {
      hit("learner catching up");
      return;
    }
  }
}

}  // namespace

const std::vector<std::string>& coverage_states() {
  static const std::vector<std::string> kStates = {
      "leader",                           // the fault lands on the leader
      "leader with uncommitted entries",  // ... which has entries beyond its commit index
      "read-lease holder",                // ... which serves lease reads
      "follower",                         // it lands on nodes other than the leader only
      "follower behind commit",           // some node is behind the leader's commit index
      "election under way",               // no leader, or a (pre-)candidate exists
      "node down",                        // some node is crashed or stopped already
      "joint configuration",              // the leader's configuration is C_old,new
      "learner catching up",              // a learner lacks entries the leader has committed
      "transfer in progress",             // the leader is handing leadership over
      "witness present",                  // the leader's configuration has a witness
  };
  return kStates;
}

const std::vector<std::string>& coverage_faults() {
  static const std::vector<std::string> kFaults = {
      "partition",   "isolate",    "one_way", "bridge", "crash", "power-loss", "pause",
      "clock-drift", "clock-jump", "link",    "disk",   "wipe",  "membership"};
  return kFaults;
}

void FaultCoverage::observe(const FaultStep& step, const std::string& origin,
                            ServiceCluster& cluster) {
  if (is_repair(step.fault) || origin == "final recovery") return;
  ++faults_;
  const std::string fault = fault_kind(step);
  auto hit = [&](const char* state) { ++hits_[{fault, state}]; };
  const std::optional<NodeIndex> leader = cluster.leader();
  bool election = !leader.has_value();
  bool down = false;
  for (NodeIndex node = 0; node < cluster.size(); ++node) {
    const Raft* raft = cluster.raft(node);
    if (raft == nullptr) {
      down = true;
      continue;
    }
    if (raft->role() == Role::candidate || raft->role() == Role::pre_candidate) election = true;
  }
  if (election) hit("election under way");
  if (down) hit("node down");
  if (!leader) return;
  const Raft* leader_raft = cluster.raft(*leader);
  for (NodeIndex node = 0; node < cluster.size(); ++node) {
    const Raft* raft = cluster.raft(node);
    if (raft != nullptr && raft->log().last_index() < leader_raft->log().committed()) {
      hit("follower behind commit");
      break;
    }
  }
  observe_configuration(*leader_raft, cluster, hit);
  if (hits_leader(step, "n" + std::to_string(*leader), cluster.size())) {
    hit("leader");
    if (leader_raft->log().last_index() > leader_raft->log().committed()) {
      hit("leader with uncommitted entries");
    }
    if (cluster.options().raft.lease_read) hit("read-lease holder");
  } else {
    hit("follower");
  }
}

void FaultCoverage::merge(const FaultCoverage& other) {
  for (const auto& [key, count] : other.hits_) hits_[key] += count;
  faults_ += other.faults_;
}

void FaultCoverage::merge_json(const nlohmann::json& json) {
  faults_ += json.value("faults_observed", std::uint64_t{0});
  if (!json.contains("hits")) return;
  for (const auto& [fault, states] : json["hits"].items()) {
    for (const auto& [state, count] : states.items()) {
      hits_[{fault, state}] += count.get<std::uint64_t>();
    }
  }
}

std::uint64_t FaultCoverage::hits(const std::string& fault, const std::string& state) const {
  auto found = hits_.find({fault, state});
  return found == hits_.end() ? 0 : found->second;
}

nlohmann::ordered_json FaultCoverage::to_json() const {
  nlohmann::ordered_json out;
  out["faults_observed"] = faults_;
  nlohmann::ordered_json hits = nlohmann::ordered_json::object();
  for (const auto& [key, count] : hits_) hits[key.first][key.second] = count;
  out["hits"] = hits;
  return out;
}

std::string FaultCoverage::to_markdown() const {
  std::ostringstream out;
  out << "| fault \\ state |";
  for (const std::string& state : coverage_states()) out << " " << state << " |";
  out << "\n|---|";
  for (std::size_t i = 0; i < coverage_states().size(); ++i) out << "---|";
  out << "\n";
  std::vector<std::string> never;
  for (const std::string& fault : coverage_faults()) {
    out << "| " << fault << " |";
    for (const std::string& state : coverage_states()) {
      const std::uint64_t count = hits(fault, state);
      out << " " << count << " |";
      if (count == 0) never.push_back(fault + " x " + state);
    }
    out << "\n";
  }
  out << "\n" << faults_ << " faults observed; " << never.size() << " pairs never hit";
  if (!never.empty() && never.size() <= 30) {
    out << ":";
    for (const std::string& pair : never) out << "\n- " << pair;
  }
  out << "\n";
  return out.str();
}

}  // namespace raftsim::sim

// raftsim: the membership fault kinds (see membership.h).
#include "sim/scenario/faults/membership.h"

#include <algorithm>

#include "sim/scenario/faults/fault_context.h"

namespace raftsim::sim {
namespace {

// The requests, one after the other, through the operator console, first to the node that leads
// now; why not, if not.
std::string submit_admin(FaultContext& context, std::vector<AdminRequest> chain) {
  AdminClient* admin = context.cluster.admin_client();
  if (admin == nullptr) return "the cluster has no operator console";
  const std::optional<NodeIndex> leader = context.selectors.current_leader();
  if (!admin->submit(std::move(chain), leader ? *leader : kNoNode)) {
    return "the admin queue is full";
  }
  return {};
}
std::string submit_admin(FaultContext& context, const AdminRequest& request) {
  return submit_admin(context, std::vector<AdminRequest>{request});
}

AdminRequest conf_change(ConfChangeType type, NodeIndex node) {
  AdminRequest request;
  request.kind = AdminRequest::Kind::conf_change;
  request.change.type = type;
  request.change.node = node;
  return request;
}

AdminRequest transfer_to(NodeIndex node) {
  AdminRequest request;
  request.kind = AdminRequest::Kind::transfer_leadership;
  request.target = node;
  return request;
}

// A node name must name a server this schedule knows (bootstrap, or added by an earlier step).
void check_known(FaultReader& reader, std::string_view field, const Selector& selector) {
  const std::optional<NodeIndex> node = node_from_name(selector, reader.selectors.nodes());
  if (!node || reader.selectors.known_server(*node)) return;
  reader.errors.add_message(reader.fields.path_of(field),
                            "expected a server of the cluster (a bootstrap node from n0 to n" +
                                std::to_string(reader.selectors.bootstrap_nodes() - 1) +
                                " or one added by an earlier step), found \"" + selector +
                                "\" (never added)");
}

// The membership in force at the node that leads now, if any.
const Membership* leader_membership(FaultContext& context) {
  const std::optional<NodeIndex> leader = context.selectors.current_leader();
  if (!leader) return nullptr;
  const Raft* raft = context.cluster.raft(*leader);
  return raft != nullptr ? &raft->membership() : nullptr;
}

std::optional<NodeIndex> fresh_slot(FaultContext& context) {
  for (NodeIndex node = 0; node < context.cluster.size(); ++node) {
    if (!context.cluster.started(node)) return node;
  }
  return std::nullopt;
}

}  // namespace

// --- add_node, add_witness ----------------------------------------------------------------------

template <ConfChangeType Type>
void JoinFault<Type>::parse(FaultReader& reader) {
  reader.selectors.read(reader.fields, "target", target, kOneNode);
  if (target.empty()) return;
  SelectorChecker& plan = reader.selectors;
  const std::optional<NodeIndex> node = node_from_name(target, plan.nodes());
  const std::string range =
      "n" + std::to_string(plan.bootstrap_nodes()) + " to n" + std::to_string(plan.nodes() - 1);
  const std::string path = reader.fields.path_of("target");
  if (plan.bootstrap_nodes() >= plan.nodes()) {
    reader.errors.add_message(path,
                              "a cluster with room to grow (\"max_nodes\" above \"nodes\" "
                              "in /cluster) to add a server");
  } else if (!node_from_name(target, 1000)) {
    reader.errors.add_message(path, "expected a node name from " + range +
                                        " (a fresh server), "
                                        "found \"" +
                                        target + "\"");
  } else if (node && *node < plan.bootstrap_nodes()) {
    reader.errors.add_message(path, "expected a node name from " + range +
                                        " (a fresh server), found \"" + target +
                                        "\" (a bootstrap node)");
  } else if (node && plan.known_server(*node)) {
    reader.errors.add_message(path, "expected a node name from " + range +
                                        " not added before, found \"" + target +
                                        "\" (added by an earlier step)");
  } else if (node) {
    plan.add_server(*node);
  }
}

template <ConfChangeType Type>
Applied<JoinFault<Type>> JoinFault<Type>::apply(FaultContext& context) const {
  const std::vector<NodeIndex> nodes = context.selectors.resolve(target, {});
  Applied<JoinFault> outcome = targeted_outcome(*this, nodes);
  if (nodes.size() != 1) return outcome;
  if (Status started = context.cluster.add_node(nodes[0]); !started.ok()) {
    outcome.skipped_because = started.message();
    return outcome;
  }
  outcome.skipped_because = submit_admin(context, conf_change(Type, nodes[0]));
  return outcome;
}

template struct JoinFault<ConfChangeType::add_learner>;
template struct JoinFault<ConfChangeType::add_witness>;

// --- promote, remove_node, transfer_leadership --------------------------------------------------

template <MemberAction Action>
void MemberFault<Action>::parse(FaultReader& reader) {
  reader.selectors.read(reader.fields, "target", target, kOneNode);
  if (!target.empty()) check_known(reader, "target", target);
}

template <MemberAction Action>
Applied<MemberFault<Action>> MemberFault<Action>::apply(FaultContext& context) const {
  const std::vector<NodeIndex> nodes = context.selectors.resolve(target, {});
  Applied<MemberFault> outcome = targeted_outcome(*this, nodes);
  if (nodes.size() != 1) return outcome;
  const AdminRequest request =
      Action == MemberAction::promote  ? conf_change(ConfChangeType::promote, nodes[0])
      : Action == MemberAction::remove ? conf_change(ConfChangeType::remove, nodes[0])
                                       : transfer_to(nodes[0]);
  outcome.skipped_because = submit_admin(context, request);
  return outcome;
}

template struct MemberFault<MemberAction::promote>;
template struct MemberFault<MemberAction::remove>;
template struct MemberFault<MemberAction::transfer>;

// --- change_voters ------------------------------------------------------------------------------

void ChangeVotersFault::parse(FaultReader& reader) {
  if (!reader.fields.read_string_list("voters", voters)) {
    if (!reader.fields.has("voters")) reader.fields.error("voters", "an array of node names");
    return;
  }
  SelectorChecker& plan = reader.selectors;
  for (std::size_t i = 0; i < voters.size(); ++i) {
    const std::string path = reader.fields.path_of("voters") + "/" + std::to_string(i);
    const std::optional<NodeIndex> node = node_from_name(voters[i], plan.nodes());
    if (!node) {
      plan.check(path, voters[i], 0);  // names what a node name may be
    } else if (std::count(voters.begin(), voters.end(), voters[i]) > 1) {
      reader.errors.add_message(path,
                                "expected each voter once, found \"" + voters[i] + "\" twice");
    } else if (!plan.known_server(*node)) {
      plan.add_server(*node);  // a fresh server joins as a voter of C_new
    }
  }
  if (voters.empty()) reader.fields.error("voters", "at least one voter");
  reader.fields.read_bool("auto_leave", auto_leave);
}

void ChangeVotersFault::write(nlohmann::ordered_json& out) const {
  out["voters"] = voters;
  if (!auto_leave) out["auto_leave"] = false;
}

Applied<ChangeVotersFault> ChangeVotersFault::apply(FaultContext& context) const {
  Applied<ChangeVotersFault> outcome(*this);
  AdminRequest request;
  request.kind = AdminRequest::Kind::conf_change;
  request.change.type = ConfChangeType::joint;
  request.change.auto_leave = auto_leave;
  for (const Selector& voter : voters) {
    const std::optional<NodeIndex> node = node_from_name(voter, context.cluster.size());
    RAFTSIM_CHECK_MSG(node.has_value(), "change_voters names nodes (checked when parsed)");
    if (!context.cluster.started(*node)) {
      if (Status started = context.cluster.add_node(*node); !started.ok()) {
        outcome.skipped_because = started.message();
        return outcome;
      }
    }
    request.change.voters.push_back(*node);
  }
  std::sort(request.change.voters.begin(), request.change.voters.end());
  std::vector<NodeIndex> sorted(request.change.voters.begin(), request.change.voters.end());
  outcome.description = " " + node_names(sorted);
  outcome.skipped_because = submit_admin(context, request);
  return outcome;
}

// --- wipe ---------------------------------------------------------------------------------------

void WipeFault::parse(FaultReader& reader) {
  reader.selectors.read(reader.fields, "target", target, kOneNode);
  if (!target.empty()) check_known(reader, "target", target);
}

Applied<WipeFault> WipeFault::apply(FaultContext& context) const {
  const std::vector<NodeIndex> nodes = context.selectors.resolve(target, {});
  Applied<WipeFault> outcome = targeted_outcome(*this, nodes);
  for (NodeIndex node : nodes) {
    if (Status wiped = context.cluster.wipe(node); !wiped.ok()) {
      outcome.skipped_because = wiped.message();
    }
  }
  return outcome;
}

// --- membership (the nemesis's kind) ------------------------------------------------------------

void MembershipNemesisFault::parse(FaultReader& reader) {
  reader.fields.read_choice("change", change, {"transfer", "replace", "replace_leader"});
  for (auto [field, selector] :
       {std::pair{"remove", &remove}, std::pair{"add", &add}, std::pair{"to", &to}}) {
    if (reader.fields.has(field)) {
      reader.selectors.read(reader.fields, field, *selector, 0, false);
    }
  }
  if (!remove.empty()) check_known(reader, "remove", remove);
  if (!to.empty()) check_known(reader, "to", to);
  if (const auto node = node_from_name(add, reader.selectors.nodes())) {
    reader.selectors.add_server(*node);
  }
}

void MembershipNemesisFault::write(nlohmann::ordered_json& out) const {
  out["change"] = change;
  if (!remove.empty()) out["remove"] = remove;
  if (!add.empty()) out["add"] = add;
  if (!to.empty()) out["to"] = to;
}

void MembershipNemesisFault::visit_selectors(const SelectorVisitor& visit) const {
  if (!remove.empty()) visit("remove", {remove});
  if (!add.empty()) visit("add", {add});
  if (!to.empty()) visit("to", {to});
}

Applied<MembershipNemesisFault> MembershipNemesisFault::apply(FaultContext& context) const {
  Applied<MembershipNemesisFault> outcome(*this);
  MembershipNemesisFault& resolved = outcome.concrete;
  const std::optional<NodeIndex> leader = context.selectors.current_leader();
  const Membership* membership = leader_membership(context);
  const bool resolved_before = !remove.empty() || !to.empty();
  if (!resolved_before && (membership == nullptr || !leader)) {
    outcome.skipped_because = "no leader to ask";
    return outcome;
  }
  if (change == "transfer") {
    if (to.empty()) {
      std::vector<NodeIndex> candidates;
      for (NodeId voter : membership->voters) {
        if (voter != *leader && membership->may_lead(voter)) candidates.push_back(voter);
      }
      if (candidates.empty()) {
        outcome.skipped_because = "no other voter to lead";
        return outcome;
      }
      resolved.to = node_name(candidates[context.random.below(candidates.size())]);
    }
    const auto target = node_from_name(resolved.to, context.cluster.size());
    outcome.description = " to " + resolved.to;
    outcome.targets = {*target};
    outcome.skipped_because = submit_admin(context, transfer_to(*target));
    return outcome;
  }
  if (remove.empty()) {
    std::vector<NodeIndex> candidates;
    for (NodeId voter : membership->voters) {
      if ((voter == *leader) == (change == "replace_leader")) candidates.push_back(voter);
    }
    const std::optional<NodeIndex> slot = fresh_slot(context);
    if (candidates.empty() || !slot || membership->joint()) {
      outcome.skipped_because = !slot ? "no fresh server slot left" : "no voter to replace";
      return outcome;
    }
    resolved.remove = node_name(candidates[context.random.below(candidates.size())]);
    resolved.add = node_name(*slot);
  }
  const auto removed = node_from_name(resolved.remove, context.cluster.size());
  const auto added = node_from_name(resolved.add, context.cluster.size());
  RAFTSIM_CHECK(removed && added);
  if (Status started = context.cluster.add_node(*added); !started.ok()) {
    outcome.skipped_because = started.message();
    return outcome;
  }
  outcome.description = " " + resolved.remove + " by " + resolved.add;
  outcome.targets = {*removed};
  outcome.skipped_because = submit_admin(context, {conf_change(ConfChangeType::remove, *removed),
                                                   conf_change(ConfChangeType::add_learner, *added),
                                                   conf_change(ConfChangeType::promote, *added)});
  return outcome;
}

NemesisDraw MembershipNemesisFault::draw_nemesis(NemesisContext& context) {
  static constexpr const char* kChanges[] = {"transfer", "replace", "replace_leader"};
  MembershipNemesisFault fault;
  fault.change = kChanges[context.random.below(3)];
  return {{step_of(fault)}, {}};
}

}  // namespace raftsim::sim

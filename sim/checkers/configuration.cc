// raftsim: the configuration checker (see configuration.h).
#include "sim/checkers/configuration.h"

#include <algorithm>

#include "raft/base/check.h"
#include "raft/node/node_host.h"

namespace raftsim::sim {
namespace {

std::string node_label(NodeIndex node) {
  return "n" + std::to_string(node);
}

}  // namespace

ConfigurationChecker::ConfigurationChecker(NodeIndex cluster_size, Membership bootstrap)
    : nodes_(cluster_size) {
  committed_.push_back(Committed{0, std::move(bootstrap)});
}

Violation ConfigurationChecker::violation(const Moment& moment, std::string invariant,
                                          NodeIndex node, std::string detail) const {
  return Violation{
      moment.event_number, moment.time, std::move(invariant), {node}, std::move(detail)};
}

std::optional<Violation> ConfigurationChecker::check(World& world) {
  if (first_violation_) return first_violation_;
  const Moment moment{world.trace().event_count(), world.now()};
  for (NodeIndex node = 0; node < nodes_.size(); ++node) {
    Host& host = world.host(node);
    const auto* node_host =
        host.state() == HostState::down ? nullptr : dynamic_cast<const NodeHost*>(host.process());
    if (node_host == nullptr || node_host->raft() == nullptr) continue;
    NodeView& view = nodes_[node];
    if (view.incarnation != host.incarnation()) {
      view = NodeView{};
      view.incarnation = host.incarnation();
    }
    if (auto found = check_node(moment, node, *node_host->raft())) {
      first_violation_ = found;
      world.note("VIOLATION " + found->describe());
      return first_violation_;
    }
  }
  return std::nullopt;
}

void ConfigurationChecker::scan(NodeView& view, const RaftLog& log) {
  if (log.truncations() != view.truncations || log.last_index() < view.scanned_to) {
    view.config_indexes.clear();
    view.scanned_to = 0;
    view.latest_decoded = 0;
    view.truncations = log.truncations();
  }
  // Compacted entries are gone; what the snapshot holds is the core's business (membership_at).
  std::erase_if(view.config_indexes, [&](Index index) { return index <= log.snapshot_index(); });
  for (Index index = std::max(view.scanned_to, log.snapshot_index()) + 1; index <= log.last_index();
       ++index) {
    if (log.at(index).type == EntryType::config) view.config_indexes.push_back(index);
  }
  view.scanned_to = log.last_index();
  if (!view.config_indexes.empty() && view.config_indexes.back() != view.latest_decoded) {
    const Index latest = view.config_indexes.back();
    std::optional<ConfigEntryView> decoded = decode_config_entry(log.at(latest).data);
    RAFTSIM_CHECK_MSG(decoded.has_value(), "a config entry that does not decode");
    view.latest = std::move(decoded->membership);
    view.latest_decoded = latest;
  }
}

std::optional<Violation> ConfigurationChecker::record_committed(const Moment& moment,
                                                                NodeIndex node,
                                                                const NodeView& view,
                                                                const RaftLog& log) {
  for (Index index : view.config_indexes) {
    if (index > log.committed()) break;
    if (index <= committed_.back().index) continue;
    std::optional<ConfigEntryView> decoded = decode_config_entry(log.at(index).data);
    RAFTSIM_CHECK_MSG(decoded.has_value(), "a config entry that does not decode");
    const Membership& previous = committed_.back().membership;
    const std::string why = illegal_step(previous, decoded->membership);
    if (!why.empty()) {
      return violation(moment, "legal configuration step", node,
                       "committed configuration " + decoded->membership.describe() + " (entry " +
                           std::to_string(index) + ") does not follow " + previous.describe() +
                           ": " + why);
    }
    committed_.push_back(Committed{index, std::move(decoded->membership)});
  }
  return std::nullopt;
}

std::optional<Violation> ConfigurationChecker::check_node(const Moment& moment, NodeIndex node,
                                                          const Raft& raft) {
  NodeView& view = nodes_[node];
  const RaftLog& log = raft.log();
  scan(view, log);
  if (auto found = record_committed(moment, node, view, log)) return found;
  const Membership& in_force = raft.membership();
  if (!view.config_indexes.empty() && in_force != view.latest) {
    return violation(moment, "configuration in force", node,
                     node_label(node) + " uses " + in_force.describe() +
                         " but the latest configuration in its log is " + view.latest.describe() +
                         " (entry " + std::to_string(view.latest_decoded) + ")");
  }
  if (raft.role() != Role::leader) return std::nullopt;
  const auto uncommitted = std::count_if(view.config_indexes.begin(), view.config_indexes.end(),
                                         [&](Index index) { return index > log.committed(); });
  if (uncommitted > 1) {
    return violation(moment, "one configuration change at a time", node,
                     "the leader of term " + std::to_string(raft.term()) + " holds " +
                         std::to_string(uncommitted) + " uncommitted configuration entries");
  }
  if (in_force.is_witness(raft.id())) {
    return violation(moment, "leader membership", node,
                     node_label(node) + " leads term " + std::to_string(raft.term()) +
                         " as a witness of " + in_force.describe());
  }
  if (!in_force.is_voter(raft.id())) {
    const bool change_pending = raft.membership_index() > log.committed();
    // Once its removal commits a leader hands over like a leadership transfer (TimeoutNow to its
    // most up-to-date successor, then it steps down; the core bounds this by an election
    // timeout): leading while handing over is allowed, leading on is not.
    const bool handing_over = raft.transfer_target() != kNoNode;
    if (!change_pending && !handing_over) {
      return violation(moment, "leader membership", node,
                       node_label(node) + " still leads term " + std::to_string(raft.term()) +
                           " although the committed configuration " + in_force.describe() +
                           " (entry " + std::to_string(raft.membership_index()) +
                           ") does not count it as a voter");
    }
  }
  return std::nullopt;
}

}  // namespace raftsim::sim

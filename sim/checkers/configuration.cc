// raftsim: the configuration checker (see configuration.h).
#include "sim/checkers/configuration.h"

#include <algorithm>
#include <utility>

#include "raft/base/check.h"
#include "raft/node/node_host.h"

namespace raftsim::sim {
namespace {

std::string node_label(NodeIndex node) {
  return "n" + std::to_string(node);
}

// Does `raft` hold entry (index, term) durably? A snapshot past `index` holds it (only committed
// entries are compacted).
bool holds_durably(const Raft& raft, Index index, Term term) {
  const RaftLog& log = raft.log();
  if (index <= log.snapshot_index()) return true;
  return log.stable() >= index && log.term_at(index) == term;
}

}  // namespace

ConfigurationChecker::ConfigurationChecker(NodeIndex cluster_size, Membership bootstrap)
    : running_(cluster_size, nullptr), nodes_(cluster_size) {
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
    running_[node] = node_host == nullptr ? nullptr : node_host->raft();
  }
  for (NodeIndex node = 0; node < nodes_.size(); ++node) {
    if (running_[node] == nullptr) continue;
    Host& host = world.host(node);
    NodeView& view = nodes_[node];
    if (view.incarnation != host.incarnation()) {
      view = NodeView{};
      view.incarnation = host.incarnation();
    }
    if (auto found = check_node(moment, node, *running_[node])) {
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
                                                                const Raft& raft) {
  const RaftLog& log = raft.log();
  // A configuration whose entry was compacted before a check saw it committed (committed,
  // applied and snapshotted in one event, or installed by a snapshot) is the snapshot's; it is
  // recorded at the snapshot's index, its own entry's index being gone.
  const Index snapshot = log.snapshot_index();
  if (snapshot > committed_.back().index) {
    Membership at_snapshot = raft.membership_at(snapshot);
    // A server that joined later has no bootstrap voters of its own: a snapshot taken while the
    // cluster's bootstrap configuration was in force carries that one.
    if (at_snapshot.voters.empty()) at_snapshot = committed_.front().membership;
    if (at_snapshot != committed_.back().membership) {
      if (auto found = record(moment, node, snapshot, std::move(at_snapshot))) return found;
    }
  }
  for (Index index : view.config_indexes) {
    if (index > log.committed()) break;
    if (index <= committed_.back().index) continue;
    std::optional<ConfigEntryView> decoded = decode_config_entry(log.at(index).data);
    RAFTSIM_CHECK_MSG(decoded.has_value(), "a config entry that does not decode");
    if (auto found = record(moment, node, index, std::move(decoded->membership))) return found;
  }
  return std::nullopt;
}

std::optional<Violation> ConfigurationChecker::record(const Moment& moment, NodeIndex node,
                                                      Index index, Membership committed) {
  const Membership& previous = committed_.back().membership;
  const std::string why = illegal_step(previous, committed);
  if (!why.empty()) {
    return violation(moment, "legal configuration step", node,
                     "committed configuration " + committed.describe() + " (entry " +
                         std::to_string(index) + ") does not follow " + previous.describe() + ": " +
                         why);
  }
  committed_.push_back(Committed{index, std::move(committed)});
  return std::nullopt;
}

std::optional<Violation> ConfigurationChecker::check_node(const Moment& moment, NodeIndex node,
                                                          const Raft& raft) {
  NodeView& view = nodes_[node];
  const RaftLog& log = raft.log();
  scan(view, log);
  if (auto found = record_committed(moment, node, view, raft)) return found;
  const Membership& in_force = raft.membership();
  if (!view.config_indexes.empty() && in_force != view.latest) {
    return violation(moment, "configuration in force", node,
                     node_label(node) + " uses " + in_force.describe() +
                         " but the latest configuration in its log is " + view.latest.describe() +
                         " (entry " + std::to_string(view.latest_decoded) + ")");
  }
  if (raft.role() != Role::leader) return std::nullopt;
  if (auto found = check_commit_quorum(moment, node, raft,
                                       view.config_indexes.empty() ? in_force : view.latest)) {
    return found;
  }
  // Committed means committed anywhere: a new leader learns that its predecessor's entries are
  // committed only once an entry of its own term commits.
  const Index committed = std::max(log.committed(), committed_.back().index);
  const auto uncommitted = std::count_if(view.config_indexes.begin(), view.config_indexes.end(),
                                         [&](Index index) { return index > committed; });
  if (uncommitted > 1) {
    std::string entries;
    for (Index index : view.config_indexes) {
      if (index <= committed) continue;
      entries += (entries.empty() ? "" : ", ") + std::to_string(index) + " (term " +
                 std::to_string(*log.term_at(index)) + ")";
    }
    return violation(moment, "one configuration change at a time", node,
                     "the leader of term " + std::to_string(raft.term()) + " holds " +
                         std::to_string(uncommitted) + " uncommitted configuration entries: " +
                         entries + "; committed up to " + std::to_string(committed));
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

std::optional<Violation> ConfigurationChecker::check_commit_quorum(const Moment& moment,
                                                                   NodeIndex node, const Raft& raft,
                                                                   const Membership& in_force) {
  NodeView& view = nodes_[node];
  const Index commit = raft.log().committed();
  // A leader's commit index moves by counting acknowledgements only; what it brought from its
  // time as a follower was counted by an earlier leader.
  const bool advanced = view.led_term == raft.term() && commit > view.led_commit;
  const Index from = view.led_commit;
  view.led_term = raft.term();
  view.led_commit = commit;
  // The configuration the leader counted in may be the one in force before this event: a change
  // that waited for the commit is appended right after it, in the same event.
  const Membership before = std::exchange(view.led_membership, in_force);
  if (!advanced) return std::nullopt;
  // A configuration entry committed on the way was counted in its own configuration: no later
  // one is appended before it commits, though one may be (auto-leave) in the same event.
  for (Index index : view.config_indexes) {
    if (index <= from || index >= commit) continue;
    std::optional<ConfigEntryView> decoded = decode_config_entry(raft.log().at(index).data);
    RAFTSIM_CHECK_MSG(decoded.has_value(), "a config entry that does not decode");
    if (auto found = check_held(moment, node, raft, index, decoded->membership)) return found;
  }
  std::optional<Violation> now = check_held(moment, node, raft, commit, in_force);
  if (!now || before == in_force) return now;
  return check_held(moment, node, raft, commit, before) ? now : std::nullopt;
}

std::optional<Violation> ConfigurationChecker::check_held(const Moment& moment, NodeIndex node,
                                                          const Raft& raft, Index index,
                                                          const Membership& counted_in) const {
  const std::optional<Term> term = raft.log().term_at(index);
  RAFTSIM_CHECK_MSG(term.has_value(), "a leader's commit index beyond its log");
  for (const std::vector<NodeId>* voters : {&counted_in.voters, &counted_in.outgoing}) {
    if (voters->empty()) continue;
    std::size_t holding = 0;
    std::string missing;
    for (NodeId voter : *voters) {
      const Raft* replica = voter < running_.size() ? running_[voter] : nullptr;
      if (replica == nullptr || holds_durably(*replica, index, *term)) {
        ++holding;
      } else {
        missing += (missing.empty() ? "" : ", ") + node_label(voter);
      }
    }
    if (2 * holding > voters->size()) continue;
    return violation(moment, "commit quorum", node,
                     node_label(node) + " (leader of term " + std::to_string(raft.term()) +
                         ") committed entry " + std::to_string(index) + " of term " +
                         std::to_string(*term) + " but only " + std::to_string(holding) +
                         " of the " + std::to_string(voters->size()) + " voters of " +
                         counted_in.describe() + " hold it durably (not: " + missing + ")");
  }
  return std::nullopt;
}

}  // namespace raftsim::sim

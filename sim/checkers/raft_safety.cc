#include "sim/checkers/raft_safety.h"

#include <iterator>
#include <set>
#include <tuple>

#include "raft/base/check.h"
#include "raft/base/hash.h"
#include "raft/node/wire.h"

namespace raftsim::sim {
namespace {

std::uint64_t entry_digest(const Entry& entry) {
  return Hasher()
      .add(entry.term)
      .add(static_cast<std::uint64_t>(entry.type))
      .add_bytes(entry.data)
      .value();
}

std::string entry_name(Index index, Term term) {
  return "entry " + std::to_string(index) + " (term " + std::to_string(term) + ")";
}

}  // namespace

std::string Violation::describe() const {
  std::string text = invariant + " violated at event " + std::to_string(event_number) +
                     ", t=" + std::to_string(time / kMicrosecond) + " us, nodes";
  for (NodeIndex node : nodes) text += " " + std::to_string(node);
  return text + ": " + detail;
}

Violation RaftSafetyChecker::violation(const Moment& moment, std::string invariant,
                                       std::vector<NodeIndex> nodes, std::string detail) const {
  return Violation{moment.event_number, moment.time, std::move(invariant), std::move(nodes),
                   std::move(detail)};
}

std::optional<Violation> RaftSafetyChecker::check(World& world) {
  if (first_violation_) return first_violation_;
  std::vector<std::optional<NodeObservation>> observations(nodes_.size());
  for (NodeIndex node = 0; node < nodes_.size(); ++node) {
    Host& host = world.host(node);
    const auto* node_host =
        host.state() == HostState::down ? nullptr : dynamic_cast<const NodeHost*>(host.process());
    if (node_host == nullptr || node_host->raft() == nullptr) continue;
    const Raft& raft = *node_host->raft();
    observations[node] =
        NodeObservation{host.incarnation(), raft.term(),       raft.role(),
                        &raft.log(),        host.busy_until(), node_host->storage()};
  }
  auto found = observe(world.trace().event_count(), world.now(), observations);
  if (found) world.note("VIOLATION " + found->describe());
  return found;
}

std::optional<Violation> RaftSafetyChecker::observe(
    std::uint64_t event_number, Time time,
    const std::vector<std::optional<NodeObservation>>& observations) {
  if (first_violation_) return first_violation_;
  RAFTSIM_CHECK(observations.size() == nodes_.size());
  const Moment moment{event_number, time};
  for (NodeIndex node = 0; node < nodes_.size(); ++node) {
    NodeView& view = nodes_[node];
    if (!observations[node] || view.incarnation != observations[node]->incarnation) {
      // It crashed: what it showed while blocked in an fsync is a fact only if the fsync returned.
      if (auto found = settle_pending(moment, node)) {
        first_violation_ = found;
        return first_violation_;
      }
      view.pending.reset();
    }
    if (!observations[node]) {
      view.leader_term = 0;  // a node that is down leads nothing
      continue;
    }
    if (view.incarnation != observations[node]->incarnation) {
      view = NodeView{};
      view.incarnation = observations[node]->incarnation;
    }
    if (auto found = check_node(moment, node, *observations[node])) {
      first_violation_ = found;
      return first_violation_;
    }
  }
  return std::nullopt;
}

std::optional<Violation> RaftSafetyChecker::sync_log(const Moment& moment, NodeIndex node,
                                                     const NodeObservation& raft) {
  NodeView& view = nodes_[node];
  const RaftLog& log = raft.log();
  const bool leading_same_term = view.leader_term == raft.term() && raft.role() == Role::leader;
  if (log.truncations() != view.truncations || log.last_index() < view.prefix_digests.size()) {
    if (leading_same_term) {
      return violation(
          moment, "leader append-only", {node},
          "the leader of term " + std::to_string(raft.term()) + " removed entries from its log");
    }
    // The cached digests may be stale from the cut on; rescan this log once (rare).
    view.entry_digests.clear();
    view.prefix_digests.clear();
    view.truncations = log.truncations();
  }
  if (auto found = fill_compacted(moment, node, log, raft.storage)) return found;
  const Index first_new = view.prefix_digests.size() + 1;
  auto hint = entries_seen_.lower_bound(std::make_pair(first_new, Term{0}));
  for (Index index = first_new; index <= log.last_index(); ++index) {
    const Entry& entry = log.at(index);
    std::uint64_t digest = entry_digest(entry);
    if (entry.type == EntryType::normal && entry.data.empty()) {
      // A witness's copy: the position without the payload (raft/membership). The entry of the
      // same index and term that some log held in full stands for it (log matching).
      if (auto full = entries_seen_.find({index, entry.term}); full != entries_seen_.end()) {
        digest = full->second.digest;
      }
    }
    const std::uint64_t previous = index == 1 ? 0 : view.prefix_digests[index - 2];
    const std::uint64_t prefix = Hasher(previous).add(digest).value();
    view.entry_digests.push_back(digest);
    view.prefix_digests.push_back(prefix);
    const auto key = std::make_pair(index, entry.term);
    const EntryRecord record{prefix, digest, log.term_at(index - 1).value_or(0)};
    auto it = hint;
    bool inserted = false;
    if (hint != entries_seen_.end() && hint->first == key) {
      // already known, at the hinted place
    } else if ((hint == entries_seen_.end() || key < hint->first) &&
               (hint == entries_seen_.begin() || std::prev(hint)->first < key)) {
      it = entries_seen_.emplace_hint(hint, key, record);
      inserted = true;
    } else {
      std::tie(it, inserted) = entries_seen_.emplace(key, record);
    }
    hint = std::next(it);
    if (inserted) remember_write(entry, digest);
    if (!inserted && it->second.prefix != prefix) {
      return violation(moment, "log matching", {node},
                       "node " + std::to_string(node) + " holds " + entry_name(index, entry.term) +
                           " with a prefix that differs from another log's");
    }
  }
  return std::nullopt;
}

void RaftSafetyChecker::remember_write(const Entry& entry, std::uint64_t digest) {
  if (entry.type != EntryType::normal) return;
  if (auto command = decode_session_command(entry.data)) {
    writes_by_digest_.emplace(digest, std::make_pair(command->client_id, command->sequence));
  }
}

void RaftSafetyChecker::remember_stored(NodeIndex node, const LogStorage& storage, Index up_to) {
  const NodeView& view = nodes_[node];
  const Index known = view.prefix_digests.size();
  if (storage.base().index > known) return;  // it does not reach back to the cached prefix
  std::uint64_t prefix = known == 0 ? 0 : view.prefix_digests[known - 1];
  for (const Entry& entry : storage.entries_after(known)) {
    if (entry.index > up_to) break;
    const std::uint64_t digest = entry_digest(entry);
    prefix = Hasher(prefix).add(digest).value();
    const EntryRecord record{prefix, digest, storage.term_at(entry.index - 1).value_or(0)};
    if (entries_seen_.emplace(std::make_pair(entry.index, entry.term), record).second) {
      remember_write(entry, digest);
    }
  }
}

std::optional<Violation> RaftSafetyChecker::fill_compacted(const Moment& moment, NodeIndex node,
                                                           const RaftLog& log,
                                                           const LogStorage* storage) {
  NodeView& view = nodes_[node];
  const Index snapshot = log.snapshot_index();
  if (view.prefix_digests.size() >= snapshot) return std::nullopt;
  const auto snapshot_name = [&] {
    return "node " + std::to_string(node) + "'s snapshot up to " +
           entry_name(snapshot, log.snapshot_term());
  };
  // The part some node was seen committing is the committed prefix (state machine safety).
  const Index seen_committed = std::min<Index>(snapshot, committed_.size());
  while (view.prefix_digests.size() < seen_committed) {
    const Index index = view.prefix_digests.size() + 1;
    const std::uint64_t digest = committed_[index - 1].first;
    const std::uint64_t previous = index == 1 ? 0 : view.prefix_digests[index - 2];
    view.entry_digests.push_back(digest);
    view.prefix_digests.push_back(Hasher(previous).add(digest).value());
  }
  // The rest was committed and compacted within one event: walk back from the snapshot's last
  // entry through the entries some log held, to the first one this view lacks. Entries no other
  // log held (a single voter's) are read from the node's persisted log first.
  if (storage != nullptr) remember_stored(node, *storage, snapshot);
  const Index known = view.prefix_digests.size();
  std::vector<const EntryRecord*> chain;
  chain.reserve(snapshot - known);
  Term term = log.snapshot_term();
  for (Index index = snapshot; index > known || chain.empty(); --index) {
    auto found = entries_seen_.find({index, term});
    if (found == entries_seen_.end()) {
      return violation(
          moment, "snapshot safety", {node},
          snapshot_name() + " contains " + entry_name(index, term) + ", which no log ever held");
    }
    chain.push_back(&found->second);
    term = found->second.previous_term;
  }
  // The chain must continue the prefix this view holds: a snapshot never replaces committed
  // entries with others.
  const EntryRecord& first = *chain.back();
  const Index first_index = snapshot + 1 - chain.size();
  const std::uint64_t before = first_index == 1 ? 0 : view.prefix_digests[first_index - 2];
  if (Hasher(before).add(first.digest).value() != first.prefix ||
      (first_index <= known && view.entry_digests[first_index - 1] != first.digest)) {
    return violation(moment, "snapshot safety", {node},
                     snapshot_name() + " disagrees with the committed entries before it");
  }
  for (auto record = chain.rbegin(); record != chain.rend(); ++record) {
    if (first_index + static_cast<Index>(record - chain.rbegin()) <= known) continue;
    view.entry_digests.push_back((*record)->digest);
    view.prefix_digests.push_back((*record)->prefix);
  }
  RAFTSIM_CHECK(view.prefix_digests.size() == snapshot);
  return std::nullopt;
}

std::optional<Violation> RaftSafetyChecker::check_node(const Moment& moment, NodeIndex node,
                                                       const NodeObservation& raft) {
  NodeView& view = nodes_[node];
  if (raft.role() == Role::leader) {
    auto [it, inserted] = leaders_.emplace(raft.term(), node);
    if (!inserted && it->second != node) {
      return violation(moment, "election safety", {it->second, node},
                       "two leaders in term " + std::to_string(raft.term()));
    }
  }
  if (raft.log().committed() < view.verified_committed) {
    return violation(moment, "commit monotonicity", {node},
                     "node " + std::to_string(node) + "'s commit index went back from " +
                         std::to_string(view.verified_committed) + " to " +
                         std::to_string(raft.log().committed()));
  }
  if (auto found = sync_log(moment, node, raft)) return found;

  // Leader completeness, when this node is first seen leading this term: it holds every entry
  // that some node saw committed while in an earlier term.
  if (raft.role() == Role::leader && view.leader_term != raft.term()) {
    view.leader_term = raft.term();
    for (Index index = 1; index <= committed_.size(); ++index) {
      const auto& [digest, seen_term] = committed_[index - 1];
      if (seen_term >= raft.term()) continue;
      if (index > view.entry_digests.size() || view.entry_digests[index - 1] != digest) {
        return violation(moment, "leader completeness", {node},
                         "the leader of term " + std::to_string(raft.term()) +
                             " lacks committed entry " + std::to_string(index));
      }
    }
  } else if (raft.role() != Role::leader) {
    view.leader_term = 0;
  }

  return settle_commits(moment, node, raft);
}

std::optional<Violation> RaftSafetyChecker::settle_pending(const Moment& moment, NodeIndex node) {
  NodeView& view = nodes_[node];
  if (!view.pending || view.pending->at > moment.time) return std::nullopt;
  const NodeView::Pending pending = *view.pending;
  view.pending.reset();
  view.durable = std::max(view.durable, pending.stable);
  return record_commits(moment, node, pending.committed, pending.term, nullptr);
}

std::optional<Violation> RaftSafetyChecker::settle_commits(const Moment& moment, NodeIndex node,
                                                           const NodeObservation& raft) {
  NodeView& view = nodes_[node];
  if (auto found = settle_pending(moment, node)) return found;
  Index up_to = raft.log().committed();
  if (raft.fsync_returns_at > moment.time) {
    // A commit within what was on disk before this fsync is a fact now (it counted replicas that
    // were durable, this node's own included); one beyond it counted entries the fsync is syncing.
    view.pending =
        NodeView::Pending{up_to, raft.log().stable(), raft.term(), raft.fsync_returns_at};
    up_to = std::min(up_to, std::max(view.verified_committed, view.durable));
  } else {
    view.durable = raft.log().stable();
  }
  return record_commits(moment, node, up_to, raft.term(), &raft.log());
}

std::optional<Violation> RaftSafetyChecker::record_commits(const Moment& moment, NodeIndex node,
                                                           Index up_to, Term term,
                                                           const RaftLog* log) {
  NodeView& view = nodes_[node];
  // Newly committed entries: the same on every node (state machine safety: what is committed is
  // what gets applied, in index order), and held by every leader of a later term.
  for (Index index = view.verified_committed + 1; index <= up_to; ++index) {
    const std::uint64_t digest = view.entry_digests[index - 1];
    if (index <= committed_.size()) {
      if (committed_[index - 1].first != digest) {
        const std::string name = log != nullptr ? entry_name(index, log->term_at(index).value_or(0))
                                                : "entry " + std::to_string(index);
        return violation(moment, "state machine safety", {node},
                         "node " + std::to_string(node) + " committed a different " + name +
                             " than another node");
      }
      continue;
    }
    committed_.emplace_back(digest, term);
    if (auto write = writes_by_digest_.find(digest); write != writes_by_digest_.end()) {
      committed_writes_.emplace(write->second, index);
    }
    for (NodeIndex other = 0; other < nodes_.size(); ++other) {
      const NodeView& leader = nodes_[other];
      if (leader.leader_term <= term) continue;
      if (index > leader.entry_digests.size() || leader.entry_digests[index - 1] != digest) {
        return violation(moment, "leader completeness", {other, node},
                         "the leader of term " + std::to_string(leader.leader_term) +
                             " lacks entry " + std::to_string(index) + ", committed in term " +
                             std::to_string(term));
      }
    }
  }
  view.verified_committed = std::max(view.verified_committed, up_to);
  return std::nullopt;
}

std::optional<Violation> RaftSafetyChecker::check_durability(World& world, const History& history,
                                                             NodeIndex reference) {
  const auto* node_host = dynamic_cast<const NodeHost*>(world.host(reference).process());
  const Moment moment{world.trace().event_count(), world.now()};
  if (node_host == nullptr || node_host->raft() == nullptr) {
    return violation(moment, "durability", {reference}, "the reference node is not running");
  }
  // The checker saw every committed entry (state machine safety makes them the same on every
  // node), so a write is in the reference's committed log iff it was committed at an index the
  // reference has committed -- which works whether or not the reference compacted its log.
  check(world);
  const Index reference_committed = node_host->raft()->log().committed();
  for (const RecordedOperation& operation : history.operations()) {
    if (operation.status != OperationStatus::ok || operation.op == "get") continue;
    auto found = committed_writes_.find({operation.client, operation.sequence});
    if (found == committed_writes_.end() || found->second > reference_committed) {
      return violation(moment, "durability", {reference},
                       "client " + std::to_string(operation.client) + "'s acknowledged " +
                           operation.op + " (sequence " + std::to_string(operation.sequence) +
                           ") is not in node " + std::to_string(reference) + "'s committed log");
    }
  }
  return std::nullopt;
}

}  // namespace raftsim::sim

// raftsim: Raft's safety properties checked online, after every simulated event.
// It watches every running node's core (through NodeHost) and keeps global knowledge: the leader
// of each term, a digest of every (index, term) prefix any node has held, the command applied at
// each index, and when each committed entry was first seen. Checks (Raft paper Figure 3):
//   election safety     -- at most one leader per term;
//   leader append-only  -- a leader never removes entries from its log during its term;
//   log matching        -- two logs with an entry of the same index and term agree on the prefix;
//   leader completeness -- a leader holds every entry committed before its term;
//   state machine safety -- no two nodes apply different commands at the same index.
//   commit monotonicity -- a running node's commit index never goes back (an older snapshot
//                          must not replace newer state);
//   snapshot safety     -- a snapshot (compacted log prefix) covers only committed entries.
// A host charges an fsync's latency after the handler that issued it has run, so a node blocked
// in an fsync already shows the state it reaches when the fsync returns. A commit that counts
// entries still being synced (a single voter's own entries) is a fact only from then on: a crash
// before it loses the entries and the commit with them. Such commits wait until the fsync returns.
// A node may commit, truncate and compact within one event, so the checker cannot read compacted
// entries back: it reconstructs them from the global record of every (index, term) ever held,
// walking back from the snapshot's last (index, term) (log matching makes that prefix unique).
// The checker must therefore observe every event in which a node appends (a single voter's
// entries, appended and compacted in one event, it reads from the node's persisted log).
// Durability of acknowledged writes is checked at the end against the history. A violation names
// the event number, virtual time, invariant and nodes involved; the run stops there. Cost:
// amortised O(new entries) per event; a truncation rescans that node's log once.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "raft/node/node_host.h"
#include "sim/kernel/world.h"
#include "sim/workload/history.h"

namespace raftsim::sim {

struct Violation {
  std::uint64_t event_number = 0;
  Time time = 0;
  std::string invariant;
  std::vector<NodeIndex> nodes;
  std::string detail;
  std::string describe() const;
};

// What the checker reads of one running node: its term, role and log (a view, not a copy).
struct NodeObservation {
  std::uint64_t incarnation = 0;  // a change means the node restarted: forget what was cached
  Term current_term = 0;
  Role current_role = Role::follower;
  const RaftLog* current_log = nullptr;
  Time fsync_returns_at = 0;  // blocked in an fsync until then (a time not after now: it is not)
  // Its persisted log, if known: a single voter may append, commit and compact entries within
  // one event, before any other log held them; this is where they can still be read.
  const LogStorage* storage = nullptr;

  Term term() const { return current_term; }
  Role role() const { return current_role; }
  const RaftLog& log() const { return *current_log; }
};

class RaftSafetyChecker {
 public:
  explicit RaftSafetyChecker(NodeIndex cluster_size) : nodes_(cluster_size) {}

  // Call after every event; returns the first violation found (and keeps returning it).
  std::optional<Violation> check(World& world);
  // The same, on observations (nullopt: the node is down). Lets tests feed broken logs.
  std::optional<Violation> observe(std::uint64_t event_number, Time time,
                                   const std::vector<std::optional<NodeObservation>>& nodes);
  // At the end of a run: every write the history saw acknowledged is in the committed log of
  // `reference` (normally the final leader), exactly once per (client, sequence).
  std::optional<Violation> check_durability(World& world, const History& history,
                                            NodeIndex reference);

 private:
  // What the checker last saw of one node (reset when the node restarts).
  struct NodeView {
    std::uint64_t incarnation = 0;
    Term leader_term = 0;  // the term it leads in, 0 if it is not leading
    std::uint64_t truncations = 0;
    std::vector<std::uint64_t> entry_digests;   // [i-1]: entry i
    std::vector<std::uint64_t> prefix_digests;  // [i-1]: entries 1..i
    Index verified_committed = 0;               // its committed prefix has been compared up to here
    Index durable = 0;                          // its entries up to here are on its disk
    // What it showed while blocked in an fsync, which becomes fact when the fsync returns.
    struct Pending {
      Index committed = 0;
      Index stable = 0;
      Term term = 0;
      Time at = 0;
    };
    std::optional<Pending> pending;
  };

  struct Moment {
    std::uint64_t event_number;
    Time time;
  };
  std::optional<Violation> check_node(const Moment& moment, NodeIndex node,
                                      const NodeObservation& raft);
  std::optional<Violation> sync_log(const Moment& moment, NodeIndex node,
                                    const NodeObservation& raft);
  // Records the node's commits that are facts by now (see the header comment).
  std::optional<Violation> settle_commits(const Moment& moment, NodeIndex node,
                                          const NodeObservation& raft);
  std::optional<Violation> settle_pending(const Moment& moment, NodeIndex node);
  // Entries verified_committed + 1 .. up_to of the node's log, committed in `term`; `log` names
  // their terms in a violation (nullptr once the node is down).
  std::optional<Violation> record_commits(const Moment& moment, NodeIndex node, Index up_to,
                                          Term term, const RaftLog* log);
  std::optional<Violation> fill_compacted(const Moment& moment, NodeIndex node, const RaftLog& log,
                                          const LogStorage* storage);
  // Records the entries after the node's cached prefix, up to `up_to`, that its persisted log
  // holds, as entries some log held.
  void remember_stored(NodeIndex node, const LogStorage& storage, Index up_to);
  // Records an entry first seen in some log: the client write it carries, if any.
  void remember_write(const Entry& entry, std::uint64_t digest);
  Violation violation(const Moment& moment, std::string invariant, std::vector<NodeIndex> nodes,
                      std::string detail) const;

  std::vector<NodeView> nodes_;
  std::map<Term, NodeIndex> leaders_;
  // Every entry any log has held, by (index, term): log matching, and the chain back from a
  // snapshot's last entry that recovers what a compacted prefix contained.
  struct EntryRecord {
    std::uint64_t prefix = 0;  // digest of entries 1..index
    std::uint64_t digest = 0;  // digest of this entry
    Term previous_term = 0;    // term of entry index - 1 in that log (0 for index 1)
  };
  std::map<std::pair<Index, Term>, EntryRecord> entries_seen_;
  std::vector<std::uint64_t> applied_digests_;             // state machine safety
  std::vector<std::pair<std::uint64_t, Term>> committed_;  // (entry digest, term first seen)
  // The client write each distinct entry carries, by entry digest, recorded when the entry is
  // first seen in any log (a leader may commit and compact an entry within one event, so it may
  // be gone by the time the checker sees it committed).
  std::map<std::uint64_t, std::pair<std::uint64_t, std::uint64_t>> writes_by_digest_;
  // Client writes by (client, sequence), with the log index they were committed at.
  std::map<std::pair<std::uint64_t, std::uint64_t>, Index> committed_writes_;
  std::optional<Violation> first_violation_;
};

}  // namespace raftsim::sim

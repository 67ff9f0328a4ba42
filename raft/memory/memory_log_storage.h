// raftsim: a node's durable Raft state in memory -- the hard state, the newest snapshot and the
// log after it -- written in the ReadySink's terms (raft/node/ready_driver.h), so core tests can
// restart a node from it without a file system. Invariant: entries() starts right after
// snapshot().meta.index and is contiguous.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "raft/core/types.h"

namespace raftsim {

class MemoryLogStorage {
 public:
  const HardState& hard_state() const { return hard_state_; }
  const Snapshot& snapshot() const { return snapshot_; }
  const std::vector<Entry>& entries() const { return entries_; }  // after the snapshot
  Index last_index() const { return snapshot_.meta.index + entries_.size(); }

  // A snapshot the leader sent replaces the whole log; the hard state that came with it is kept.
  void install_snapshot(const Snapshot& snapshot, const std::optional<HardState>& hard_state);
  // The hard state (if any), then the log cut before rewrite_from (if nonzero), then entries
  // appended (an entry at an index already held replaces it and what follows).
  void persist(const std::optional<HardState>& hard_state, Index rewrite_from,
               std::span<const Entry> entries);
  // A snapshot the node took of what it applied: the entries it covers are dropped.
  void compact(Snapshot snapshot);

 private:
  void cut_from(Index index);  // drops entries >= index

  HardState hard_state_;
  Snapshot snapshot_;
  std::vector<Entry> entries_;
};

}  // namespace raftsim

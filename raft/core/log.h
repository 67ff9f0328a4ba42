// raftsim: a node's view of the replicated log, in memory.
// Holds entries (first_index()..last_index()), the commit index, the applied index and the stable
// index (how far the entries are known to be on disk). Entries past the stable index are what the
// next Ready hands to storage. Entries up to snapshot_index() have been compacted away: a snapshot
// stands for them and only the last one's term is kept. Invariants, checked on every change:
//   1. indices are contiguous and terms never decrease along the log;
//   2. snapshot_index <= applied <= committed <= last_index, and committed never decreases;
//   3. no committed entry is ever removed or overwritten (Raft's core safety promise);
//   4. snapshot_index <= stable <= last_index.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "raft/core/raft_bugs.h"
#include "raft/core/types.h"

namespace raftsim {

class RaftLog {
 public:
  RaftLog() = default;
  // A log recovered from storage: every entry given is stable. `bugs`: the core's injected bugs
  // (no_truncate_on_conflict and snapshot_overwrites_newer act here).
  explicit RaftLog(std::vector<Entry> stable_entries, RaftBugs bugs = {});
  // A log recovered from a snapshot plus the stable entries after it (entries[0] must be
  // snapshot.index + 1). Everything up to the snapshot counts as committed and applied.
  RaftLog(const SnapshotMeta& snapshot, std::vector<Entry> stable_entries, RaftBugs bugs = {});

  Index first_index() const { return offset_ + 1; }
  Index last_index() const { return offset_ + entries_.size(); }
  Term last_term() const { return entries_.empty() ? offset_term_ : entries_.back().term; }
  Index snapshot_index() const { return offset_; }
  Term snapshot_term() const { return offset_term_; }
  // Term of the entry at index; 0 for index 0; the snapshot's term at snapshot_index(); nullopt
  // before it (compacted) and beyond the end.
  std::optional<Term> term_at(Index index) const;
  bool matches(Index index, Term term) const { return term_at(index) == term; }
  const Entry& at(Index index) const;

  // Paper §5.4.1: is a log ending at (last_index, last_term) at least as up to date as ours?
  bool is_up_to_date(Index last_index, Term last_term) const;

  // Appends entries that follow prev (already checked to match): entries already present with the
  // same term are skipped, the first conflicting one truncates the suffix. Returns the index of
  // the last entry the caller sent. Aborts if a committed entry would be overwritten.
  Index append_after(Index prev_index, std::span<const Entry> entries);
  // The leader's path: a new entry at last_index() + 1.
  Index append_new(Term term, EntryType type, SharedBytes data);

  // Entries in [from, last_index()], at most max_count of them and max_bytes of data (at least
  // one entry if any is available, so a huge entry still moves).
  std::vector<Entry> slice(Index from, std::size_t max_count, std::size_t max_bytes) const;
  // The same into `out` (replacing its contents, reusing its capacity).
  void slice_into(Index from, std::size_t max_count, std::size_t max_bytes,
                  std::vector<Entry>& out) const;
  // For fast backtracking: the first index of the run of entries with the term at `index` (not
  // before first_index()).
  Index first_index_of_term_at(Index index) const;
  // Largest index whose term is <= term (0 if none; snapshot_index() if the search reaches it).
  Index last_index_with_term_at_most(Term term) const;

  Index committed() const { return committed_; }
  Index applied() const { return applied_; }
  Index stable() const { return stable_; }
  void commit_to(Index index);  // no-op if index <= committed
  void applied_to(Index index);
  void stable_to(Index index, Term term);  // ignored if the entry has been replaced since
  // Drops the entries up to `index` (<= applied and <= stable), which a snapshot now stands for.
  // No-op if index <= snapshot_index().
  void compact_to(Index index);
  // Replaces the whole log with a snapshot the leader sent (its index beyond committed, its last
  // entry not in this log; both checked): the suffix is dropped -- it diverges from the leader's
  // committed prefix, so it cannot be committed -- and everything up to the snapshot becomes
  // committed, applied and stable. (A log that holds the snapshot's last entry keeps its suffix;
  // the core then only advances the commit index.)
  void restore(const SnapshotMeta& snapshot);
  // Views into the log: valid until the log next changes.
  std::span<const Entry> unstable_entries() const;
  std::span<const Entry> entries_to_apply(std::size_t max_count) const;
  // Where storage must truncate before appending unstable_entries(), i.e. the first index that
  // changed since the last stable_to; 0 if nothing stable changed.
  Index stable_rewrite_from() const { return rewrite_from_; }
  // How many times a suffix was cut off (conflicting entries replaced); lets observers cache.
  std::uint64_t truncations() const { return truncations_; }
  // What the entries in memory hold, for memory budgets: a fixed size per entry plus its data
  // (kept as entries come and go, so it costs nothing to ask).
  std::uint64_t held_bytes() const { return entries_.size() * sizeof(Entry) + data_bytes_; }

 private:
  void check_invariants() const;
  // Takes the data of entries_[from, to) out of data_bytes_ (before they are dropped).
  void drop_data_bytes(std::size_t from, std::size_t to);

  std::size_t position(Index index) const { return static_cast<std::size_t>(index - offset_ - 1); }

  std::vector<Entry> entries_;  // entries_[i].index == offset_ + i + 1
  Index offset_ = 0;            // the snapshot's last index; entries up to it are compacted
  Term offset_term_ = 0;
  Index committed_ = 0;
  Index applied_ = 0;
  Index stable_ = 0;
  Index rewrite_from_ = 0;
  std::uint64_t data_bytes_ = 0;  // the sum of entries_[i].data.size()
  std::uint64_t truncations_ = 0;
  RaftBugs bugs_;
};

}  // namespace raftsim

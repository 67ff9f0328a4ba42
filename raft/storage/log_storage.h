// raftsim: a Raft node's durable state -- hard state (term, vote) and log entries -- on top of the
// write-ahead log. Each save() appends records and syncs before returning, so the caller may send
// the messages that depend on it. Records: a hard state, or a batch of consecutive entries; on
// replay a batch starting at index i replaces whatever the log held from i on (that is how a
// follower's truncated suffix is persisted). A snapshot marker (index, term) says the log before
// and at index lives in a snapshot file; the entries kept start after it. When the WAL outgrows
// compact_after_bytes, the log is rewritten as one hard state, the marker and the live entries;
// apply_snapshot() does the same rewrite when a snapshot lets the log drop its prefix.
// Recovery checks what it loads: batches must continue or overwrite the log (no gaps), terms must
// not decrease, and no entry may carry a term above the stored term; otherwise it is corruption.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "raft/base/status.h"
#include "raft/core/types.h"
#include "raft/io/file_system.h"
#include "raft/storage/wal.h"

namespace raftsim {

struct LogStorageOptions {
  WalOptions wal;
  std::uint64_t compact_after_bytes = std::uint64_t{64} << 20;
};

class LogStorage {
 public:
  static Result<std::unique_ptr<LogStorage>> open(FileSystem& file_system,
                                                  const LogStorageOptions& options);

  const HardState& hard_state() const { return hard_state_; }
  // Where the durable log starts: entries up to base().index are in a snapshot (0: none).
  const SnapshotMeta& base() const { return base_; }
  // A copy of the durable log after base() (what recovery hands to the Raft core).
  std::vector<Entry> entries() const { return {entries_.begin(), entries_.end()}; }
  // The entries after `index` (>= base().index): what follows a snapshot at `index`.
  std::vector<Entry> entries_after(Index index) const;
  // The term of the durable entry at index (base().term at base().index), if the log holds it.
  std::optional<Term> term_at(Index index) const;
  std::uint64_t torn_bytes_dropped() const { return torn_bytes_dropped_; }
  // What the mirror of the log holds, for memory budgets: its entries share their data with the
  // core's log, which counts it.
  std::uint64_t held_bytes() const { return entries_.size() * sizeof(Entry); }

  // Durable on return (appended and synced). rewrite_from: drop entries >= it first (0: none).
  Status save(const std::optional<HardState>& hard_state, Index rewrite_from,
              std::span<const Entry> entries);
  // A snapshot at `snapshot` is durable elsewhere: drop the log up to it. If the log holds the
  // snapshot's last entry (same term), the entries after it stay (log matching says they follow
  // it); otherwise the whole log goes (an installed snapshot replaces a log that disagrees).
  // Durable on return. A snapshot older than base() also drops the whole log (correct code never
  // asks for that; the snapshot-overwrites-newer bug does, and must not crash the node).
  Status apply_snapshot(const SnapshotMeta& snapshot);

 private:
  LogStorage(std::unique_ptr<Wal> wal, const LogStorageOptions& options)
      : wal_(std::move(wal)), options_(options) {}
  Status replay(const std::vector<std::vector<std::uint8_t>>& records);
  Status compact();

  std::unique_ptr<Wal> wal_;
  LogStorageOptions options_;
  HardState hard_state_;
  SnapshotMeta base_;
  // Mirror of the durable log after base_ (entries_[i].index == base_.index + i + 1): what a
  // compaction rewrites. A deque, so that growing it never
  // copies the whole log (entries share their data with the core's log, so each costs little).
  std::deque<Entry> entries_;
  std::vector<std::uint8_t> record_buffer_;  // reused for every record save() writes
  std::uint64_t torn_bytes_dropped_ = 0;
};

}  // namespace raftsim

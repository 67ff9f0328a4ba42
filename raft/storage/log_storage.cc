#include "raft/storage/log_storage.h"

#include <string>

#include "raft/base/check.h"
#include "raft/base/probe.h"
#include "raft/core/codec.h"

namespace raftsim {
namespace {

constexpr std::uint8_t kHardStateRecord = 1;
constexpr std::uint8_t kEntriesRecord = 2;
constexpr std::uint8_t kSnapshotMarkerRecord = 3;
// A batch record stays well under the WAL's record limit.
constexpr std::size_t kBatchBytesMax = std::size_t{8} << 20;

std::vector<std::uint8_t> encode_hard_state(const HardState& state) {
  std::vector<std::uint8_t> out;
  put_u8(out, kHardStateRecord);
  put_u64(out, state.term);
  put_u32(out, state.vote);
  return out;
}

std::vector<std::uint8_t> encode_marker(const SnapshotMeta& meta) {
  std::vector<std::uint8_t> out;
  put_u8(out, kSnapshotMarkerRecord);
  put_u64(out, meta.index);
  put_u64(out, meta.term);
  return out;
}

// Appends to `out` one entry-batch record holding entries[at...], as many as fit in
// kBatchBytesMax (at least one: a lone larger entry gets its own); advances `at` past them.
void encode_batch(std::span<const Entry> entries, std::size_t& at, std::vector<std::uint8_t>& out) {
  std::uint32_t count = 0;
  std::size_t body_bytes = 0;
  const std::size_t first = at;
  while (at < entries.size() &&
         (count == 0 || body_bytes + entries[at].data.size() + 32 <= kBatchBytesMax)) {
    body_bytes += kEntryHeaderBytes + entries[at++].data.size();
    ++count;
  }
  out.reserve(out.size() + 1 + 4 + body_bytes);
  put_u8(out, kEntriesRecord);
  put_u32(out, count);
  for (std::size_t index = first; index < at; ++index) encode_entry(entries[index], out);
}

std::vector<std::vector<std::uint8_t>> encode_batches(std::span<const Entry> entries) {
  std::vector<std::vector<std::uint8_t>> records;
  std::size_t at = 0;
  while (at < entries.size()) encode_batch(entries, at, records.emplace_back());
  return records;
}

Status corrupt(std::size_t record, const std::string& what) {
  return Status(StatusCode::corruption, "raft log record " + std::to_string(record) + ": " + what);
}

}  // namespace

Result<std::unique_ptr<LogStorage>> LogStorage::open(FileSystem& file_system,
                                                     const LogStorageOptions& options) {
  WalRecovery recovery;
  auto wal = Wal::open(file_system, options.wal, &recovery);
  if (!wal.ok()) return wal.status();
  std::unique_ptr<LogStorage> storage(new LogStorage(std::move(wal).value(), options));
  storage->torn_bytes_dropped_ = recovery.torn_bytes_dropped;
  if (Status status = storage->replay(recovery.records); !status.ok()) return status;
  return storage;
}

Status LogStorage::replay(const std::vector<std::vector<std::uint8_t>>& records) {
  for (std::size_t number = 0; number < records.size(); ++number) {
    ByteReader reader(records[number]);
    std::uint8_t type = 0;
    if (!reader.read_u8(type)) return corrupt(number, "empty record");
    if (type == kHardStateRecord) {
      HardState state;
      if (!reader.read_u64(state.term) || !reader.read_u32(state.vote) || reader.remaining() != 0) {
        return corrupt(number, "malformed hard state");
      }
      if (state.term < hard_state_.term) return corrupt(number, "term went backwards");
      hard_state_ = state;
      continue;
    }
    if (type == kSnapshotMarkerRecord) {
      SnapshotMeta meta;
      if (!reader.read_u64(meta.index) || !reader.read_u64(meta.term) || reader.remaining() != 0) {
        return corrupt(number, "malformed snapshot marker");
      }
      if (meta.index >= base_.index && term_at(meta.index) == meta.term) {
        entries_.erase(entries_.begin(),
                       entries_.begin() + static_cast<std::ptrdiff_t>(meta.index - base_.index));
      } else {
        entries_.clear();
      }
      base_ = meta;
      continue;
    }
    if (type != kEntriesRecord) return corrupt(number, "unknown record type");
    std::uint32_t count = 0;
    if (!reader.read_u32(count) || count == 0) return corrupt(number, "malformed entry batch");
    for (std::uint32_t i = 0; i < count; ++i) {
      Entry entry;
      const char* what = "";
      if (!decode_entry(reader, entry, what)) return corrupt(number, what);
      if (entry.index <= base_.index || entry.index > base_.index + entries_.size() + 1) {
        return corrupt(number, "entry " + std::to_string(entry.index) + " leaves a gap");
      }
      entries_.resize(entry.index - base_.index - 1);
      if ((entries_.empty() ? base_.term : entries_.back().term) > entry.term) {
        return corrupt(number, "entry terms decrease at index " + std::to_string(entry.index));
      }
      entries_.push_back(std::move(entry));
    }
    if (reader.remaining() != 0) return corrupt(number, "trailing bytes after entry batch");
  }
  if (std::max(base_.term, entries_.empty() ? Term{0} : entries_.back().term) > hard_state_.term) {
    return corrupt(records.size(), "log holds an entry from a term after the stored term");
  }
  return Status();
}

Status LogStorage::save(const std::optional<HardState>& hard_state, Index rewrite_from,
                        std::span<const Entry> entries) {
  if (!hard_state && entries.empty()) return Status();
  if (hard_state) {
    RAFTSIM_CHECK_MSG(hard_state->term >= hard_state_.term, "stored term must not go back");
    if (Status status = wal_->append(encode_hard_state(*hard_state)); !status.ok()) return status;
  }
  const Index end = base_.index + entries_.size();  // last durable index
  if (!entries.empty()) {
    RAFTSIM_CHECK_MSG(entries.front().index <= end + 1 && entries.front().index > base_.index,
                      "entries must not leave a gap or reach into the snapshot");
    RAFTSIM_CHECK(rewrite_from == 0 || rewrite_from >= entries.front().index ||
                  rewrite_from <= end + 1);
    std::size_t at = 0;
    while (at < entries.size()) {
      record_buffer_.clear();
      encode_batch(entries, at, record_buffer_);
      if (Status status = wal_->append(record_buffer_); !status.ok()) return status;
    }
  }
  if (Status status = wal_->sync(); !status.ok()) return status;
  // Only now is it durable: update the mirror the same way replay() will read it back.
  if (hard_state) hard_state_ = *hard_state;
  if (rewrite_from > base_.index && rewrite_from <= end) {
    entries_.resize(rewrite_from - base_.index - 1);
  }
  if (!entries.empty()) {
    entries_.resize(entries.front().index - base_.index - 1);
    entries_.insert(entries_.end(), entries.begin(), entries.end());
  }
  if (wal_->size_bytes() > options_.compact_after_bytes) return compact();
  return Status();
}

std::optional<Term> LogStorage::term_at(Index index) const {
  if (index == base_.index) return base_.term;
  if (index < base_.index || index > base_.index + entries_.size()) return std::nullopt;
  return entries_[index - base_.index - 1].term;
}

std::vector<Entry> LogStorage::entries_after(Index index) const {
  RAFTSIM_CHECK(index >= base_.index);
  const std::size_t skip = std::min<std::size_t>(index - base_.index, entries_.size());
  return {entries_.begin() + static_cast<std::ptrdiff_t>(skip), entries_.end()};
}

Status LogStorage::apply_snapshot(const SnapshotMeta& snapshot) {
  if (snapshot == base_) return Status();
  std::deque<Entry> kept;
  if (snapshot.index >= base_.index && term_at(snapshot.index) == snapshot.term) {
    kept.assign(entries_.begin() + static_cast<std::ptrdiff_t>(snapshot.index - base_.index),
                entries_.end());
  }
  const SnapshotMeta old_base = base_;
  std::swap(entries_, kept);
  base_ = snapshot;
  if (Status status = compact(); !status.ok()) {
    // The rewrite failed: whatever is on disk, the caller fail-stops; keep the mirror honest.
    std::swap(entries_, kept);
    base_ = old_base;
    return status;
  }
  return Status();
}

Status LogStorage::compact() {
  RAFTSIM_PROBE(storage_wal_compacted);
  std::vector<std::vector<std::uint8_t>> records;
  records.push_back(encode_hard_state(hard_state_));
  if (base_.index != 0) records.push_back(encode_marker(base_));
  const std::vector<Entry> live = entries();
  for (auto& record : encode_batches(live)) records.push_back(std::move(record));
  return wal_->rewrite(records);
}

}  // namespace raftsim

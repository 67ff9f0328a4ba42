#include "raft/core/log.h"

#include <algorithm>

#include "raft/base/check.h"
#include "raft/base/probe.h"

namespace raftsim {

RaftLog::RaftLog(std::vector<Entry> stable_entries, RaftBugs bugs)
    : RaftLog(SnapshotMeta{}, std::move(stable_entries), bugs) {}

RaftLog::RaftLog(const SnapshotMeta& snapshot, std::vector<Entry> stable_entries, RaftBugs bugs)
    : entries_(std::move(stable_entries)),
      offset_(snapshot.index),
      offset_term_(snapshot.term),
      bugs_(bugs) {
  RAFTSIM_CHECK_MSG(entries_.empty() || entries_.front().index == offset_ + 1,
                    "recovered entries must start right after the snapshot");
  RAFTSIM_CHECK_MSG(entries_.empty() || entries_.front().term >= offset_term_,
                    "recovered entries must not predate the snapshot's term");
  committed_ = applied_ = offset_;
  stable_ = last_index();
  for (const Entry& entry : entries_) data_bytes_ += entry.data.size();
  check_invariants();
}

std::optional<Term> RaftLog::term_at(Index index) const {
  if (index == offset_) return offset_term_;
  if (index < offset_ || index > last_index()) return std::nullopt;
  return entries_[position(index)].term;
}

const Entry& RaftLog::at(Index index) const {
  RAFTSIM_CHECK(index >= first_index() && index <= last_index());
  return entries_[position(index)];
}

bool RaftLog::is_up_to_date(Index last_index, Term last_term) const {
  return last_term > this->last_term() ||
         (last_term == this->last_term() && last_index >= this->last_index());
}

Index RaftLog::append_after(Index prev_index, std::span<const Entry> entries) {
  RAFTSIM_CHECK_MSG(prev_index <= last_index() && prev_index >= offset_,
                    "append_after needs a matching prev entry");
  Index index = prev_index;
  for (const Entry& entry : entries) {
    ++index;
    RAFTSIM_CHECK_MSG(entry.index == index, "entries in an append must be contiguous");
    if (index <= last_index()) {
      if (entries_[position(index)].term == entry.term) continue;  // already have it
      RAFTSIM_CHECK_MSG(index > committed_, "a committed entry would be overwritten");
      if (bugs_.has(RaftBug::no_truncate_on_conflict)) {
        data_bytes_ -= entries_[position(index)].data.size();
        data_bytes_ += entry.data.size();
        entries_[position(index)] = entry;  // replaced in place: the stale suffix after it stays
        if (stable_ >= index) {
          stable_ = index - 1;
          rewrite_from_ = rewrite_from_ == 0 ? index : std::min(rewrite_from_, index);
        }
        continue;
      }
      RAFTSIM_PROBE(core_conflicting_tail_truncated);
      if (last_index() > index) RAFTSIM_PROBE(core_conflicting_multi_entry_tail);
      drop_data_bytes(position(index), entries_.size());
      entries_.resize(position(index));
      ++truncations_;
      if (stable_ >= index) {
        stable_ = index - 1;
        rewrite_from_ = rewrite_from_ == 0 ? index : std::min(rewrite_from_, index);
      }
    }
    data_bytes_ += entry.data.size();
    entries_.push_back(entry);
  }
  check_invariants();
  return index;
}

Index RaftLog::append_new(Term term, EntryType type, SharedBytes data) {
  RAFTSIM_CHECK_MSG(term >= last_term(), "a leader appends only in its own (latest) term");
  data_bytes_ += data.size();
  entries_.push_back(Entry{term, last_index() + 1, type, std::move(data)});
  return last_index();
}

std::vector<Entry> RaftLog::slice(Index from, std::size_t max_count, std::size_t max_bytes) const {
  std::vector<Entry> result;
  slice_into(from, max_count, max_bytes, result);
  return result;
}

void RaftLog::slice_into(Index from, std::size_t max_count, std::size_t max_bytes,
                         std::vector<Entry>& out) const {
  out.clear();
  // Count first, so `out` grows at most once.
  RAFTSIM_CHECK_MSG(from >= first_index(), "slice of compacted entries");
  const Index first = from;
  std::size_t count = 0;
  std::size_t bytes = 0;
  for (Index index = first; index <= last_index(); ++index) {
    const std::size_t size = entries_[position(index)].data.size();
    if (count > 0 && (count >= max_count || bytes + size > max_bytes)) break;
    bytes += size;
    ++count;
  }
  out.reserve(count);
  const auto begin = entries_.begin() + static_cast<std::ptrdiff_t>(position(first));
  if (count > 0) out.insert(out.end(), begin, begin + static_cast<std::ptrdiff_t>(count));
}

Index RaftLog::first_index_of_term_at(Index index) const {
  RAFTSIM_CHECK(index >= first_index() && index <= last_index());
  const Term term = entries_[position(index)].term;
  while (index > first_index() && entries_[position(index - 1)].term == term) --index;
  return index;
}

Index RaftLog::last_index_with_term_at_most(Term term) const {
  Index index = last_index();
  while (index > offset_ && entries_[position(index)].term > term) --index;
  return index;
}

void RaftLog::drop_data_bytes(std::size_t from, std::size_t to) {
  for (std::size_t i = from; i < to; ++i) data_bytes_ -= entries_[i].data.size();
}

void RaftLog::compact_to(Index index) {
  if (index <= offset_) return;
  RAFTSIM_CHECK_MSG(index <= applied_ && index <= stable_,
                    "only applied, stable entries can be compacted");
  offset_term_ = entries_[position(index)].term;
  drop_data_bytes(0, position(index) + 1);
  entries_.erase(entries_.begin(),
                 entries_.begin() + static_cast<std::ptrdiff_t>(position(index) + 1));
  offset_ = index;
  check_invariants();
}

void RaftLog::restore(const SnapshotMeta& snapshot) {
  // Invariant 3: a snapshot the leader sent never takes back what is committed here. Only the
  // injected snapshot-overwrites-newer bug lets an older one through (the commit index then goes
  // back, which the simulator's checkers must notice); the set is read only on that path.
  RAFTSIM_CHECK_MSG((snapshot.index > committed_ && !matches(snapshot.index, snapshot.term)) ||
                        bugs_.has(RaftBug::snapshot_overwrites_newer),
                    "a restored snapshot must lie beyond the commit index and this log");
  entries_.clear();
  data_bytes_ = 0;
  offset_ = snapshot.index;
  offset_term_ = snapshot.term;
  committed_ = applied_ = stable_ = snapshot.index;
  rewrite_from_ = 0;
  ++truncations_;
  check_invariants();
}

void RaftLog::commit_to(Index index) {
  if (index <= committed_) return;
  RAFTSIM_CHECK_MSG(index <= last_index(), "cannot commit past the end of the log");
  committed_ = index;
}

void RaftLog::applied_to(Index index) {
  RAFTSIM_CHECK_MSG(index >= applied_ && index <= committed_, "applied must stay <= committed");
  applied_ = index;
}

void RaftLog::stable_to(Index index, Term term) {
  // The entry may have been overwritten (by a newer leader's) after this Ready was handed out;
  // then the stable mark must not move over the new, unpersisted entry.
  if (index > last_index() || term_at(index) != term) return;
  stable_ = std::max(stable_, index);
  rewrite_from_ = 0;
}

std::span<const Entry> RaftLog::unstable_entries() const {
  return std::span<const Entry>(entries_).subspan(stable_ - offset_);
}

std::span<const Entry> RaftLog::entries_to_apply(std::size_t max_count) const {
  const std::size_t count = std::min<std::size_t>(committed_ - applied_, max_count);
  return std::span<const Entry>(entries_).subspan(applied_ - offset_, count);
}

void RaftLog::check_invariants() const {
  RAFTSIM_CHECK(offset_ <= applied_ && applied_ <= committed_ && committed_ <= last_index());
  RAFTSIM_CHECK(offset_ <= stable_ && stable_ <= last_index());
  if (!entries_.empty()) {
    RAFTSIM_CHECK(entries_.back().index == last_index());
    if (entries_.size() >= 2) {
      RAFTSIM_CHECK(entries_[entries_.size() - 2].term <= entries_.back().term);
    }
  }
}

}  // namespace raftsim

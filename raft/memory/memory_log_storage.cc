// raftsim: in-memory durable Raft state -- install, persist and compact.
#include "raft/memory/memory_log_storage.h"

#include "raft/base/check.h"

namespace raftsim {

void MemoryLogStorage::install_snapshot(const Snapshot& snapshot,
                                        const std::optional<HardState>& hard_state) {
  if (hard_state) hard_state_ = *hard_state;
  snapshot_ = snapshot;
  entries_.clear();
}

void MemoryLogStorage::cut_from(Index index) {
  RAFTSIM_CHECK_MSG(index > snapshot_.meta.index, "the log cannot be cut inside the snapshot");
  if (index <= last_index()) entries_.resize(index - snapshot_.meta.index - 1);
}

void MemoryLogStorage::persist(const std::optional<HardState>& hard_state, Index rewrite_from,
                               std::span<const Entry> entries) {
  if (hard_state) hard_state_ = *hard_state;
  if (rewrite_from != 0) cut_from(rewrite_from);
  for (const Entry& entry : entries) {
    cut_from(entry.index);
    RAFTSIM_CHECK_MSG(entry.index == last_index() + 1, "entries are appended without a gap");
    entries_.push_back(entry);
  }
}

void MemoryLogStorage::compact(Snapshot snapshot) {
  const Index index = snapshot.meta.index;
  RAFTSIM_CHECK_MSG(index >= snapshot_.meta.index && index <= last_index(),
                    "a snapshot covers a prefix of the stored log");
  entries_.erase(entries_.begin(),
                 entries_.begin() + static_cast<std::ptrdiff_t>(index - snapshot_.meta.index));
  snapshot_ = std::move(snapshot);
}

}  // namespace raftsim

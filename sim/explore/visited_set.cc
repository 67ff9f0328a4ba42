// raftsim: the explorer's visited set (linear probing over fingerprints).
#include "sim/explore/visited_set.h"

#include "raft/base/check.h"

namespace raftsim::sim::explore {

std::optional<std::uint32_t> VisitedSet::find(std::uint64_t fingerprint) const {
  const std::uint64_t key = key_of(fingerprint);
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t at = key & mask;; at = (at + 1) & mask) {
    if (slots_[at].fingerprint == 0) return std::nullopt;
    if (slots_[at].fingerprint == key) return slots_[at].id;
  }
}

void VisitedSet::insert(std::uint64_t fingerprint, std::uint32_t id) {
  if ((size_ + 1) * 2 > slots_.size()) grow();
  const std::uint64_t key = key_of(fingerprint);
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t at = key & mask;; at = (at + 1) & mask) {
    RAFTSIM_CHECK_MSG(slots_[at].fingerprint != key, "fingerprint inserted twice");
    if (slots_[at].fingerprint == 0) {
      slots_[at] = Slot{key, id};
      ++size_;
      return;
    }
  }
}

void VisitedSet::grow() {
  std::vector<Slot> old(slots_.size() * 2);
  old.swap(slots_);
  const std::size_t mask = slots_.size() - 1;
  for (const Slot& slot : old) {
    if (slot.fingerprint == 0) continue;
    std::size_t at = slot.fingerprint & mask;
    while (slots_[at].fingerprint != 0) at = (at + 1) & mask;
    slots_[at] = slot;
  }
}

}  // namespace raftsim::sim::explore

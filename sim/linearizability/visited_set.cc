// raftsim linearizability: VisitedSet (see visited_set.h).
#include "sim/linearizability/visited_set.h"

#include <cstring>

#include "raft/util/check.h"
#include "raft/util/hash.h"

namespace raftsim::linearizability {
namespace {

constexpr std::size_t kInitialSlots = 1024;

std::uint64_t configuration_hash(std::uint64_t bits_hash, ModelState state) {
  return mix64(bits_hash ^ mix64(state + 0x9e3779b97f4a7c15ULL));
}

}  // namespace

void VisitedSet::reset(std::size_t bitset_words) {
  bitset_words_ = bitset_words;
  slots_.assign(kInitialSlots, Slot{});
  states_.clear();
  bitsets_.clear();
}

bool VisitedSet::insert(const std::uint64_t* bits, std::uint64_t bits_hash, ModelState state) {
  const std::uint64_t hash = configuration_hash(bits_hash, state);
  const std::size_t mask = slots_.size() - 1;
  std::size_t slot = hash & mask;
  while (slots_[slot].entry_plus_one != 0) {
    const Slot& existing = slots_[slot];
    if (existing.hash == hash) {
      const std::size_t entry = existing.entry_plus_one - 1;
      if (states_[entry] == state &&
          std::memcmp(bitsets_.data() + entry * bitset_words_, bits, bitset_words_ * 8) == 0) {
        return false;
      }
    }
    slot = (slot + 1) & mask;
  }
  RAFTSIM_CHECK_MSG(states_.size() < UINT32_MAX - 1, "visited set full");
  slots_[slot] = Slot{hash, static_cast<std::uint32_t>(states_.size() + 1)};
  states_.push_back(state);
  bitsets_.insert(bitsets_.end(), bits, bits + bitset_words_);
  if (states_.size() * 2 > slots_.size()) grow();
  return true;
}

std::size_t VisitedSet::memory_bytes() const {
  return slots_.size() * sizeof(Slot) + states_.size() * (8 + 8 * bitset_words_);
}

void VisitedSet::grow() {
  std::vector<Slot> slots(slots_.size() * 2);
  const std::size_t mask = slots.size() - 1;
  for (const Slot& old_slot : slots_) {
    if (old_slot.entry_plus_one == 0) continue;
    std::size_t slot = old_slot.hash & mask;
    while (slots[slot].entry_plus_one != 0) slot = (slot + 1) & mask;
    slots[slot] = old_slot;
  }
  slots_ = std::move(slots);
}

}  // namespace raftsim::linearizability

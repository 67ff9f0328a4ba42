// raftsim linearizability: VisitedSet (see visited_set.h).
#include "sim/linearizability/visited_set.h"
#include "sim/linearizability/open_addressing.h"

#include "raft/base/check.h"
#include "raft/base/hash.h"

namespace raftsim::linearizability {
namespace {

constexpr std::size_t kInitialSlots = 1024;
// Slot positions come from a 32-bit tag, which bounds the table size.
constexpr std::size_t kSlotsMax = std::size_t{1} << 32;

std::uint64_t configuration_hash(std::uint64_t bits_hash, ModelState state) {
  return mix64(bits_hash ^ mix64(state + 0x9e3779b97f4a7c15ULL));
}

}  // namespace

void VisitedSet::reset(std::size_t bitset_words) {
  bitset_words_ = bitset_words;
  count_ = 0;
  slots_.assign(kInitialSlots, 0);
  records_.clear();
}

bool VisitedSet::insert(const std::uint64_t* bits, std::uint64_t bits_hash, ModelState state) {
  const std::uint64_t tag = configuration_hash(bits_hash, state) >> 32;
  const std::size_t mask = slots_.size() - 1;
  const std::size_t stride = 1 + bitset_words_;
  std::size_t slot = tag & mask;
  for (; slots_[slot] != 0; slot = (slot + 1) & mask) {
    if ((slots_[slot] >> 32) != tag) continue;
    const std::uint64_t* record = records_.data() + ((slots_[slot] & 0xffffffffu) - 1) * stride;
    if (record[0] != state) continue;
    bool equal = true;
    for (std::size_t word = 0; word < bitset_words_; ++word)
      equal &= record[1 + word] == bits[word];
    if (equal) return false;
  }
  RAFTSIM_CHECK_MSG(count_ < UINT32_MAX - 1, "visited set full");
  slots_[slot] = (tag << 32) | (count_ + 1);
  ++count_;
  records_.push_back(state);
  records_.insert(records_.end(), bits, bits + bitset_words_);
  if (count_ * 2 > slots_.size()) grow();
  return true;
}

std::size_t VisitedSet::memory_bytes() const {
  return slots_.size() * sizeof(std::uint64_t) + records_.size() * sizeof(std::uint64_t);
}

void VisitedSet::grow() {
  RAFTSIM_CHECK_MSG(slots_.size() < kSlotsMax, "visited set table full");
  slots_ = doubled_table(slots_);
}

}  // namespace raftsim::linearizability

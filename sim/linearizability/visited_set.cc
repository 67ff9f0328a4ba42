// raftsim linearizability: VisitedSet (see visited_set.h).
#include "sim/linearizability/visited_set.h"

#include <algorithm>
#include <bit>

#include "raft/base/check.h"
#include "raft/base/hash.h"
#include "sim/linearizability/open_addressing.h"

namespace raftsim::linearizability {
namespace {

constexpr std::size_t kInitialSlots = 1024;
// Slot positions come from a 32-bit tag, which bounds the table size.
constexpr std::size_t kSlotsMax = std::size_t{1} << 32;
constexpr std::uint64_t kAllOnes = ~std::uint64_t{0};
// Header word: bit 63 the kind (set: zero positions), bits 32..62 the payload count, bits 0..31
// the position (bitset: the first stored word; zeros: one past the highest linearized index).
constexpr std::uint64_t kZerosKind = std::uint64_t{1} << 63;

std::uint64_t configuration_hash(std::uint64_t bits_hash, ModelState state) {
  return mix64(bits_hash ^ mix64(state + 0x9e3779b97f4a7c15ULL));
}

std::uint64_t header(bool zeros, std::uint64_t count, std::uint64_t position) {
  RAFTSIM_CHECK(count < (std::uint64_t{1} << 31) && position <= UINT32_MAX);
  return (zeros ? kZerosKind : 0) | (count << 32) | position;
}

}  // namespace

void VisitedSet::reset(std::size_t bitset_words) {
  bitset_words_ = bitset_words;
  count_ = 0;
  slots_.assign(kInitialSlots, 0);
  records_.clear();
  offsets_.clear();
}

// The set is ones below word `first`, zeros from word `last` on, and words[first, last) between.
// Bitset kind: those words. Zeros kind: h = one past the highest one, and the indices of the
// zeros below h (all at or after first * 64), two per word. The kind is whichever payload is
// smaller (the bitset on a tie): a function of the set alone, so equal sets encode equally.
void VisitedSet::encode(const std::uint64_t* bits, BitsetBounds& bounds, ModelState state) {
  std::size_t first = std::min(bounds.full, bitset_words_);
  std::size_t last = std::min(bounds.used, bitset_words_);
  while (first < last && bits[first] == kAllOnes) ++first;
  while (last > first && bits[last - 1] == 0) --last;
  bounds.full = first;
  bounds.used = std::max(last, first);
  scratch_.clear();
  scratch_.push_back(state);
  if (last == first) {
    scratch_.push_back(header(false, 0, first));
    return;
  }
  const std::size_t high = last * 64 - static_cast<std::size_t>(std::countl_zero(bits[last - 1]));
  std::size_t zeros = 0;
  for (std::size_t word = first; word < last; ++word) {
    zeros += static_cast<std::size_t>(std::popcount(~bits[word]));
  }
  zeros -= last * 64 - high;  // the zeros above the highest one are implied
  const std::size_t span = last - first;
  if ((zeros + 1) / 2 >= span) {
    scratch_.push_back(header(false, span, first));
    scratch_.insert(scratch_.end(), bits + first, bits + last);
    return;
  }
  scratch_.push_back(header(true, zeros, high));
  std::uint64_t packed = 0;
  std::size_t packed_count = 0;
  for (std::size_t word = first; word < last; ++word) {
    for (std::uint64_t free = ~bits[word]; free != 0; free &= free - 1) {
      const std::size_t index = word * 64 + static_cast<std::size_t>(std::countr_zero(free));
      if (index >= high) break;
      packed |= static_cast<std::uint64_t>(index) << (32 * (packed_count % 2));
      if (++packed_count % 2 == 0) {
        scratch_.push_back(packed);
        packed = 0;
      }
    }
  }
  if (packed_count % 2 == 1) scratch_.push_back(packed);
  RAFTSIM_CHECK(packed_count == zeros);
}

bool VisitedSet::insert(const std::uint64_t* bits, BitsetBounds& bounds, std::uint64_t bits_hash,
                        ModelState state) {
  encode(bits, bounds, state);
  const std::uint64_t tag = configuration_hash(bits_hash, state) >> 32;
  const std::size_t mask = slots_.size() - 1;
  std::size_t slot = tag & mask;
  for (; slots_[slot] != 0; slot = (slot + 1) & mask) {
    if ((slots_[slot] >> 32) != tag) continue;
    const std::size_t entry = (slots_[slot] & 0xffffffffu) - 1;
    const std::size_t begin = offsets_[entry];
    const std::size_t end = entry + 1 < count_ ? offsets_[entry + 1] : records_.size();
    if (end - begin == scratch_.size() &&
        std::equal(scratch_.begin(), scratch_.end(), records_.begin() + begin)) {
      return false;
    }
  }
  RAFTSIM_CHECK_MSG(count_ < UINT32_MAX - 1, "visited set full");
  slots_[slot] = (tag << 32) | (count_ + 1);
  ++count_;
  offsets_.push_back(records_.size());
  records_.insert(records_.end(), scratch_.begin(), scratch_.end());
  if (count_ * 2 > slots_.size()) grow();
  return true;
}

std::size_t VisitedSet::memory_bytes() const {
  return (slots_.capacity() + records_.capacity() + offsets_.capacity() + scratch_.capacity()) *
         sizeof(std::uint64_t);
}

void VisitedSet::grow() {
  RAFTSIM_CHECK_MSG(slots_.size() < kSlotsMax, "visited set table full");
  slots_ = doubled_table(slots_);
}

}  // namespace raftsim::linearizability

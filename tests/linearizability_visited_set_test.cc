// Lowe's cache of the linearizability search: an insert reports a configuration as new exactly
// when no equal one was inserted before, whatever bounds the caller passes and whichever of the
// two compact encodings an entry gets; and an entry's size follows what lies after the run of
// ones, so a long sequential history costs memory linear in its length.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstdint>
#include <set>
#include <utility>
#include <vector>

#include "sim/linearizability/visited_set.h"

namespace raftsim::linearizability {
namespace {

using Bits = std::vector<std::uint64_t>;

Bits prefix_ones(std::size_t words, std::size_t ones) {
  Bits bits(words, 0);
  for (std::size_t index = 0; index < ones; ++index) bits[index / 64] |= 1ull << (index % 64);
  return bits;
}

// Any hash works for correctness (equal sets must hash equally; a real caller uses Zobrist).
std::uint64_t hash_of(const Bits& bits) {
  std::uint64_t hash = 0;
  for (std::size_t word = 0; word < bits.size(); ++word) hash ^= (bits[word] + word) * 0x9e37;
  return hash;
}

bool insert(VisitedSet& set, const Bits& bits, ModelState state, BitsetBounds bounds = {}) {
  if (bounds.used == 0) bounds.used = bits.size();
  return set.insert(bits.data(), bounds, hash_of(bits), state);
}

TEST(VisitedSet, FindsEqualConfigurationsWhateverTheBounds) {
  VisitedSet set;
  set.reset(4);
  Bits bits = prefix_ones(4, 130);
  bits[3] |= 1ull << 5;
  EXPECT_TRUE(insert(set, bits, 7));
  EXPECT_FALSE(insert(set, bits, 7, BitsetBounds{0, 4}));
  EXPECT_FALSE(insert(set, bits, 7, BitsetBounds{2, 4})) << "tight bounds, same set";
  EXPECT_TRUE(insert(set, bits, 8)) << "another state";
  bits[1] &= ~1ull;
  EXPECT_TRUE(insert(set, bits, 7)) << "one bit less";
  EXPECT_EQ(set.size(), 3u);
}

TEST(VisitedSet, TightensTheCallersBounds) {
  VisitedSet set;
  set.reset(8);
  const Bits bits = prefix_ones(8, 200);
  BitsetBounds bounds{0, 8};
  set.insert(bits.data(), bounds, hash_of(bits), 0);
  EXPECT_EQ(bounds.full, 3u);  // words 0..2 are all ones
  EXPECT_EQ(bounds.used, 4u);  // word 3 holds the last ones
}

// Every prefix of a sequential history is a configuration. Stored whole, n prefixes of n bits
// take n^2 / 8 bytes (50,000 operations: 312 MB); stored as what follows the run of ones, each is
// a few words. The same holds with an early operation left out (an info operation the search did
// not linearize), stored as the positions of its zero.
TEST(VisitedSet, MemoryIsLinearForSequentialHistories) {
  constexpr std::size_t kOperations = 50'000;
  constexpr std::size_t kWords = (kOperations + 63) / 64;
  for (const bool hole : {false, true}) {
    VisitedSet set;
    set.reset(kWords);
    Bits bits(kWords, 0);
    BitsetBounds bounds;
    std::uint64_t hash = 0;
    for (std::size_t index = 0; index < kOperations; ++index) {
      if (hole && index == 3) continue;
      bits[index / 64] |= 1ull << (index % 64);
      bounds.used = std::max(bounds.used, index / 64 + 1);
      hash ^= (index + 1) * 0x9e3779b97f4a7c15ull;
      ASSERT_TRUE(set.insert(bits.data(), bounds, hash, 0));
    }
    EXPECT_LT(set.memory_bytes(), 100 * kOperations) << (hole ? "with a hole" : "dense");
  }
}

// The property behind both encodings: insert() is new exactly when the (set, state) pair is.
RC_GTEST_PROP(VisitedSet, InsertIsNewExactlyForUnseenConfigurations, ()) {
  const std::size_t words = *rc::gen::inRange<std::size_t>(1, 6);
  VisitedSet set;
  set.reset(words);
  std::set<std::pair<Bits, ModelState>> seen;
  const int inserts = *rc::gen::inRange(1, 60);
  for (int i = 0; i < inserts; ++i) {
    // Mostly "ones, then a few scattered bits", the shape the search produces.
    const std::size_t ones = *rc::gen::inRange<std::size_t>(0, words * 64 + 1);
    Bits bits = prefix_ones(words, ones);
    const auto flips =
        *rc::gen::container<std::vector<std::size_t>>(rc::gen::inRange<std::size_t>(0, words * 64));
    for (std::size_t flip : flips) bits[flip / 64] ^= 1ull << (flip % 64);
    const ModelState state = *rc::gen::inRange<ModelState>(0, 3);
    // Loose but valid bounds: below `full` all ones, from `used` on all zeros.
    std::size_t full = 0;
    while (full < words && bits[full] == ~0ull) ++full;
    std::size_t used = words;
    while (used > 0 && bits[used - 1] == 0) --used;
    BitsetBounds bounds{*rc::gen::inRange<std::size_t>(0, full + 1),
                        *rc::gen::inRange<std::size_t>(used, words + 1)};
    const bool is_new = seen.emplace(bits, state).second;
    RC_ASSERT(set.insert(bits.data(), bounds, hash_of(bits), state) == is_new);
  }
  RC_ASSERT(set.size() == seen.size());
}

}  // namespace
}  // namespace raftsim::linearizability

// raftsim linearizability: Lowe's cache of visited search configurations.
// A configuration is (set of linearized operations, model state). The set is a flat bitset; the
// caller maintains a Zobrist hash of it (xor of one random word per operation) so inserting costs
// O(1) hashing plus an exact compare of the few bitset words on a hash match. Entries live in
// flat arrays reused across searches: no allocation per insert beyond amortised growth.
#pragma once

#include <cstdint>
#include <vector>

#include "sim/linearizability/model.h"

namespace raftsim::linearizability {

class VisitedSet {
 public:
  // Empties the set for bitsets of `bitset_words` words; keeps allocated capacity.
  void reset(std::size_t bitset_words);

  // Adds the configuration; false if it was already present.
  bool insert(const std::uint64_t* bits, std::uint64_t bits_hash, ModelState state);

  std::size_t size() const { return count_; }
  // Bytes the current contents occupy (the memory budget counts this).
  std::size_t memory_bytes() const;

 private:
  void grow();

  std::size_t bitset_words_ = 1;
  std::size_t count_ = 0;
  // Per slot: (high 32 bits of the hash << 32) | (entry + 1); 0 = empty. The slot position also
  // comes from those bits, so growing never reads entries. Power-of-two size, at most half full.
  std::vector<std::uint64_t> slots_;
  // Per entry, one record of 1 + bitset_words_ words: the state, then the bitset, so confirming
  // a hit costs one cache miss.
  std::vector<std::uint64_t> records_;
};

}  // namespace raftsim::linearizability

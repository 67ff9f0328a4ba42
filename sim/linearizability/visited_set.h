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

  std::size_t size() const { return states_.size(); }
  // Bytes the current contents occupy (the memory budget counts this).
  std::size_t memory_bytes() const;

 private:
  struct Slot {
    std::uint64_t hash = 0;
    std::uint32_t entry_plus_one = 0;  // 0 = empty
  };
  void grow();

  std::size_t bitset_words_ = 1;
  std::vector<Slot> slots_;             // power-of-two size, at most half full
  std::vector<ModelState> states_;      // per entry
  std::vector<std::uint64_t> bitsets_;  // per entry, bitset_words_ words each
};

}  // namespace raftsim::linearizability

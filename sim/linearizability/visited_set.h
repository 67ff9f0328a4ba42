// raftsim linearizability: Lowe's cache of visited search configurations.
// A configuration is (set of linearized operations, model state). The caller keeps the set as a
// flat bitset and a Zobrist hash of it (xor of one random word per operation), so an insert costs
// O(1) hashing plus an exact compare on a hash match. Entries are stored compactly so memory
// stays linear in the history: a set is mostly a run of ones (every operation that returned
// long ago) followed by a few scattered bits, so an entry keeps only what follows the run, as
// either those bitset words or the positions of the zeros among them, whichever is smaller.
// Entries live in flat arrays reused across searches: no allocation per insert beyond growth.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "sim/linearizability/model.h"

namespace raftsim::linearizability {

// Bounds the caller keeps on its bitset so an insert need not scan it whole: every word below
// `full` is all ones and every word from `used` on is zero. insert() tightens them.
struct BitsetBounds {
  std::size_t full = 0;
  std::size_t used = 0;
};

class VisitedSet {
 public:
  // Empties the set for bitsets of `bitset_words` words; keeps allocated capacity.
  void reset(std::size_t bitset_words);

  // Adds the configuration; false if it was already present.
  bool insert(const std::uint64_t* bits, BitsetBounds& bounds, std::uint64_t bits_hash,
              ModelState state);

  std::size_t size() const { return count_; }
  // Bytes the current contents occupy (the memory budget counts this).
  std::size_t memory_bytes() const;

 private:
  void encode(const std::uint64_t* bits, BitsetBounds& bounds, ModelState state);
  void grow();

  std::size_t bitset_words_ = 1;
  std::size_t count_ = 0;
  // Per slot: (high 32 bits of the hash << 32) | (entry + 1); 0 = empty. The slot position also
  // comes from those bits, so growing never reads entries. Power-of-two size, at most half full.
  std::vector<std::uint64_t> slots_;
  // Entry i is records_[offsets_[i] .. offsets_[i + 1]) (the last one runs to the end): the
  // state, a header word (kind, count, position) and the payload (see encode()).
  std::vector<std::uint64_t> records_;
  std::vector<std::uint64_t> offsets_;
  std::vector<std::uint64_t> scratch_;  // the encoding of the configuration being inserted
};

}  // namespace raftsim::linearizability

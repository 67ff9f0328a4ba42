// raftsim linearizability: the one rehash both open-addressing tables use (visited set, string
// states). A table is a power-of-two vector of 64-bit entries, 0 meaning empty, whose home slot
// is taken from the entry's upper 32 bits; linear probing resolves collisions.
#pragma once

#include <cstdint>
#include <vector>

namespace raftsim::linearizability {

// The same entries in a table twice the size.
inline std::vector<std::uint64_t> doubled_table(const std::vector<std::uint64_t>& table) {
  std::vector<std::uint64_t> grown(table.size() * 2, 0);
  const std::size_t mask = grown.size() - 1;
  for (const std::uint64_t entry : table) {
    if (entry == 0) continue;
    std::size_t slot = (entry >> 32) & mask;
    while (grown[slot] != 0) slot = (slot + 1) & mask;
    grown[slot] = entry;
  }
  return grown;
}

}  // namespace raftsim::linearizability

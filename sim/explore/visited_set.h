// raftsim: the explorer's visited set -- fingerprint -> state id, open addressing.
// Fingerprints are already uniform 64-bit hashes, so the table indexes by their low bits (no
// std::hash, no unordered containers: iteration order never matters and never leaks). Memory: 16
// bytes per slot, at most half full; it doubles as it grows. The caller bounds the state count.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace raftsim::sim::explore {

class VisitedSet {
 public:
  VisitedSet() : slots_(kInitialSlots) {}
  // The id stored for `fingerprint`, or nothing.
  std::optional<std::uint32_t> find(std::uint64_t fingerprint) const;
  // Stores (fingerprint, id); the fingerprint must not be present yet.
  void insert(std::uint64_t fingerprint, std::uint32_t id);
  std::uint64_t size() const { return size_; }
  std::uint64_t bytes() const { return slots_.size() * sizeof(Slot); }

 private:
  static constexpr std::size_t kInitialSlots = 1024;  // a power of two
  struct Slot {
    std::uint64_t fingerprint = 0;  // 0 = empty (a real 0 is stored as 1)
    std::uint32_t id = 0;
  };
  static std::uint64_t key_of(std::uint64_t fingerprint) {
    return fingerprint == 0 ? 1 : fingerprint;
  }
  void grow();

  std::vector<Slot> slots_;
  std::uint64_t size_ = 0;
};

}  // namespace raftsim::sim::explore

// raftsim linearizability: interning tables (see intern_table.h).
#include "sim/linearizability/intern_table.h"

#include <cstring>

#include "raft/base/check.h"
#include "raft/base/hash.h"

namespace raftsim::linearizability {
namespace {

// Tables start small (most partitions are small) and double at half load, which keeps linear
// probes short.
constexpr std::size_t kInitialSlots = 64;

std::uint64_t hash_words(std::span<const std::uint64_t> words) {
  Hasher hasher;
  for (std::uint64_t word : words) hasher.add(word);
  return hasher.value();
}

}  // namespace

StringInterner::StringInterner() : slots_(kInitialSlots, 0) {}

std::uint32_t StringInterner::intern(std::string_view text) {
  const std::uint64_t hash = hash_string(text);
  const std::size_t mask = slots_.size() - 1;
  std::size_t slot = hash & mask;
  while (slots_[slot] != 0) {
    const std::uint32_t id = slots_[slot] - 1;
    if (hashes_[id] == hash && view(id) == text) return id;
    slot = (slot + 1) & mask;
  }
  RAFTSIM_CHECK_MSG(starts_.size() < UINT32_MAX - 1, "string interner full");
  const auto id = static_cast<std::uint32_t>(starts_.size());
  starts_.push_back(bytes_.size());
  lengths_.push_back(static_cast<std::uint32_t>(text.size()));
  hashes_.push_back(hash);
  bytes_.append(text);
  slots_[slot] = id + 1;
  if (starts_.size() * 2 > slots_.size()) grow();
  return id;
}

std::string_view StringInterner::view(std::uint32_t id) const {
  RAFTSIM_CHECK(id < starts_.size());
  return std::string_view(bytes_).substr(starts_[id], lengths_[id]);
}

std::size_t StringInterner::memory_bytes() const {
  return bytes_.capacity() + starts_.capacity() * 20 + slots_.capacity() * 4;
}

void StringInterner::grow() {
  std::vector<std::uint32_t> slots(slots_.size() * 2, 0);
  const std::size_t mask = slots.size() - 1;
  for (std::uint32_t id = 0; id < starts_.size(); ++id) {
    std::size_t slot = hashes_[id] & mask;
    while (slots[slot] != 0) slot = (slot + 1) & mask;
    slots[slot] = id + 1;
  }
  slots_ = std::move(slots);
}

TupleInterner::TupleInterner(std::size_t width) : width_(width), slots_(kInitialSlots, 0) {
  RAFTSIM_CHECK(width > 0);
}

std::uint32_t TupleInterner::intern(std::span<const std::uint64_t> tuple) {
  RAFTSIM_CHECK(tuple.size() == width_);
  const std::uint64_t hash = hash_words(tuple);
  const std::size_t mask = slots_.size() - 1;
  std::size_t slot = hash & mask;
  while (slots_[slot] != 0) {
    const std::uint32_t id = slots_[slot] - 1;
    if (hashes_[id] == hash &&
        std::memcmp(words_.data() + id * width_, tuple.data(), width_ * 8) == 0) {
      return id;
    }
    slot = (slot + 1) & mask;
  }
  RAFTSIM_CHECK_MSG(count_ < UINT32_MAX - 1, "tuple interner full");
  const auto id = static_cast<std::uint32_t>(count_++);
  words_.insert(words_.end(), tuple.begin(), tuple.end());
  hashes_.push_back(hash);
  slots_[slot] = id + 1;
  if (count_ * 2 > slots_.size()) grow();
  return id;
}

std::size_t TupleInterner::memory_bytes() const {
  return words_.capacity() * 8 + hashes_.capacity() * 8 + slots_.capacity() * 4;
}

void TupleInterner::grow() {
  std::vector<std::uint32_t> slots(slots_.size() * 2, 0);
  const std::size_t mask = slots.size() - 1;
  for (std::uint32_t id = 0; id < count_; ++id) {
    std::size_t slot = hashes_[id] & mask;
    while (slots[slot] != 0) slot = (slot + 1) & mask;
    slots[slot] = id + 1;
  }
  slots_ = std::move(slots);
}

}  // namespace raftsim::linearizability

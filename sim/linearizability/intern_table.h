// raftsim linearizability: interning tables that let models keep states as small integers.
// StringInterner maps byte strings to dense ids (equal strings, equal ids) and TupleInterner does
// the same for fixed-width tuples of words. Both are open-addressing tables over flat arrays hashed
// with raftsim::Hasher (never std::hash), so lookups allocate nothing and ids depend only on the
// order of first insertion.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace raftsim::linearizability {

class StringInterner {
 public:
  StringInterner();
  std::uint32_t intern(std::string_view text);
  // Valid until the next intern() call (the arena may move).
  std::string_view view(std::uint32_t id) const;
  std::size_t size() const { return starts_.size(); }
  std::size_t memory_bytes() const;

 private:
  void grow();
  std::string bytes_;  // every interned string, back to back
  std::vector<std::uint64_t> starts_;
  std::vector<std::uint32_t> lengths_;
  std::vector<std::uint64_t> hashes_;
  std::vector<std::uint32_t> slots_;  // id + 1, 0 = empty; size is a power of two
};

class TupleInterner {
 public:
  explicit TupleInterner(std::size_t width);
  std::uint32_t intern(std::span<const std::uint64_t> tuple);
  std::span<const std::uint64_t> tuple(std::uint32_t id) const {
    return {words_.data() + id * width_, width_};
  }
  std::size_t width() const { return width_; }
  std::size_t memory_bytes() const;

 private:
  void grow();
  std::size_t width_;
  std::size_t count_ = 0;
  std::vector<std::uint64_t> words_;  // count_ * width_ words
  std::vector<std::uint64_t> hashes_;
  std::vector<std::uint32_t> slots_;  // id + 1, 0 = empty
};

}  // namespace raftsim::linearizability

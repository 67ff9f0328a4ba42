// raftsim: a vector of recycled slots addressed by 32-bit index, so hot paths (events, messages
// in flight, timers) reuse memory instead of allocating. acquire() hands out a free slot (or
// grows by one); release() returns it. A released slot keeps its contents -- and any capacity
// they own, such as a payload buffer -- until it is acquired again. Not thread-safe (no run is).
#pragma once

#include <cstdint>
#include <vector>

namespace raftsim::sim {

template <typename T>
class SlotPool {
 public:
  std::uint32_t acquire() {
    if (!free_.empty()) {
      const std::uint32_t index = free_.back();
      free_.pop_back();
      return index;
    }
    slots_.emplace_back();
    return static_cast<std::uint32_t>(slots_.size() - 1);
  }
  void release(std::uint32_t index) { free_.push_back(index); }

  T& operator[](std::uint32_t index) { return slots_[index]; }
  const T& operator[](std::uint32_t index) const { return slots_[index]; }
  std::uint32_t size() const { return static_cast<std::uint32_t>(slots_.size()); }
  auto begin() const { return slots_.begin(); }
  auto end() const { return slots_.end(); }

 private:
  std::vector<T> slots_;
  std::vector<std::uint32_t> free_;
};

}  // namespace raftsim::sim

// raftsim: a FIFO queue in a growable ring of recycled slots. Unlike std::deque it never frees a
// slot: a popped item stays in place, with whatever capacity it owns (a payload buffer), until a
// later push_back() reuses it -- so a queue that has reached its working size allocates nothing.
// push_back() hands out such a slot for the caller to overwrite field by field. Growth (doubling)
// moves the items, so references into the queue are valid only until the next push_back().
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "raft/base/check.h"

namespace raftsim::sim {

template <typename T>
class RingQueue {
 public:
  bool empty() const { return count_ == 0; }
  std::size_t size() const { return count_; }

  // A slot at the back, holding whatever an earlier item left there.
  T& push_back() {
    if (count_ == slots_.size()) grow();
    T& slot = slots_[(head_ + count_) % slots_.size()];
    ++count_;
    return slot;
  }
  T& front() {
    RAFTSIM_CHECK(count_ > 0);
    return slots_[head_];
  }
  T& back() {
    RAFTSIM_CHECK(count_ > 0);
    return slots_[(head_ + count_ - 1) % slots_.size()];
  }
  void pop_front() {
    RAFTSIM_CHECK(count_ > 0);
    head_ = (head_ + 1) % slots_.size();
    --count_;
  }
  // The item `position` places behind the front.
  const T& operator[](std::size_t position) const {
    RAFTSIM_CHECK(position < count_);
    return slots_[(head_ + position) % slots_.size()];
  }
  void clear() {
    head_ = 0;
    count_ = 0;
  }

 private:
  void grow() {
    std::vector<T> larger(slots_.empty() ? 16 : 2 * slots_.size());
    for (std::size_t i = 0; i < slots_.size(); ++i) {
      larger[i] = std::move(slots_[(head_ + i) % slots_.size()]);
    }
    slots_ = std::move(larger);
    head_ = 0;
  }

  std::vector<T> slots_;
  std::size_t head_ = 0;
  std::size_t count_ = 0;
};

}  // namespace raftsim::sim

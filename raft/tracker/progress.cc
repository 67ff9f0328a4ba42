#include "raft/tracker/progress.h"

#include "raft/base/check.h"

namespace raftsim {

void Inflights::add(Index last_index) {
  RAFTSIM_CHECK_MSG(!full(), "in-flight window exceeded");
  const auto capacity = static_cast<std::uint32_t>(ring_.size());
  if (count_ > 0) {
    RAFTSIM_CHECK_MSG(ring_[(start_ + count_ - 1) % capacity] <= last_index,
                      "in-flight appends must carry increasing indices");
  }
  ring_[(start_ + count_) % capacity] = last_index;
  ++count_;
}

void Inflights::free_up_to(Index index) {
  const auto capacity = static_cast<std::uint32_t>(ring_.size());
  while (count_ > 0 && ring_[start_] <= index) {
    start_ = (start_ + 1) % capacity;
    --count_;
  }
}

}  // namespace raftsim

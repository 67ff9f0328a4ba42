// raftsim: the majority configuration's out-of-line parts.
#include "raft/quorum/majority.h"

#include <functional>

#include "raft/base/check.h"

namespace raftsim::quorum {

MajorityConfig::MajorityConfig(std::vector<VoterId> voters) : voters_(std::move(voters)) {
  std::sort(voters_.begin(), voters_.end());
  RAFTSIM_CHECK_MSG(std::adjacent_find(voters_.begin(), voters_.end()) == voters_.end(),
                    "a voter appears twice in a configuration");
}

Index MajorityConfig::kth_largest(std::span<Index> marks, std::size_t k) {
  RAFTSIM_CHECK(k >= 1 && k <= marks.size());
  // k-th largest = the (k-1)-th element in descending order. Configurations are small (a
  // handful of voters) and this runs on every acknowledgement: an insertion sort of a few
  // elements costs less than nth_element's setup; large ones select in linear time.
  if (marks.size() > kStackVotersMax) {
    std::nth_element(marks.begin(), marks.begin() + static_cast<std::ptrdiff_t>(k - 1), marks.end(),
                     std::greater<>());
    return marks[k - 1];
  }
  for (std::size_t i = 1; i < marks.size(); ++i) {
    const Index mark = marks[i];
    std::size_t j = i;
    for (; j > 0 && marks[j - 1] < mark; --j) marks[j] = marks[j - 1];
    marks[j] = mark;
  }
  return marks[k - 1];
}

}  // namespace raftsim::quorum

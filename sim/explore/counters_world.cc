// raftsim: the counters toy world.
#include "sim/explore/counters_world.h"

#include <numeric>

#include "raft/base/check.h"
#include "raft/base/hash.h"

namespace raftsim::sim::explore {

CountersWorld::CountersWorld(std::uint32_t counters, std::uint32_t ceiling,
                             std::optional<std::uint32_t> forbidden_sum)
    : values_(counters, 0), ceiling_(ceiling), forbidden_sum_(forbidden_sum) {}

std::unique_ptr<World> CountersWorld::clone() const {
  return std::make_unique<CountersWorld>(*this);
}

void CountersWorld::enabled_choices(std::vector<Choice>& out) const {
  out.clear();
  for (std::uint32_t i = 0; i < values_.size(); ++i) {
    if (values_[i] < ceiling_) out.push_back(Choice{0, i, 0});
  }
}

void CountersWorld::apply(const Choice& choice) {
  RAFTSIM_CHECK(choice.node < values_.size() && values_[choice.node] < ceiling_);
  ++values_[choice.node];
}

std::uint64_t CountersWorld::fingerprint() const {
  Hasher hasher;
  for (std::uint32_t value : values_) hasher.add(value);
  return hasher.value();
}

std::optional<Violation> CountersWorld::violation() const {
  const std::uint32_t sum = std::accumulate(values_.begin(), values_.end(), 0u);
  if (forbidden_sum_ && sum == *forbidden_sum_) {
    return Violation{"sum", "the counters add up to " + std::to_string(sum)};
  }
  return std::nullopt;
}

std::string CountersWorld::describe(const Choice& choice) const {
  return "increment c" + std::to_string(choice.node);
}

std::string CountersWorld::short_label(const Choice& choice) const {
  return "c" + std::to_string(choice.node);
}

}  // namespace raftsim::sim::explore

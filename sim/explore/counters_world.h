// raftsim: a toy world with a hand-computable state space, for testing the explorer.
// `counters` counters start at 0; choice i increments counter i while it is below `ceiling`.
// Distinct states: (ceiling + 1)^counters; transitions: counters * ceiling * (ceiling +
// 1)^(counters - 1); a state with sum s sits at depth s. Optional invariant "sum != forbidden_sum":
// the shortest trail to its violation has exactly forbidden_sum choices.
#pragma once

#include <optional>
#include <vector>

#include "sim/explore/world.h"

namespace raftsim::sim::explore {

class CountersWorld final : public World {
 public:
  CountersWorld(std::uint32_t counters, std::uint32_t ceiling,
                std::optional<std::uint32_t> forbidden_sum = std::nullopt);

  std::unique_ptr<World> clone() const override;
  void enabled_choices(std::vector<Choice>& out) const override;
  void apply(const Choice& choice) override;
  std::uint64_t fingerprint() const override;
  std::optional<Violation> violation() const override;
  std::string describe(const Choice& choice) const override;
  std::string short_label(const Choice& choice) const override;

  const std::vector<std::uint32_t>& values() const { return values_; }

 private:
  std::vector<std::uint32_t> values_;
  std::uint32_t ceiling_;
  std::optional<std::uint32_t> forbidden_sum_;
};

}  // namespace raftsim::sim::explore

// raftsim: the chances with which the fuzz generator draws its swarm profiles (and in-code
// perturbation) for a run -- the generator's input that steering (sim/fuzz/steering.h) moves.
// The defaults are the generator's historical constants: a campaign run with them draws
// exactly the scenarios it drew before weights existed.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "sim/kernel/random.h"

namespace raftsim::sim {

// What a run's scenario can be biased by; `perturb` is in-code perturbation (cluster.perturb).
enum class SteeredProfile : std::uint8_t {
  racing_elections,
  leader_churn,
  minority_leader,
  voter_crashes,
  small_batches,
  figure_8,
  lease_reads,
  membership,
  perturb,
};
inline constexpr std::size_t kSteeredProfileCount = 9;

inline constexpr std::array<std::string_view, kSteeredProfileCount> kSteeredProfileNames = {
    "racing-elections", "leader-churn", "minority-leader", "voter-crashes", "small-batches",
    "figure-8",         "lease-reads",  "membership",      "perturb"};

struct FuzzProfileWeights {
  // The chance of each profile per run, indexed by SteeredProfile.
  std::array<Ratio, kSteeredProfileCount> chance = {Ratio{1, 4}, Ratio{1, 4}, Ratio{1, 4},
                                                    Ratio{1, 4}, Ratio{1, 4}, Ratio{1, 6},
                                                    Ratio{1, 5}, Ratio{1, 4}, Ratio{1, 4}};

  Ratio of(SteeredProfile profile) const { return chance[static_cast<std::size_t>(profile)]; }
  friend bool operator==(const FuzzProfileWeights& a, const FuzzProfileWeights& b) {
    for (std::size_t i = 0; i < kSteeredProfileCount; ++i) {
      if (a.chance[i].numerator * b.chance[i].denominator !=
          b.chance[i].numerator * a.chance[i].denominator) {
        return false;
      }
    }
    return true;
  }
};

}  // namespace raftsim::sim

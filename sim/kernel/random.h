// raftsim: the one source of randomness inside a run.
// A fixed algorithm (xoshiro256**, seeded through SplitMix64) with integer-only distributions
// written here, because <random>'s distributions differ between standard libraries. Every
// consumer draws from a named sub-stream derived from (root seed, name) alone, so adding a new
// consumer never changes what the existing ones draw.
#pragma once

#include <cstdint>
#include <string_view>

#include "raft/base/check.h"

namespace raftsim::sim {

// A probability as an exact fraction; decisions never touch floating point.
struct Ratio {
  std::uint64_t numerator = 0;
  std::uint64_t denominator = 1;

  static constexpr Ratio zero() { return {0, 1}; }
  static constexpr Ratio one() { return {1, 1}; }
  static constexpr Ratio percent(std::uint64_t value) { return {value, 100}; }
  static constexpr Ratio per_million(std::uint64_t value) { return {value, 1'000'000}; }
  constexpr bool valid() const { return denominator > 0 && numerator <= denominator; }
  constexpr bool is_zero() const { return numerator == 0; }
  friend constexpr bool operator==(const Ratio&, const Ratio&) = default;
};

class Random {
 public:
  explicit Random(std::uint64_t seed);

  // A stream for `name` under `root_seed`, independent of every other name.
  static Random stream(std::uint64_t root_seed, std::string_view name);
  // A child stream of this one's seed (not its position): derive(x) is stable across draws.
  Random derive(std::string_view name) const { return stream(seed_, name); }

  std::uint64_t next_u64();
  // Uniform in [0, bound), bound > 0, without modulo bias (Lemire's multiply-and-reject).
  std::uint64_t below(std::uint64_t bound);
  // Uniform in [low, high], inclusive on both ends.
  std::int64_t between(std::int64_t low, std::int64_t high);
  bool chance(Ratio probability);
  std::uint64_t seed() const { return seed_; }

 private:
  std::uint64_t seed_;
  std::uint64_t state_[4];
};

}  // namespace raftsim::sim

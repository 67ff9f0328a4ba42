#include "sim/kernel/random.h"

#include "raft/base/hash.h"

namespace raftsim::sim {
namespace {

std::uint64_t splitmix64(std::uint64_t& state) {
  state += 0x9e3779b97f4a7c15ULL;
  return mix64(state);
}

constexpr std::uint64_t rotate_left(std::uint64_t value, int bits) {
  return (value << bits) | (value >> (64 - bits));
}

}  // namespace

Random::Random(std::uint64_t seed) : seed_(seed) {
  std::uint64_t expander = seed;
  for (std::uint64_t& word : state_) word = splitmix64(expander);
  // xoshiro must not start from all zeros; SplitMix64 cannot produce four zeros in a row, but
  // the postcondition is cheap to state.
  RAFTSIM_CHECK((state_[0] | state_[1] | state_[2] | state_[3]) != 0);
}

Random Random::stream(std::uint64_t root_seed, std::string_view name) {
  return Random(Hasher(root_seed).add_string(name).value());
}

std::uint64_t Random::next_u64() {
  const std::uint64_t result = rotate_left(state_[1] * 5, 7) * 9;
  const std::uint64_t shifted = state_[1] << 17;
  state_[2] ^= state_[0];
  state_[3] ^= state_[1];
  state_[1] ^= state_[2];
  state_[0] ^= state_[3];
  state_[2] ^= shifted;
  state_[3] = rotate_left(state_[3], 45);
  return result;
}

std::uint64_t Random::below(std::uint64_t bound) {
  RAFTSIM_CHECK(bound > 0);
  unsigned __int128 product = static_cast<unsigned __int128>(next_u64()) * bound;
  auto low = static_cast<std::uint64_t>(product);
  if (low < bound) {
    const std::uint64_t threshold = (0 - bound) % bound;
    while (low < threshold) {
      product = static_cast<unsigned __int128>(next_u64()) * bound;
      low = static_cast<std::uint64_t>(product);
    }
  }
  return static_cast<std::uint64_t>(product >> 64);
}

std::int64_t Random::between(std::int64_t low, std::int64_t high) {
  RAFTSIM_CHECK(low <= high);
  const auto span = static_cast<std::uint64_t>(high) - static_cast<std::uint64_t>(low);
  if (span == UINT64_MAX) return static_cast<std::int64_t>(next_u64());
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(low) + below(span + 1));
}

bool Random::chance(Ratio probability) {
  RAFTSIM_CHECK(probability.valid());
  if (probability.numerator == 0) return false;
  if (probability.numerator == probability.denominator) return true;
  return below(probability.denominator) < probability.numerator;
}

}  // namespace raftsim::sim

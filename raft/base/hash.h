// raftsim: a fixed 64-bit hash for trace hashes and state fingerprints.
// std::hash differs between standard libraries and processes, so nothing that must replay may use
// it. Hasher mixes 64-bit words with a fixed function (a multiply-xorshift finaliser in the style
// of SplitMix64/Murmur3): the same sequence of add() calls gives the same value on every machine.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "raft/base/endian.h"

namespace raftsim {

constexpr std::uint64_t mix64(std::uint64_t value) {
  value ^= value >> 30;
  value *= 0xbf58476d1ce4e5b9ULL;
  value ^= value >> 27;
  value *= 0x94d049bb133111ebULL;
  value ^= value >> 31;
  return value;
}

class Hasher {
 public:
  constexpr Hasher() = default;
  constexpr explicit Hasher(std::uint64_t seed) : state_(mix64(seed ^ kInitial)) {}

  constexpr Hasher& add(std::uint64_t word) {
    state_ = mix64(state_ ^ (word + kIncrement + (state_ << 6) + (state_ >> 2)));
    return *this;
  }
  Hasher& add_bytes(std::span<const std::uint8_t> bytes) {
    // Little-endian words (the same value on every machine). Long inputs run four independent lanes
    // so the multiplies overlap, then fold the lanes in; payload digests of every message are on
    // the simulator's hot path. A lane round is multiply-rotate-multiply (the xxHash64 round); the
    // lanes go through the full mix when folded in.
    std::size_t at = 0;
    if (bytes.size() >= 64) {
      std::uint64_t lanes[4] = {state_ ^ 1, state_ ^ 2, state_ ^ 3, state_ ^ 4};
      for (; at + 32 <= bytes.size(); at += 32) {
        for (int lane = 0; lane < 4; ++lane) {
          const std::uint64_t word =
              load_little_endian<std::uint64_t>(bytes.data() + at + 8 * lane);
          lanes[lane] += word * 0xc2b2ae3d27d4eb4fULL;
          lanes[lane] = (lanes[lane] << 31) | (lanes[lane] >> 33);
          lanes[lane] *= 0x9e3779b185ebca87ULL;
        }
      }
      for (std::uint64_t lane : lanes) add(lane);
    }
    for (; at + 8 <= bytes.size(); at += 8)
      add(load_little_endian<std::uint64_t>(bytes.data() + at));
    if (at < bytes.size()) {
      add(load_little_endian<std::uint64_t>(bytes.data() + at, bytes.size() - at));
    }
    return add(bytes.size());  // length last, so "ab"+"" and "a"+"b" differ
  }
  Hasher& add_string(std::string_view text) {
    return add_bytes({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
  }
  constexpr std::uint64_t value() const { return mix64(state_); }

 private:
  static constexpr std::uint64_t kInitial = 0x6a09e667f3bcc909ULL;
  static constexpr std::uint64_t kIncrement = 0x9e3779b97f4a7c15ULL;
  std::uint64_t state_ = kInitial;
};

inline std::uint64_t hash_string(std::string_view text) {
  return Hasher().add_string(text).value();
}

}  // namespace raftsim

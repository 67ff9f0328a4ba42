// raftsim: little-endian loads and stores of unsigned integers, the byte order of every format
// raftsim writes (wire, WAL, hashes). On a little-endian machine they are plain (unaligned)
// memory accesses; elsewhere they assemble the value byte by byte -- the same value either way.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace raftsim {

// The first `count` (<= sizeof(Unsigned)) bytes at `bytes` as the low bytes of a value.
template <typename Unsigned>
Unsigned load_little_endian(const std::uint8_t* bytes, std::size_t count = sizeof(Unsigned)) {
  static_assert(std::is_unsigned_v<Unsigned>);
  Unsigned value = 0;
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(&value, bytes, count);
  } else {
    for (std::size_t i = 0; i < count; ++i) value |= static_cast<Unsigned>(bytes[i]) << (8 * i);
  }
  return value;
}

template <typename Unsigned>
void store_little_endian(std::uint8_t* bytes, Unsigned value) {
  static_assert(std::is_unsigned_v<Unsigned>);
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(bytes, &value, sizeof(Unsigned));
  } else {
    for (std::size_t i = 0; i < sizeof(Unsigned); ++i) {
      bytes[i] = static_cast<std::uint8_t>(value >> (8 * i));
    }
  }
}

}  // namespace raftsim

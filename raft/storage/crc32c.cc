// raftsim: CRC32C by slicing-by-8. Table k holds the CRC of a byte followed by k zero bytes, so
// eight table lookups fold eight input bytes at once; the tables are built at compile time.
#include "raft/storage/crc32c.h"

#include <array>

namespace raftsim {
namespace {

constexpr std::uint32_t kCastagnoliReflected = 0x82F63B78u;
constexpr std::size_t kSlices = 8;

using Tables = std::array<std::array<std::uint32_t, 256>, kSlices>;

constexpr Tables make_tables() {
  Tables tables{};
  for (std::uint32_t byte = 0; byte < 256; ++byte) {
    std::uint32_t crc = byte;
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 1u) != 0 ? (crc >> 1) ^ kCastagnoliReflected : crc >> 1;
    }
    tables[0][byte] = crc;
  }
  for (std::size_t slice = 1; slice < kSlices; ++slice) {
    for (std::size_t byte = 0; byte < 256; ++byte) {
      const std::uint32_t previous = tables[slice - 1][byte];
      tables[slice][byte] = (previous >> 8) ^ tables[0][previous & 0xffu];
    }
  }
  return tables;
}

constexpr Tables kTables = make_tables();

// Little-endian word assembled byte by byte (one load on little-endian hardware).
std::uint32_t load_u32(const std::uint8_t* data) {
  return static_cast<std::uint32_t>(data[0]) | static_cast<std::uint32_t>(data[1]) << 8 |
         static_cast<std::uint32_t>(data[2]) << 16 | static_cast<std::uint32_t>(data[3]) << 24;
}

}  // namespace

std::uint32_t crc32c_extend(std::uint32_t crc, std::span<const std::uint8_t> data) {
  std::uint32_t state = ~crc;
  const std::uint8_t* at = data.data();
  std::size_t left = data.size();
  while (left >= kSlices) {
    const std::uint32_t low = load_u32(at) ^ state;
    const std::uint32_t high = load_u32(at + 4);
    state = kTables[7][low & 0xffu] ^ kTables[6][(low >> 8) & 0xffu] ^
            kTables[5][(low >> 16) & 0xffu] ^ kTables[4][low >> 24] ^ kTables[3][high & 0xffu] ^
            kTables[2][(high >> 8) & 0xffu] ^ kTables[1][(high >> 16) & 0xffu] ^
            kTables[0][high >> 24];
    at += kSlices;
    left -= kSlices;
  }
  for (; left > 0; --left, ++at) state = (state >> 8) ^ kTables[0][(state ^ *at) & 0xffu];
  return ~state;
}

}  // namespace raftsim

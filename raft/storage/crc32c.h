// raftsim: CRC32C (Castagnoli), the checksum on every WAL header and record.
// Software only and table driven (slicing-by-8), so it gives the same value on every machine and
// build. The polynomial is the reflected 0x82F63B78 with initial value and final xor 0xFFFFFFFF,
// as in iSCSI (RFC 3720), ext4 and leveldb: crc32c("123456789") == 0xE3069283.
#pragma once

#include <cstdint>
#include <span>

namespace raftsim {

// Continues a CRC32C over more bytes: crc32c_extend(crc32c(a), b) == crc32c(a followed by b).
std::uint32_t crc32c_extend(std::uint32_t crc, std::span<const std::uint8_t> data);

inline std::uint32_t crc32c(std::span<const std::uint8_t> data) {
  return crc32c_extend(0, data);
}

// The WAL stores masked checksums (leveldb's trick): a CRC computed over bytes that themselves
// contain a CRC is weak, and records are opaque, so they may well contain checksums of their own.
// Masking rotates and offsets the value so stored checksums never look like raw ones.
constexpr std::uint32_t kCrc32cMaskDelta = 0xa282ead8u;

constexpr std::uint32_t crc32c_mask(std::uint32_t crc) {
  return ((crc >> 15) | (crc << 17)) + kCrc32cMaskDelta;
}

constexpr std::uint32_t crc32c_unmask(std::uint32_t masked) {
  const std::uint32_t rotated = masked - kCrc32cMaskDelta;
  return (rotated >> 17) | (rotated << 15);
}

}  // namespace raftsim

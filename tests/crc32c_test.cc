// Tests for raft/storage/crc32c: published CRC32C vectors (the standard check value and the
// RFC 3720 iSCSI vectors), incremental extension, and masking, against a bitwise reference.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string_view>
#include <vector>

#include "raft/storage/crc32c.h"

namespace raftsim {
namespace {

std::vector<std::uint8_t> bytes_of(std::string_view text) {
  return {text.begin(), text.end()};
}

// One bit at a time, straight from the definition: the reference the tables must agree with.
std::uint32_t crc32c_bitwise(std::span<const std::uint8_t> data) {
  std::uint32_t crc = 0xffffffffu;
  for (const std::uint8_t byte : data) {
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc & 1u) != 0 ? (crc >> 1) ^ 0x82F63B78u : crc >> 1;
  }
  return ~crc;
}

TEST(Crc32c, StandardCheckValue) {
  EXPECT_EQ(crc32c(bytes_of("123456789")), 0xE3069283u);
}

TEST(Crc32c, EmptyInputIsZero) {
  EXPECT_EQ(crc32c({}), 0u);
}

TEST(Crc32c, Rfc3720Vectors) {
  std::vector<std::uint8_t> zeros(32, 0x00), ones(32, 0xff), ascending(32), descending(32);
  for (std::uint8_t i = 0; i < 32; ++i) {
    ascending[i] = i;
    descending[i] = static_cast<std::uint8_t>(31 - i);
  }
  EXPECT_EQ(crc32c(zeros), 0x8A9136AAu);
  EXPECT_EQ(crc32c(ones), 0x62A8AB43u);
  EXPECT_EQ(crc32c(ascending), 0x46DD794Eu);
  EXPECT_EQ(crc32c(descending), 0x113FDB5Cu);
  // An iSCSI SCSI Read (10) command PDU.
  const std::vector<std::uint8_t> read_pdu = {
      0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00,
      0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18, 0x28, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
  EXPECT_EQ(crc32c(read_pdu), 0xD9963A56u);
}

RC_GTEST_PROP(Crc32cProperty, TablesAgreeWithTheBitwiseDefinition,
              (const std::vector<std::uint8_t>& data)) {
  RC_ASSERT(crc32c(data) == crc32c_bitwise(data));
}

RC_GTEST_PROP(Crc32cProperty, ExtendingInPiecesEqualsTheWhole,
              (const std::vector<std::uint8_t>& data)) {
  const auto split = *rc::gen::inRange<std::size_t>(0, data.size() + 1);
  const std::span<const std::uint8_t> all(data);
  RC_ASSERT(crc32c_extend(crc32c(all.first(split)), all.subspan(split)) == crc32c(all));
}

RC_GTEST_PROP(Crc32cProperty, UnmaskUndoesMask, (std::uint32_t crc)) {
  RC_ASSERT(crc32c_unmask(crc32c_mask(crc)) == crc);
}

}  // namespace
}  // namespace raftsim

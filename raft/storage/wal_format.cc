// raftsim: encoders and checked decoders for the WAL's segment names, headers and record frames.
#include "raft/storage/wal_format.h"

#include <algorithm>
#include <array>

#include "raft/base/probe.h"
#include "raft/storage/crc32c.h"
#include "raft/storage/wal.h"

namespace raftsim::wal_format {
namespace {

constexpr std::array<std::uint8_t, 8> kMagic = {'R', 'A', 'F', 'T', 'W', 'A', 'L', '\0'};
// Field offsets inside the header; the checksum covers every byte before it.
constexpr std::uint64_t kVersionOffset = 8;
constexpr std::uint64_t kFlagsOffset = 12;
constexpr std::uint64_t kSequenceOffset = 16;
constexpr std::uint64_t kBaseRecordCountOffset = 24;
constexpr std::uint64_t kChecksumOffset = 32;
static_assert(kChecksumOffset + 4 == wal_limits::kSegmentHeaderBytes);

constexpr std::string_view kSegmentSuffix = ".log";
constexpr std::size_t kSequenceDigits = 16;

std::string hex32(std::uint32_t value) {
  constexpr char kDigits[] = "0123456789abcdef";
  std::string text = "0x";
  for (int shift = 28; shift >= 0; shift -= 4) text += kDigits[(value >> shift) & 0xfu];
  return text;
}

// CRC-8 (polynomial x^8+x^2+x+1) of the three length bytes: detects every single-bit error and
// every burst up to 8 bits in them.
std::uint8_t length_check(std::uint32_t length) {
  std::uint8_t crc = 0;
  for (int byte = 0; byte < 3; ++byte) {
    crc ^= static_cast<std::uint8_t>(length >> (8 * byte));
    for (int bit = 0; bit < 8; ++bit) {
      crc = (crc & 0x80u) != 0 ? static_cast<std::uint8_t>((crc << 1) ^ 0x07u)
                               : static_cast<std::uint8_t>(crc << 1);
    }
  }
  return crc;
}

}  // namespace

std::uint32_t encode_length_word(std::uint32_t length) {
  RAFTSIM_CHECK(length <= wal_limits::kRecordBytesMax);
  return length | static_cast<std::uint32_t>(length_check(length)) << 24;
}

std::optional<std::uint32_t> decode_length_word(std::uint32_t word) {
  const std::uint32_t length = word & 0x00ffffffu;
  if (length_check(length) != word >> 24) return std::nullopt;
  return length;
}

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t value) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}

void put_u64(std::vector<std::uint8_t>& out, std::uint64_t value) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::uint8_t>(value >> (8 * i)));
}

std::uint32_t get_u32(std::span<const std::uint8_t> bytes, std::uint64_t offset) {
  RAFTSIM_CHECK(offset + 4 <= bytes.size());
  std::uint32_t value = 0;
  for (int i = 0; i < 4; ++i) value |= static_cast<std::uint32_t>(bytes[offset + i]) << (8 * i);
  return value;
}

std::uint64_t get_u64(std::span<const std::uint8_t> bytes, std::uint64_t offset) {
  RAFTSIM_CHECK(offset + 8 <= bytes.size());
  std::uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value |= static_cast<std::uint64_t>(bytes[offset + i]) << (8 * i);
  return value;
}

Status corruption(std::string_view file_name, std::uint64_t offset, const std::string& what) {
  RAFTSIM_PROBE(storage_corruption_detected);
  return Status(StatusCode::corruption,
                std::string(file_name) + " at byte " + std::to_string(offset) + ": " + what);
}

std::vector<std::uint8_t> encode_header(const SegmentHeader& header) {
  RAFTSIM_CHECK((header.flags & ~kFlagBase) == 0);
  RAFTSIM_CHECK(header.is_base() || header.base_record_count == 0);
  std::vector<std::uint8_t> bytes(kMagic.begin(), kMagic.end());
  bytes.reserve(wal_limits::kSegmentHeaderBytes);
  put_u32(bytes, kFormatVersion);
  put_u32(bytes, header.flags);
  put_u64(bytes, header.sequence);
  put_u64(bytes, header.base_record_count);
  put_u32(bytes, crc32c_mask(crc32c(bytes)));
  RAFTSIM_CHECK(bytes.size() == wal_limits::kSegmentHeaderBytes);
  return bytes;
}

// The read-path twin of encode_header: every assertion made there is a check here.
Result<SegmentHeader> decode_header(std::span<const std::uint8_t> bytes, std::string_view file_name,
                                    std::uint64_t expected_sequence) {
  RAFTSIM_CHECK(bytes.size() >= wal_limits::kSegmentHeaderBytes);
  if (!std::equal(kMagic.begin(), kMagic.end(), bytes.begin())) {
    return corruption(file_name, 0, "bad segment magic (not a raftsim WAL segment)");
  }
  const std::uint32_t stored = get_u32(bytes, kChecksumOffset);
  const std::uint32_t computed = crc32c_mask(crc32c(bytes.first(kChecksumOffset)));
  if (stored != computed) {
    return corruption(file_name, kChecksumOffset,
                      "segment header checksum mismatch (stored " + hex32(stored) + ", computed " +
                          hex32(computed) + ")");
  }
  // The checksum matched, so a bad field below was written that way: a bug or another format.
  const std::uint32_t version = get_u32(bytes, kVersionOffset);
  if (version != kFormatVersion) {
    return corruption(file_name, kVersionOffset,
                      "unsupported WAL format version " + std::to_string(version));
  }
  SegmentHeader header;
  header.flags = get_u32(bytes, kFlagsOffset);
  header.sequence = get_u64(bytes, kSequenceOffset);
  header.base_record_count = get_u64(bytes, kBaseRecordCountOffset);
  if ((header.flags & ~kFlagBase) != 0) {
    return corruption(file_name, kFlagsOffset, "unknown segment flags " + hex32(header.flags));
  }
  if (header.sequence != expected_sequence) {
    return corruption(file_name, kSequenceOffset,
                      "header names segment " + std::to_string(header.sequence) +
                          " but the file name says " + std::to_string(expected_sequence));
  }
  if (!header.is_base() && header.base_record_count != 0) {
    return corruption(file_name, kBaseRecordCountOffset,
                      "a base record count on a segment that is not a base");
  }
  return header;
}

std::uint32_t record_checksum(std::span<const std::uint8_t> length_bytes,
                              std::span<const std::uint8_t> payload) {
  return crc32c_mask(crc32c_extend(crc32c(length_bytes), payload));
}

void append_record_frame(std::vector<std::uint8_t>& out, std::span<const std::uint8_t> record) {
  RAFTSIM_CHECK(record.size() <= wal_limits::kRecordBytesMax);
  const std::size_t start = out.size();
  put_u32(out, encode_length_word(static_cast<std::uint32_t>(record.size())));
  const std::span<const std::uint8_t> length_bytes(out.data() + start, 4);
  const std::uint32_t checksum = record_checksum(length_bytes, record);
  put_u32(out, checksum);
  out.insert(out.end(), record.begin(), record.end());
}

std::string segment_name(std::string_view prefix, std::uint64_t sequence) {
  constexpr char kDigits[] = "0123456789abcdef";
  std::string name(prefix);
  name += '-';
  for (int shift = 60; shift >= 0; shift -= 4) name += kDigits[(sequence >> shift) & 0xfu];
  name += kSegmentSuffix;
  return name;
}

Result<std::optional<std::uint64_t>> parse_segment_name(std::string_view prefix,
                                                        std::string_view name) {
  const std::size_t lead = prefix.size() + 1;
  if (name.size() < lead + kSegmentSuffix.size() || !name.starts_with(prefix) ||
      name[prefix.size()] != '-' || !name.ends_with(kSegmentSuffix)) {
    return std::optional<std::uint64_t>();
  }
  const std::string_view digits = name.substr(lead, name.size() - lead - kSegmentSuffix.size());
  std::uint64_t sequence = 0;
  bool well_formed = digits.size() == kSequenceDigits;
  for (const char digit : digits) {
    if (digit >= '0' && digit <= '9') {
      sequence = sequence << 4 | static_cast<std::uint64_t>(digit - '0');
    } else if (digit >= 'a' && digit <= 'f') {
      sequence = sequence << 4 | static_cast<std::uint64_t>(digit - 'a' + 10);
    } else {
      well_formed = false;
    }
  }
  if (!well_formed) {
    return corruption(name, 0,
                      "garbled segment name: the sequence must be 16 lowercase hex digits");
  }
  return std::optional<std::uint64_t>(sequence);
}

}  // namespace raftsim::wal_format

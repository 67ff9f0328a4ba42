// raftsim: the WAL's on-disk encoding (segment names, headers, record frames), kept apart from
// the log logic so the write path and the recovery path share one definition of every byte.
// All integers are little-endian and assembled byte by byte; checksums are masked CRC32C
// (raft/storage/crc32c.h). Decoders never trust a field they have not checked.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "raft/base/status.h"

namespace raftsim::wal_format {

constexpr std::uint32_t kFormatVersion = 1;
// Set on the first segment of a complete log: the empty log's first segment, and the first
// segment a rewrite() writes. Recovery starts from the newest base whose records are all there.
constexpr std::uint32_t kFlagBase = 1u;

struct SegmentHeader {
  std::uint32_t flags = 0;
  std::uint64_t sequence = 0;
  // For a base segment: how many records the log started with (a rewrite's record count), so
  // recovery can tell a complete rewrite from a half-written one. Zero otherwise.
  std::uint64_t base_record_count = 0;

  bool is_base() const { return (flags & kFlagBase) != 0; }
};

std::vector<std::uint8_t> encode_header(const SegmentHeader& header);
// Checks magic, version, flags, checksum and that the header names `expected_sequence`.
// Errors are corruption Statuses naming `file_name` and the byte offset of the bad field.
Result<SegmentHeader> decode_header(std::span<const std::uint8_t> bytes, std::string_view file_name,
                                    std::uint64_t expected_sequence);

// The frame's first word: the record length in the low 24 bits and a CRC-8 of those bits in the
// top 8. A torn write can cut a frame short but never change its length word, so a length that
// fails its check byte is damage, reported as corruption even on the last record.
std::uint32_t encode_length_word(std::uint32_t length);
std::optional<std::uint32_t> decode_length_word(std::uint32_t word);

// Appends the length word, the masked CRC32C over (length word bytes + payload), and the payload.
void append_record_frame(std::vector<std::uint8_t>& out, std::span<const std::uint8_t> record);
std::uint32_t record_checksum(std::span<const std::uint8_t> length_bytes,
                              std::span<const std::uint8_t> payload);

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t value);
void put_u64(std::vector<std::uint8_t>& out, std::uint64_t value);
std::uint32_t get_u32(std::span<const std::uint8_t> bytes, std::uint64_t offset);
std::uint64_t get_u64(std::span<const std::uint8_t> bytes, std::uint64_t offset);

std::string segment_name(std::string_view prefix, std::uint64_t sequence);
// nullopt if `name` is not a segment of `prefix` at all (ends differently); a corruption Status
// if it looks like one ("<prefix>-...log") but its sequence is not 16 lowercase hex digits.
Result<std::optional<std::uint64_t>> parse_segment_name(std::string_view prefix,
                                                        std::string_view name);

Status corruption(std::string_view file_name, std::uint64_t offset, const std::string& what);

}  // namespace raftsim::wal_format

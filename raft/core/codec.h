// raftsim: the wire format of Raft messages. Fixed-width little-endian fields assembled byte by
// byte, so the encoding is the same on every machine and the simulator's trace hashes of payloads
// are stable. decode() never trusts its input: a truncated, oversized or malformed payload is a
// corruption Status naming the byte offset, never a crash.
// Limits: kEntriesPerMessageMax entries and kMessageBytesMax bytes per encoded message.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "raft/core/messages.h"
#include "raft/util/status.h"

namespace raftsim {

constexpr std::uint8_t kWireVersion = 1;
constexpr std::size_t kEntriesPerMessageMax = 1 << 16;
constexpr std::size_t kMessageBytesMax = std::size_t{64} << 20;
// An encoded entry: term, index, type and data length before the data.
constexpr std::size_t kEntryHeaderBytes = 8 + 8 + 1 + 4;

std::vector<std::uint8_t> encode_message(const Message& message);
// Appends the encoding to `out` (lets a caller put a header in front without a second copy).
void encode_message_into(const Message& message, std::vector<std::uint8_t>& out);
Result<Message> decode_message(std::span<const std::uint8_t> bytes);
// The same into an existing message, reusing its entry vector (a host's receive buffer). The
// entries' data share one buffer per message. On error `message` holds no entries.
Status decode_message_into(std::span<const std::uint8_t> bytes, Message& message);

// Entries alone, for storage records.
void encode_entry(const Entry& entry, std::vector<std::uint8_t>& out);

class ByteReader {
 public:
  explicit ByteReader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}
  bool read_u8(std::uint8_t& value);
  bool read_u32(std::uint32_t& value);
  bool read_u64(std::uint64_t& value);
  bool read_bytes(std::size_t count, std::vector<std::uint8_t>& out);
  // The next `count` bytes in place (valid as long as the underlying bytes are).
  bool read_view(std::size_t count, std::span<const std::uint8_t>& out);
  bool skip(std::size_t count) {
    std::span<const std::uint8_t> ignored;
    return read_view(count, ignored);
  }
  std::size_t offset() const { return offset_; }
  std::size_t remaining() const { return bytes_.size() - offset_; }

 private:
  std::span<const std::uint8_t> bytes_;
  std::size_t offset_ = 0;
};

void put_u8(std::vector<std::uint8_t>& out, std::uint8_t value);
void put_u32(std::vector<std::uint8_t>& out, std::uint32_t value);
void put_u64(std::vector<std::uint8_t>& out, std::uint64_t value);
void put_bytes(std::vector<std::uint8_t>& out, std::span<const std::uint8_t> bytes);
// Reads one entry; false (with `what` set) if the bytes do not hold a valid one. If `backing` is
// given, it holds the very bytes `reader` reads, and the entry's data becomes a slice of it
// instead of a copy.
bool decode_entry(ByteReader& reader, Entry& entry, const char*& what,
                  const SharedBytes* backing = nullptr);

}  // namespace raftsim

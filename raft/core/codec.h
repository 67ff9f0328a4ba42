// raftsim: the wire format of Raft messages. Fixed-width little-endian fields, so the encoding is
// the same on every machine and the simulator's trace hashes of payloads
// are stable. decode() never trusts its input: a truncated, oversized or malformed payload is a
// corruption Status naming the byte offset, never a crash.
// Limits: kEntriesPerMessageMax entries and kMessageBytesMax bytes per encoded message.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "raft/core/messages.h"
#include "raft/util/check.h"
#include "raft/util/endian.h"
#include "raft/util/status.h"

namespace raftsim {

constexpr std::uint8_t kWireVersion = 1;
constexpr std::size_t kEntriesPerMessageMax = 1 << 16;
constexpr std::size_t kMessageBytesMax = std::size_t{64} << 20;
// An encoded entry: term, index, type and data length before the data.
constexpr std::size_t kEntryHeaderBytes = 8 + 8 + 1 + 4;
// An encoded message before its entries: version, type, from, to, term, log index, log term,
// commit, reject, hint index, hint term, context, entry count.
constexpr std::size_t kMessageHeaderBytes = 1 + 1 + 4 + 4 + 8 + 8 + 8 + 8 + 1 + 8 + 8 + 8 + 4;

std::vector<std::uint8_t> encode_message(const Message& message);
// Appends the encoding to `out` (lets a caller put a header in front without a second copy).
void encode_message_into(const Message& message, std::vector<std::uint8_t>& out);
Result<Message> decode_message(std::span<const std::uint8_t> bytes);
// The same into an existing message, reusing its entry vector (a host's receive buffer). The
// entries' data are copied into one buffer per message, which they share. On error `message`
// holds no entries.
Status decode_message_into(std::span<const std::uint8_t> bytes, Message& message);

// Entries alone, for storage records.
void encode_entry(const Entry& entry, std::vector<std::uint8_t>& out);

// Reads fixed-width little-endian fields; every read checks the bytes are there.
class ByteReader {
 public:
  explicit ByteReader(std::span<const std::uint8_t> bytes) : bytes_(bytes) {}
  bool read_u8(std::uint8_t& value) {
    if (remaining() < 1) return false;
    value = bytes_[offset_++];
    return true;
  }
  bool read_u32(std::uint32_t& value) { return read_little_endian(value); }
  bool read_u64(std::uint64_t& value) { return read_little_endian(value); }
  bool read_bytes(std::size_t count, std::vector<std::uint8_t>& out) {
    std::span<const std::uint8_t> view;
    if (!read_view(count, view)) return false;
    out.assign(view.begin(), view.end());
    return true;
  }
  // The next `count` bytes in place (valid as long as the underlying bytes are).
  bool read_view(std::size_t count, std::span<const std::uint8_t>& out) {
    if (remaining() < count) return false;
    out = bytes_.subspan(offset_, count);
    offset_ += count;
    return true;
  }
  bool skip(std::size_t count) {
    std::span<const std::uint8_t> ignored;
    return read_view(count, ignored);
  }
  std::size_t offset() const { return offset_; }
  std::size_t remaining() const { return bytes_.size() - offset_; }

 private:
  template <typename Unsigned>
  bool read_little_endian(Unsigned& value) {
    if (remaining() < sizeof(Unsigned)) return false;
    value = load_little_endian<Unsigned>(bytes_.data() + offset_);
    offset_ += sizeof(Unsigned);
    return true;
  }

  std::span<const std::uint8_t> bytes_;
  std::size_t offset_ = 0;
};

// Writes fixed-width little-endian fields into room made once up front: the encoders know the
// size of what they write, so the buffer grows once per message, not once per field. finish()
// checks that exactly the announced number of bytes was written.
class ByteWriter {
 public:
  // Appends `count` bytes of room to `out` (valid until `out` is next resized).
  ByteWriter(std::vector<std::uint8_t>& out, std::size_t count) {
    const std::size_t start = out.size();
    out.resize(start + count);
    at_ = out.data() + start;
    end_ = at_ + count;
  }
  void u8(std::uint8_t value) {
    RAFTSIM_CHECK(end_ - at_ >= 1);
    *at_++ = value;
  }
  void u32(std::uint32_t value) { write_little_endian(value); }
  void u64(std::uint64_t value) { write_little_endian(value); }
  void bytes(std::span<const std::uint8_t> bytes) {
    RAFTSIM_CHECK(static_cast<std::size_t>(end_ - at_) >= bytes.size());
    if (!bytes.empty()) std::memcpy(at_, bytes.data(), bytes.size());
    at_ += bytes.size();
  }
  void finish() const { RAFTSIM_CHECK_MSG(at_ == end_, "encoder wrote a different size"); }

 private:
  template <typename Unsigned>
  void write_little_endian(Unsigned value) {
    RAFTSIM_CHECK(static_cast<std::size_t>(end_ - at_) >= sizeof(Unsigned));
    store_little_endian(at_, value);
    at_ += sizeof(Unsigned);
  }

  std::uint8_t* at_ = nullptr;
  std::uint8_t* end_ = nullptr;
};

void put_u8(std::vector<std::uint8_t>& out, std::uint8_t value);
void put_u32(std::vector<std::uint8_t>& out, std::uint32_t value);
void put_u64(std::vector<std::uint8_t>& out, std::uint64_t value);
void put_bytes(std::vector<std::uint8_t>& out, std::span<const std::uint8_t> bytes);
// Reads one entry; false (with `what` set) if the bytes do not hold a valid one.
bool decode_entry(ByteReader& reader, Entry& entry, const char*& what);

}  // namespace raftsim

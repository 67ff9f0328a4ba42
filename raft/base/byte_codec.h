// raftsim: a fixed-width little-endian byte codec, the one every on-disk and on-wire format in
// raftsim is written with (Raft messages and WAL records, job-queue commands and snapshots, KV
// commands). ByteReader never reads past its input: every read says whether the bytes were there.
// ByteWriter writes into room announced up front and checks that exactly that much was written.
#pragma once

#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "raft/base/check.h"
#include "raft/base/endian.h"

namespace raftsim {

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

}  // namespace raftsim

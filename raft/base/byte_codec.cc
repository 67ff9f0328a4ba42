#include "raft/base/byte_codec.h"

namespace raftsim {

void put_u8(std::vector<std::uint8_t>& out, std::uint8_t value) {
  out.push_back(value);
}

namespace {
// Grows `out` by sizeof(value) bytes and stores `value` there, little-endian.
template <typename Unsigned>
void put_little_endian(std::vector<std::uint8_t>& out, Unsigned value) {
  const std::size_t at = out.size();
  out.resize(at + sizeof(Unsigned));
  store_little_endian(out.data() + at, value);
}
}  // namespace

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t value) {
  put_little_endian(out, value);
}

void put_u64(std::vector<std::uint8_t>& out, std::uint64_t value) {
  put_little_endian(out, value);
}

void put_bytes(std::vector<std::uint8_t>& out, std::span<const std::uint8_t> bytes) {
  out.insert(out.end(), bytes.begin(), bytes.end());
}

}  // namespace raftsim

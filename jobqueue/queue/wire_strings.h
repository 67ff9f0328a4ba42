// raftsim job queue: the length-prefixed string of the queue's encodings (commands, replies and
// snapshots share it): size:u32 then the bytes. Reading refuses sizes over the caller's limit.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "raft/base/byte_codec.h"
#include "raft/base/check.h"

namespace raftsim::queue {

inline void put_string(std::vector<std::uint8_t>& out, const std::string& text) {
  RAFTSIM_CHECK(text.size() <= UINT32_MAX);
  put_u32(out, static_cast<std::uint32_t>(text.size()));
  out.insert(out.end(), text.begin(), text.end());
}

inline bool read_string(ByteReader& reader, std::string& text, std::size_t max_bytes) {
  std::uint32_t size = 0;
  std::vector<std::uint8_t> bytes;
  if (!reader.read_u32(size) || size > max_bytes || !reader.read_bytes(size, bytes)) return false;
  text.assign(bytes.begin(), bytes.end());
  return true;
}

}  // namespace raftsim::queue

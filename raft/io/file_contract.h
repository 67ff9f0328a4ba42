// raftsim: what every FileSystem implementation (the simulator's disk, the in-memory one, a
// production one) answers alike: the errors of the contract in raft/io/file_system.h, worded
// once, and a bounded read of a file's bytes. Callers match on the StatusCode; the wording is
// for people.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "raft/base/status.h"

namespace raftsim::file_contract {

inline Status not_found(std::string_view name) {
  return Status(StatusCode::not_found, "no file named '" + std::string(name) + "'");
}
inline Status already_exists(std::string_view name) {
  return Status(StatusCode::already_exists, "file '" + std::string(name) + "' exists");
}
inline Status write_past_end(std::string_view name, std::uint64_t offset) {
  return Status(StatusCode::out_of_range, "write at offset " + std::to_string(offset) +
                                              " past the end of '" + std::string(name) + "'");
}
inline Status cannot_grow(std::string_view name) {
  return Status(StatusCode::out_of_range, "truncate cannot grow '" + std::string(name) + "'");
}
inline Status disk_full(std::string_view name) {
  return Status(StatusCode::no_space, "disk full writing '" + std::string(name) + "'");
}

// Up to `length` bytes of `bytes` from `offset`; fewer at the end, none past it.
inline std::vector<std::uint8_t> read_range(const std::vector<std::uint8_t>& bytes,
                                            std::uint64_t offset, std::uint64_t length) {
  if (offset > bytes.size()) return {};
  const std::uint64_t end = std::min<std::uint64_t>(bytes.size(), offset + length);
  return std::vector<std::uint8_t>(bytes.begin() + static_cast<std::ptrdiff_t>(offset),
                                   bytes.begin() + static_cast<std::ptrdiff_t>(end));
}

}  // namespace raftsim::file_contract

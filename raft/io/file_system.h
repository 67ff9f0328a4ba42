// raftsim: the storage a node's durable state lives on, as the WAL and snapshot code see it.
// Files are byte arrays in a flat namespace. Writes are visible to reads at once but durable only
// after sync(): after a crash a file holds exactly its synced bytes (on media that tear writes,
// plus a prefix of the last unsynced write). Creating, removing and renaming are durable at once;
// raftsim does not model directory fsync. The simulator implements this interface (sim/kernel);
// a production runtime would implement it over POSIX files without touching raft/.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "raft/base/status.h"

namespace raftsim {

class FileSystem {
 public:
  virtual ~FileSystem() = default;

  // An empty file; already_exists if the name is taken.
  virtual Status create(std::string_view name) = 0;
  // Writes at offset <= size (no holes); no_space leaves the file unchanged.
  virtual Status write(std::string_view name, std::uint64_t offset,
                       std::span<const std::uint8_t> data) = 0;
  virtual Status append(std::string_view name, std::span<const std::uint8_t> data) = 0;
  // Up to length bytes from offset; fewer at the end of the file.
  virtual Result<std::vector<std::uint8_t>> read(std::string_view name, std::uint64_t offset,
                                                 std::uint64_t length) const = 0;
  virtual Result<std::uint64_t> size(std::string_view name) const = 0;
  // Shrinks the file; durable only after the next sync().
  virtual Status truncate(std::string_view name, std::uint64_t size) = 0;
  // Makes every write so far durable. Costs simulated time in the simulator.
  virtual Status sync(std::string_view name) = 0;
  virtual Status remove(std::string_view name) = 0;
  // Atomic; replaces `to` if it exists.
  virtual Status rename(std::string_view from, std::string_view to) = 0;
  // Every file name, sorted.
  virtual std::vector<std::string> list() const = 0;
  // A hint that `name` will grow to about `bytes` (fallocate-style preallocation, as WALs do for
  // their segments), so an implementation can make room once instead of growing step by step.
  // Changes neither contents nor size; ignoring it is always correct.
  virtual void preallocate(std::string_view name, std::uint64_t bytes) {
    (void)name;
    (void)bytes;
  }
};

}  // namespace raftsim

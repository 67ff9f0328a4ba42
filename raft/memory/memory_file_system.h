// raftsim: a FileSystem in memory, for tests of storage and of the node host without the
// simulator. Crash semantics as raft/io/file_system.h promises: writes and truncates are visible
// at once but durable only after sync(); crash() drops every file back to its synced image;
// create, remove and rename are durable at once. It does not tear writes, add latency or fail on
// its own (sim/kernel/disk.h does); it can flip a bit and run out of space, for format tests.
// Invariants: used_bytes() is the sum of current sizes and never exceeds the capacity;
// after crash() every file equals its durable image.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "raft/io/file_system.h"

namespace raftsim {

class MemoryFileSystem final : public FileSystem {
 public:
  // As a real file system caps them; a longer name is a caller bug.
  static constexpr std::size_t kFileNameBytesMax = 255;
  static constexpr std::size_t kFilesMax = 100'000;

  explicit MemoryFileSystem(std::uint64_t capacity_bytes = std::uint64_t{1} << 30)
      : capacity_bytes_(capacity_bytes) {}

  // FileSystem
  Status create(std::string_view name) override;
  Status write(std::string_view name, std::uint64_t offset,
               std::span<const std::uint8_t> data) override;
  Status append(std::string_view name, std::span<const std::uint8_t> data) override;
  Result<std::vector<std::uint8_t>> read(std::string_view name, std::uint64_t offset,
                                         std::uint64_t length) const override;
  Result<std::uint64_t> size(std::string_view name) const override;
  Status truncate(std::string_view name, std::uint64_t size) override;
  Status sync(std::string_view name) override;
  Status remove(std::string_view name) override;
  Status rename(std::string_view from, std::string_view to) override;
  std::vector<std::string> list() const override;

  // --- test side ---
  // Loses everything not synced: each file returns to its durable image.
  void crash();
  // Flips one bit at bit_offset in both images of the file (damage that survives a crash).
  Status corrupt_bit(std::string_view name, std::uint64_t bit_offset);
  // Writes that would grow the files past this fail with no_space and change nothing.
  void set_capacity(std::uint64_t capacity_bytes) { capacity_bytes_ = capacity_bytes; }
  std::uint64_t used_bytes() const { return used_bytes_; }
  // What would survive a crash now; nullopt if there is no such file.
  std::optional<std::vector<std::uint8_t>> durable_image(std::string_view name) const;

 private:
  struct File {
    std::vector<std::uint8_t> current;  // what reads see
    std::vector<std::uint8_t> durable;  // what a crash leaves
  };
  File* find(std::string_view name);
  const File* find(std::string_view name) const;
  static Status missing(std::string_view name);

  std::map<std::string, File, std::less<>> files_;
  std::uint64_t capacity_bytes_;
  std::uint64_t used_bytes_ = 0;
};

}  // namespace raftsim

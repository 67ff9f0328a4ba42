// raftsim: state-machine snapshots as files on a node's disk. Each file holds one snapshot:
// a header (magic, version, index, term, data length, CRC32C of the data, CRC32C of the header)
// then the data. A save writes "<prefix>-<index>-<term>.tmp", syncs it and renames it into place,
// so a crash leaves either the old set or the new file complete. The newest `keep` files stay;
// older ones are removed. load_newest() returns the newest file that verifies, skipping (and
// naming) damaged ones, which is why a node keeps two: the log is compacted only up to the older.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "raft/base/status.h"
#include "raft/core/types.h"
#include "raft/io/file_system.h"

namespace raftsim {

struct SnapshotStoreOptions {
  std::string prefix = "snap";
  std::size_t keep = 2;                              // at least 1
  std::uint64_t bytes_max = std::uint64_t{1} << 31;  // larger data is refused (save and load)
};

struct LoadedSnapshot {
  Snapshot snapshot;                 // meta.index == 0: no valid snapshot on the disk
  std::vector<std::string> damaged;  // files skipped, each with what was wrong
};

class SnapshotStore {
 public:
  static constexpr std::uint64_t kHeaderBytes = 4 + 4 + 8 + 8 + 8 + 4 + 4;

  SnapshotStore(FileSystem& file_system, SnapshotStoreOptions options);

  // Durable on return. Refuses a snapshot not newer than the newest file (invalid_argument).
  Status save(const SnapshotMeta& meta, std::span<const std::uint8_t> data);
  Result<LoadedSnapshot> load_newest() const;
  // The snapshots on disk by file name (not verified), oldest first.
  std::vector<SnapshotMeta> list() const;
  // Removes leftover .tmp files of an interrupted save.
  Status remove_partial_saves();

  std::string file_name(const SnapshotMeta& meta) const;

 private:
  Result<Snapshot> read_verified(const std::string& name, const SnapshotMeta& meta) const;

  FileSystem& file_system_;
  SnapshotStoreOptions options_;
};

}  // namespace raftsim

// raftsim: the write-ahead log a Raft node persists its term, vote and log entries to.
// A Wal owns a set of segment files on a FileSystem and stores opaque records; it knows nothing
// of Raft. Format, recovery rules and limits: raft/storage/README.md. Invariants:
//  1. The live log is the segments [base, last], numbered without gaps; only `base` is a base
//     segment (it starts a complete log); every segment but `last` is synced ("sealed").
//  2. A record never spans segments; a segment exceeds segment_bytes_max only if it holds a
//     single record that is larger on its own.
//  3. open() returns exactly the records of the live log that survived, in append order, or a
//     corruption Status; it never returns a record whose checksum failed.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "raft/base/status.h"
#include "raft/io/file_system.h"

namespace raftsim {

namespace wal_limits {
// Larger records are refused (invalid_argument): a Raft entry batch is far smaller, and a bound
// keeps a garbled length from making recovery read gigabytes. 16 MiB less one byte, because the
// length takes the low 24 bits of the frame's length word (the top 8 check it).
constexpr std::uint64_t kRecordBytesMax = (std::uint64_t{1} << 24) - 1;
// Segment header: magic, version, flags, sequence, base record count, masked CRC32C.
constexpr std::uint64_t kSegmentHeaderBytes = 8 + 4 + 4 + 8 + 8 + 4;
// Record frame: length word (u32) and masked CRC32C (u32) before the payload.
constexpr std::uint64_t kRecordHeaderBytes = 8;
// Bounds on WalOptions::segment_bytes_max: room for a header and one small record at least, and
// segments a recovery can read into memory at once.
constexpr std::uint64_t kSegmentBytesMaxFloor = 64;
constexpr std::uint64_t kSegmentBytesMaxCeiling = std::uint64_t{1} << 30;
// Rolling to one more segment fails with no_space: 64 Ki segments of the default 4 MiB is 256 GiB,
// far beyond what a node should hold without compacting (rewrite()).
constexpr std::uint64_t kSegmentsMax = std::uint64_t{1} << 16;
// Segment names are "<prefix>-<16 hex digits>.log" and must fit a 255-byte file name.
constexpr std::uint64_t kPrefixBytesMax = 255 - 1 - 16 - 4;
}  // namespace wal_limits

struct WalOptions {
  std::string prefix = "wal";
  std::uint64_t segment_bytes_max = 4 << 20;

  Status validate() const;
};

struct WalRecovery {
  std::vector<std::vector<std::uint8_t>> records;
  // Bytes cut off the end of the last segment: a torn (or damaged) final record, or a segment
  // whose header never made it to the disk.
  std::uint64_t torn_bytes_dropped = 0;
  std::uint32_t segments = 0;  // live segments after recovery
  // Segments deleted because an interrupted rewrite() superseded them (the rewrite had completed)
  // or because the rewrite itself was incomplete (the old log stands).
  std::uint32_t segments_removed = 0;
};

class Wal {
 public:
  // Recovers the log from `file_system` (or starts an empty one) and returns it ready to append.
  // Repairs what a crash may leave (torn tail, half-written rewrite) and makes the repair durable.
  // `recovered` (may be null) receives the surviving records and what the repair did. Errors:
  // invalid_argument (options), corruption (message names file, byte offset and what was wrong),
  // or whatever the file system returned. One Wal at a time may own a prefix; it holds a
  // reference to `file_system`, which must outlive it. Deterministic: the same files and calls
  // give the same file-system operations (no clocks, no randomness).
  [[nodiscard]] static Result<std::unique_ptr<Wal>> open(FileSystem& file_system,
                                                         const WalOptions& options,
                                                         WalRecovery* recovered);

  Wal(const Wal&) = delete;
  Wal& operator=(const Wal&) = delete;
  ~Wal() = default;

  // Appends one record to the last segment (visible at once, durable after sync()), rolling to a
  // new segment first if it would not fit. A record over kRecordBytesMax is invalid_argument.
  // On a file-system error (e.g. no_space) the record is not in the log: anything partial is cut
  // back, so the WAL stays usable and the next append starts clean. A segment started for the
  // record may remain, holding only its header. If the cut-back itself fails, the WAL refuses all
  // further calls (unavailable) and must be reopened.
  [[nodiscard]] Status append(std::span<const std::uint8_t> record);

  // Makes every record appended so far durable (fsyncs each segment written since the last sync).
  [[nodiscard]] Status sync();

  // Atomically replaces the whole log with `records` (compaction) and makes it durable: syncs the
  // current log, writes a new segment set numbered after it (each segment synced before the next
  // is created), then removes the old segments, oldest first. A crash at any point recovers
  // either the old log or exactly `records`, never a mix. On an error before the new set is
  // durable the old log stays in place (unavailable if the half-written new set cannot be
  // removed); on an error after it, the WAL holds `records` but refuses further calls
  // (unavailable) until reopened, which finishes removing the old segments.
  [[nodiscard]] Status rewrite(std::span<const std::vector<std::uint8_t>> records);

  // Bytes this object wrote to the file system (headers and frames), since open().
  std::uint64_t bytes_written() const { return bytes_written_; }
  // Bytes in the live segments, headers included.
  std::uint64_t size_bytes() const;
  std::uint64_t segment_count() const { return segments_.size(); }
  std::uint64_t record_count() const { return record_count_; }
  const WalOptions& options() const { return options_; }

  // The file name of segment `sequence` under `prefix`.
  static std::string segment_name(std::string_view prefix, std::uint64_t sequence);

 private:
  struct Segment {
    std::uint64_t sequence = 0;
    std::uint64_t size_bytes = 0;
    std::uint64_t record_count = 0;
    bool synced = false;
  };

  Wal(FileSystem& file_system, const WalOptions& options);

  Status refuse_if_failed() const;
  Status roll_segment();
  Status write_segment_set(std::span<const std::vector<std::uint8_t>> records,
                           std::vector<Segment>& written);
  Status remove_segments_newest_first(const std::vector<Segment>& segments);
  std::string name_of(const Segment& segment) const;
  // The same, from a one-name cache: the hot paths (append, sync) name the last segment over and
  // over. The reference is valid until the next call.
  const std::string& cached_name_of(const Segment& segment) const;
  void check_invariants() const;

  FileSystem& file_system_;
  WalOptions options_;
  std::vector<Segment> segments_;  // the live log, oldest first; never empty after open()
  std::uint64_t record_count_ = 0;
  std::uint64_t bytes_written_ = 0;
  // Not ok once a failure left the files in a state this object no longer knows: every later
  // call is refused, and reopening (which runs recovery) is the way out.
  Status failure_;
  mutable std::uint64_t cached_name_sequence_ = UINT64_MAX;
  mutable std::string cached_name_;
  std::vector<std::uint8_t> frame_;  // reused for every record append() writes

  friend class WalRecoverer;
};

}  // namespace raftsim

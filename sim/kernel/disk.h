// raftsim: a node's simulated disk, implementing raft's FileSystem.
// Each file has two images: `current` (what reads see) and `durable` (what survives a crash).
// The durable image is kept implicitly, as an undo log of what every write and truncate since the
// last sync overwrote, so sync() is O(1) however large the file. sync() costs simulated time, which
// the owning host charges to its process (it cannot act until the fsync returns). crash() throws
// away everything unsynced; with probability torn_write_on_crash a prefix of the last unsynced
// write survives instead. Injected corruption flips bits in both images. Writes beyond the capacity
// fail with no_space and change nothing. Invariant: after crash(), every file equals its durable
// image, except for at most a prefix of the last unsynced write.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "raft/io/file_system.h"
#include "sim/kernel/random.h"
#include "sim/kernel/scheduler.h"
#include "sim/kernel/trace.h"

namespace raftsim::sim {

struct DiskConfig {
  std::uint64_t capacity_bytes = std::uint64_t{1} << 30;
  Time sync_latency_min = microseconds(200);
  Time sync_latency_max = milliseconds(2);
  Ratio torn_write_on_crash = Ratio::zero();
  // If set, an fsync makes data durable only when its latency has passed: a crash while the
  // fsync is still in flight loses (or tears) what it was syncing, as on a real disk. If not set,
  // data is durable the moment sync() returns (simpler for unit tests of storage formats).
  bool crash_can_interrupt_sync = false;

  Status validate() const;
};

class SimDisk final : public FileSystem {
 public:
  // Longer names are a caller bug: real file systems cap them too.
  static constexpr std::size_t kFileNameBytesMax = 255;
  static constexpr std::size_t kFilesMax = 100'000;
  // Preallocation hints beyond this are capped: memory is reserved, not just promised.
  static constexpr std::uint64_t kPreallocateBytesMax = std::uint64_t{64} << 20;

  SimDisk(std::uint32_t node, const DiskConfig& config, Random random, const Scheduler& scheduler,
          Trace& trace);

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
  // Reserves memory for the file's image (no simulated effect: sizes, contents, trace unchanged).
  void preallocate(std::string_view name, std::uint64_t bytes) override;

  // --- simulator side ---
  // Loses unsynced data (maybe tearing the last write). Called by the host when its node crashes.
  void crash();
  // Erases every file, durable or not, as when a machine's disk is replaced (the node must be
  // down: a running process would see its files vanish). Recorded as a disk fault "(wipe)".
  void wipe();
  // Flips one bit at bit_offset in both images of the file.
  Status corrupt_bit(std::string_view name, std::uint64_t bit_offset);
  void set_capacity(std::uint64_t capacity_bytes);
  void set_config(const DiskConfig& config);
  // Simulated time spent in fsync since the last call; the host turns it into busy time.
  Time take_busy_time();
  Time busy_time() const { return busy_time_; }
  const DiskConfig& config() const { return config_; }
  std::uint64_t used_bytes() const { return used_bytes_; }
  // The bytes that would survive a crash right now (tests and checkers).
  std::optional<std::vector<std::uint8_t>> durable_image(std::string_view name);
  void hash_into(Hasher& hasher) const;

 private:
  // The last write since the last sync: the only one that can tear. Its bytes are still in the
  // file's current image (a later write replaces this record, a truncate clears it), so they are
  // copied out only when something else is about to change them: corrupt_bit().
  struct UnsyncedWrite {
    bool present = false;
    std::uint64_t offset = 0;
    std::uint64_t size = 0;
    bool copied = false;             // `data` holds the bytes (else they are in `current`)
    std::vector<std::uint8_t> data;  // keeps its capacity
    void reset() { present = false; }
  };
  // What one unsynced change replaced: restoring these in reverse order yields the durable image.
  struct Undo {
    std::uint64_t offset;
    std::vector<std::uint8_t> old_bytes;  // the bytes at [offset, offset + size) before
    std::uint64_t old_size;               // the file's size before
  };
  // An fsync still in flight: when it completes, the first undo_count undo records are dropped.
  struct PendingSync {
    Time completes_at;
    std::size_t undo_count;
  };
  struct File {
    std::vector<std::uint8_t> current;
    std::vector<Undo> undo;  // since the last completed sync
    std::vector<PendingSync> pending_syncs;
    // Only the last write can tear; a truncate after it means there is nothing left to tear.
    UnsyncedWrite last_unsynced_write;
  };
  // A create, remove or rename issued while an fsync of this handler was still in flight. A real
  // host would have waited for that fsync before issuing it, so it becomes durable only when the
  // fsync does: a crash before then undoes it (journal order, newest first).
  struct PendingMetadata {
    enum class Kind : std::uint8_t { create, remove, rename };
    Kind kind = Kind::create;
    Time durable_at = 0;
    std::string name;           // created, removed, or renamed to
    std::string from;           // rename: the old name
    std::optional<File> saved;  // remove: the file; rename: the target it replaced
  };
  // The time the fsyncs issued so far complete; metadata changed now is durable then.
  bool metadata_must_wait() const { return config_.crash_can_interrupt_sync && busy_time_ > 0; }
  void journal(PendingMetadata entry);
  void undo_pending_metadata();
  static std::vector<std::uint8_t> durable_of(const File& file);
  // The bytes of the file's last unsynced write (requires one).
  static std::span<const std::uint8_t> last_write_bytes(const File& file);
  // Retires fsyncs whose latency has passed by `now`.
  static void complete_syncs(File& file, Time now);

  File* find(std::string_view name);
  const File* find(std::string_view name) const;
  Status missing(std::string_view name) const;
  void record(TraceKind kind, std::string_view name, std::uint64_t a, std::uint64_t b);

  std::uint32_t node_;
  DiskConfig config_;
  Random random_;
  const Scheduler& scheduler_;
  Trace& trace_;
  std::map<std::string, File, std::less<>> files_;
  std::vector<PendingMetadata> pending_metadata_;
  std::uint64_t used_bytes_ = 0;  // sum of current sizes: what the capacity limit applies to
  Time busy_time_ = 0;
};

}  // namespace raftsim::sim

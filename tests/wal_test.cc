// Tests for raft/storage/wal on simulated disks: round trips, segment rollover, recovery after
// crashes with torn writes (a model-based property), bit corruption, full disks, rewrite
// (compaction) interrupted at every file-system step, and determinism of the disk trace.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <optional>
#include <string>

#include "raft/storage/wal.h"
#include "sim/kernel/disk.h"

namespace raftsim {
namespace {

using sim::DiskConfig;
using sim::Random;
using sim::Ratio;
using sim::Scheduler;
using sim::SimDisk;
using sim::Trace;
using Records = std::vector<std::vector<std::uint8_t>>;

constexpr std::uint64_t kHeaderBytes = wal_limits::kSegmentHeaderBytes;
constexpr std::uint64_t kFrameBytes = wal_limits::kRecordHeaderBytes;

// Distinct, recognisable contents: a record's bytes depend on its number and position.
std::vector<std::uint8_t> numbered_record(std::uint64_t number, std::size_t size) {
  std::vector<std::uint8_t> record(size);
  for (std::size_t i = 0; i < size; ++i) {
    record[i] = static_cast<std::uint8_t>((number * 131 + i * 7 + 1) & 0xffu);
  }
  return record;
}

Records numbered_records(std::uint64_t first, std::uint64_t count, std::size_t size) {
  Records records;
  for (std::uint64_t i = 0; i < count; ++i) records.push_back(numbered_record(first + i, size));
  return records;
}

Records concat(Records a, const Records& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

std::string segment(std::uint64_t sequence) {
  return Wal::segment_name("wal", sequence);
}

WalOptions segments_of(std::uint64_t bytes) {
  WalOptions options;
  options.segment_bytes_max = bytes;
  return options;
}

struct WalHarness {
  explicit WalHarness(const DiskConfig& config = {}, std::uint64_t seed = 1)
      : disk(0, config, Random::stream(seed, "disk/0"), scheduler, trace) {}
  Scheduler scheduler;
  Trace trace;
  SimDisk disk;
};

DiskConfig tearing(Ratio torn_write_on_crash) {
  DiskConfig config;
  config.torn_write_on_crash = torn_write_on_crash;
  return config;
}

std::unique_ptr<Wal> open_wal(FileSystem& file_system, const WalOptions& options = {},
                              WalRecovery* recovery = nullptr) {
  auto opened = Wal::open(file_system, options, recovery);
  EXPECT_TRUE(opened.ok()) << opened.status().to_string();
  return opened.ok() ? std::move(opened).value() : nullptr;
}

// Opens the WAL and returns what it recovered (records, torn bytes, segments) or the error.
Result<WalRecovery> recover(FileSystem& file_system, const WalOptions& options = {}) {
  WalRecovery recovery;
  auto opened = Wal::open(file_system, options, &recovery);
  if (!opened.ok()) return opened.status();
  return recovery;
}

Records recovered_records(FileSystem& file_system, const WalOptions& options = {}) {
  auto recovery = recover(file_system, options);
  EXPECT_TRUE(recovery.ok()) << recovery.status().to_string();
  return recovery.ok() ? recovery.value().records : Records{};
}

void append_all(Wal& wal, const Records& records) {
  for (const auto& record : records) ASSERT_TRUE(wal.append(record).ok());
}

// A FileSystem that forwards to another until its budget of mutating operations (create, write,
// append, truncate, sync, remove, rename) is spent; then every mutating call fails with
// io_error, as if the process died there. With fail_once only that one call fails. Reads pass.
class StoppingFileSystem final : public FileSystem {
 public:
  explicit StoppingFileSystem(FileSystem& inner) : inner_(inner) {}

  void stop_after(std::uint64_t operations, bool fail_once = false) {
    budget_ = operations;
    fail_once_ = fail_once;
  }
  std::uint64_t operations() const { return operations_; }

  Status create(std::string_view name) override {
    return step([&] { return inner_.create(name); });
  }
  Status write(std::string_view name, std::uint64_t offset,
               std::span<const std::uint8_t> data) override {
    return step([&] { return inner_.write(name, offset, data); });
  }
  Status append(std::string_view name, std::span<const std::uint8_t> data) override {
    return step([&] { return inner_.append(name, data); });
  }
  Result<std::vector<std::uint8_t>> read(std::string_view name, std::uint64_t offset,
                                         std::uint64_t length) const override {
    return inner_.read(name, offset, length);
  }
  Result<std::uint64_t> size(std::string_view name) const override { return inner_.size(name); }
  Status truncate(std::string_view name, std::uint64_t size) override {
    return step([&] { return inner_.truncate(name, size); });
  }
  Status sync(std::string_view name) override {
    return step([&] { return inner_.sync(name); });
  }
  Status remove(std::string_view name) override {
    return step([&] { return inner_.remove(name); });
  }
  Status rename(std::string_view from, std::string_view to) override {
    return step([&] { return inner_.rename(from, to); });
  }
  std::vector<std::string> list() const override { return inner_.list(); }

 private:
  template <typename Operation>
  Status step(Operation operation) {
    if (budget_ && *budget_ == 0) {
      if (fail_once_) budget_.reset();
      return Status(StatusCode::io_error, "stopped (simulated death at this operation)");
    }
    if (budget_) --*budget_;
    ++operations_;
    return operation();
  }

  FileSystem& inner_;
  std::optional<std::uint64_t> budget_;
  bool fail_once_ = false;
  std::uint64_t operations_ = 0;
};

// --- basics ---------------------------------------------------------------------------------

TEST(Wal, FreshOpenStartsOneEmptyBaseSegment) {
  WalHarness h;
  WalRecovery recovery;
  auto wal = open_wal(h.disk, {}, &recovery);
  ASSERT_NE(wal, nullptr);
  EXPECT_EQ(h.disk.list(), std::vector<std::string>{"wal-0000000000000001.log"});
  EXPECT_TRUE(recovery.records.empty());
  EXPECT_EQ(recovery.segments, 1u);
  EXPECT_EQ(wal->segment_count(), 1u);
  EXPECT_EQ(wal->record_count(), 0u);
  EXPECT_EQ(wal->size_bytes(), kHeaderBytes);
  EXPECT_EQ(h.disk.durable_image(segment(1))->size(), kHeaderBytes);  // durable at once
}

TEST(Wal, RoundTrip) {
  WalHarness h;
  const Records records = {{}, {0x42}, numbered_record(7, 1000), numbered_record(8, 3)};
  {
    auto wal = open_wal(h.disk);
    ASSERT_NE(wal, nullptr);
    append_all(*wal, records);
    EXPECT_EQ(wal->record_count(), records.size());
    EXPECT_EQ(wal->size_bytes(), kHeaderBytes + 4 * kFrameBytes + 1004);
    EXPECT_EQ(wal->bytes_written(), wal->size_bytes());
    ASSERT_TRUE(wal->sync().ok());
  }
  EXPECT_EQ(recovered_records(h.disk), records);
}

TEST(Wal, SegmentRollover) {
  WalHarness h;
  const WalOptions options = segments_of(128);
  // 36-byte header + two 38-byte frames = 112 bytes; a third frame would pass 128.
  const Records records = numbered_records(0, 20, 30);
  {
    auto wal = open_wal(h.disk, options);
    ASSERT_NE(wal, nullptr);
    append_all(*wal, records);
    EXPECT_EQ(wal->segment_count(), 10u);
    ASSERT_TRUE(wal->sync().ok());
  }
  const auto names = h.disk.list();
  ASSERT_EQ(names.size(), 10u);
  for (std::uint64_t i = 0; i < names.size(); ++i) {
    EXPECT_EQ(names[i], segment(i + 1));
    EXPECT_EQ(h.disk.size(names[i]).value(), kHeaderBytes + 2 * (kFrameBytes + 30));
  }
  auto recovery = recover(h.disk, options);
  ASSERT_TRUE(recovery.ok()) << recovery.status().to_string();
  EXPECT_EQ(recovery.value().records, records);
  EXPECT_EQ(recovery.value().segments, 10u);
}

TEST(Wal, RolloverSealsTheSegmentItLeaves) {
  WalHarness h;
  auto wal = open_wal(h.disk, segments_of(128));
  ASSERT_NE(wal, nullptr);
  append_all(*wal, numbered_records(0, 3, 30));  // the third starts segment 2, unsynced
  EXPECT_EQ(h.disk.durable_image(segment(1))->size(), kHeaderBytes + 2 * (kFrameBytes + 30));
  EXPECT_TRUE(h.disk.durable_image(segment(2))->empty());
}

TEST(Wal, RecordLargerThanASegmentGetsASegmentOfItsOwn) {
  WalHarness h;
  const WalOptions options = segments_of(128);
  const Records records = {numbered_record(1, 10), numbered_record(2, 500), numbered_record(3, 10)};
  auto wal = open_wal(h.disk, options);
  ASSERT_NE(wal, nullptr);
  append_all(*wal, records);
  EXPECT_EQ(wal->segment_count(), 3u);
  ASSERT_TRUE(wal->sync().ok());
  wal.reset();
  EXPECT_EQ(recovered_records(h.disk, options), records);
}

TEST(Wal, ReopenAfterCleanShutdownContinuesTheLog) {
  WalHarness h;
  const WalOptions options = segments_of(256);
  const Records first = numbered_records(0, 7, 40), second = numbered_records(100, 7, 40);
  for (const Records* batch : {&first, &second}) {
    auto wal = open_wal(h.disk, options);
    ASSERT_NE(wal, nullptr);
    append_all(*wal, *batch);
    ASSERT_TRUE(wal->sync().ok());
  }
  auto wal = open_wal(h.disk, options);
  ASSERT_NE(wal, nullptr);
  EXPECT_EQ(wal->record_count(), 14u);
  EXPECT_EQ(recovered_records(h.disk, options), concat(first, second));
  // Sequences continue without gaps across reopens.
  const auto names = h.disk.list();
  for (std::uint64_t i = 0; i < names.size(); ++i) EXPECT_EQ(names[i], segment(i + 1));
}

TEST(Wal, SyncedRecordsSurviveACrashAndUnsyncedOnesDoNot) {
  WalHarness h;
  auto wal = open_wal(h.disk);
  ASSERT_NE(wal, nullptr);
  const Records synced = numbered_records(0, 3, 20);
  append_all(*wal, synced);
  ASSERT_TRUE(wal->sync().ok());
  append_all(*wal, numbered_records(3, 2, 20));
  wal.reset();
  h.disk.crash();
  EXPECT_EQ(recovered_records(h.disk), synced);
}

TEST(Wal, TornFinalRecordIsCutAwayAndCounted) {
  int saw_torn = 0;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    WalHarness h(tearing(Ratio::one()), seed);
    auto wal = open_wal(h.disk);
    ASSERT_NE(wal, nullptr);
    const Records synced = numbered_records(0, 3, 20);
    append_all(*wal, synced);
    ASSERT_TRUE(wal->sync().ok());
    ASSERT_TRUE(wal->append(numbered_record(9, 200)).ok());
    wal.reset();
    h.disk.crash();
    const std::uint64_t size_after_crash = h.disk.size(segment(1)).value();
    auto recovery = recover(h.disk);
    ASSERT_TRUE(recovery.ok()) << recovery.status().to_string();
    EXPECT_EQ(recovery.value().records, synced);
    const std::uint64_t synced_bytes = kHeaderBytes + 3 * (kFrameBytes + 20);
    EXPECT_EQ(recovery.value().torn_bytes_dropped, size_after_crash - synced_bytes);
    EXPECT_EQ(h.disk.durable_image(segment(1))->size(), synced_bytes);  // the cut is durable
    saw_torn += size_after_crash > synced_bytes;
    EXPECT_EQ(recover(h.disk).value().torn_bytes_dropped, 0u);
  }
  EXPECT_GT(saw_torn, 10);
}

TEST(Wal, RecordOverTheLimitIsRefusedAndChangesNothing) {
  WalHarness h;
  auto wal = open_wal(h.disk);
  ASSERT_NE(wal, nullptr);
  const std::vector<std::uint8_t> too_big(wal_limits::kRecordBytesMax + 1, 0x5a);
  EXPECT_EQ(wal->append(too_big).code(), StatusCode::invalid_argument);
  EXPECT_EQ(wal->rewrite(Records{too_big}).code(), StatusCode::invalid_argument);
  EXPECT_EQ(wal->record_count(), 0u);
  EXPECT_EQ(wal->size_bytes(), kHeaderBytes);
  const std::vector<std::uint8_t> largest(wal_limits::kRecordBytesMax, 0xa5);
  ASSERT_TRUE(wal->append(largest).ok());
  ASSERT_TRUE(wal->sync().ok());
  wal.reset();
  EXPECT_EQ(recovered_records(h.disk), Records{largest});
}

TEST(Wal, InvalidOptionsAreRejected) {
  WalHarness h;
  WalOptions no_prefix;
  no_prefix.prefix = "";
  EXPECT_EQ(Wal::open(h.disk, no_prefix, nullptr).status().code(), StatusCode::invalid_argument);
  EXPECT_EQ(Wal::open(h.disk, segments_of(wal_limits::kSegmentBytesMaxFloor - 1), nullptr)
                .status()
                .code(),
            StatusCode::invalid_argument);
  EXPECT_EQ(Wal::open(h.disk, segments_of(wal_limits::kSegmentBytesMaxCeiling + 1), nullptr)
                .status()
                .code(),
            StatusCode::invalid_argument);
  EXPECT_TRUE(h.disk.list().empty());
}

TEST(Wal, OtherFilesAndPrefixesAreLeftAlone) {
  WalHarness h;
  for (const char* name : {"snapshot", "wal.tmp", "walrus-0000000000000001.log", "wal-x"}) {
    ASSERT_TRUE(h.disk.create(name).ok());
  }
  WalOptions other;
  other.prefix = "raftlog";
  auto wal = open_wal(h.disk, other);
  ASSERT_NE(wal, nullptr);
  ASSERT_TRUE(wal->append(numbered_record(1, 5)).ok());
  ASSERT_TRUE(wal->sync().ok());
  wal.reset();
  EXPECT_EQ(recovered_records(h.disk, other), numbered_records(1, 1, 5));
  EXPECT_TRUE(recovered_records(h.disk).empty());  // prefix "wal" starts its own log
  EXPECT_EQ(h.disk.list().size(), 6u);
}

}  // namespace
}  // namespace raftsim

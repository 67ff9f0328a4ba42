// Shared helpers of the WAL tests (wal_test.cc on the in-memory file system, wal_fault_test.cc on
// the simulated disk): numbered records, open/recover shorthands, a file system that dies at a
// chosen operation, and the rewrite scenario both crash suites replay.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "raft/memory/memory_file_system.h"
#include "raft/storage/wal.h"

namespace raftsim::testing {

using Records = std::vector<std::vector<std::uint8_t>>;

inline constexpr std::uint64_t kHeaderBytes = wal_limits::kSegmentHeaderBytes;
inline constexpr std::uint64_t kFrameBytes = wal_limits::kRecordHeaderBytes;

// Distinct, recognisable contents: a record's bytes depend on its number and position.
inline std::vector<std::uint8_t> numbered_record(std::uint64_t number, std::size_t size) {
  std::vector<std::uint8_t> record(size);
  for (std::size_t i = 0; i < size; ++i) {
    record[i] = static_cast<std::uint8_t>((number * 131 + i * 7 + 1) & 0xffu);
  }
  return record;
}

inline Records numbered_records(std::uint64_t first, std::uint64_t count, std::size_t size) {
  Records records;
  for (std::uint64_t i = 0; i < count; ++i) records.push_back(numbered_record(first + i, size));
  return records;
}

inline Records concat(Records a, const Records& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

inline std::string segment(std::uint64_t sequence) {
  return Wal::segment_name("wal", sequence);
}

inline WalOptions segments_of(std::uint64_t bytes) {
  WalOptions options;
  options.segment_bytes_max = bytes;
  return options;
}

inline std::unique_ptr<Wal> open_wal(FileSystem& file_system, const WalOptions& options = {},
                                     WalRecovery* recovery = nullptr) {
  auto opened = Wal::open(file_system, options, recovery);
  EXPECT_TRUE(opened.ok()) << opened.status().to_string();
  return opened.ok() ? std::move(opened).value() : nullptr;
}

// Opens the WAL and returns what it recovered (records, torn bytes, segments) or the error.
inline Result<WalRecovery> recover(FileSystem& file_system, const WalOptions& options = {}) {
  WalRecovery recovery;
  auto opened = Wal::open(file_system, options, &recovery);
  if (!opened.ok()) return opened.status();
  return recovery;
}

inline Records recovered_records(FileSystem& file_system, const WalOptions& options = {}) {
  auto recovery = recover(file_system, options);
  EXPECT_TRUE(recovery.ok()) << recovery.status().to_string();
  return recovery.ok() ? recovery.value().records : Records{};
}

inline void append_all(Wal& wal, const Records& records) {
  for (const auto& record : records) ASSERT_TRUE(wal.append(record).ok());
}

// A FileSystem that forwards to another until its budget of mutating operations (create, write,
// append, truncate, sync, remove, rename) is spent; then every mutating call fails with
// io_error, as if the process died there. With fail_once only that one call fails; with
// append_half a failing append still writes the first half of its data (a medium that breaks
// the FileSystem contract mid-write). Reads always pass.
class StoppingFileSystem final : public FileSystem {
 public:
  explicit StoppingFileSystem(FileSystem& inner) : inner_(inner) {}

  void stop_after(std::uint64_t operations, bool fail_once = false, bool append_half = false) {
    budget_ = operations;
    fail_once_ = fail_once;
    append_half_ = append_half;
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
    const bool stops = budget_ && *budget_ == 0;
    Status status = step([&] { return inner_.append(name, data); });
    if (stops && append_half_) {
      EXPECT_TRUE(inner_.append(name, data.first(data.size() / 2)).ok());
    }
    return status;
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
  bool append_half_ = false;
  std::uint64_t operations_ = 0;
};

// The rewrite scenario the crash tests replay: an old log over several segments (plus one
// unsynced record that a crash loses), compacted to a new log over several segments.
struct RewriteScenario {
  static constexpr std::uint64_t kSegmentBytes = 128;
  const Records old_log = numbered_records(0, 5, 30);
  const Records new_log = numbered_records(100, 5, 20);
  WalOptions options = segments_of(kSegmentBytes);

  // Opens and fills the old log through `file_system`; returns the WAL ready for rewrite().
  std::unique_ptr<Wal> prepare(FileSystem& file_system) const {
    auto wal = open_wal(file_system, options);
    if (wal == nullptr) return nullptr;
    for (const auto& record : old_log) EXPECT_TRUE(wal->append(record).ok());
    EXPECT_TRUE(wal->sync().ok());
    EXPECT_TRUE(wal->append(numbered_record(999, 30)).ok());
    return wal;
  }
};

inline std::uint64_t rewrite_operation_count(const RewriteScenario& scenario) {
  MemoryFileSystem disk;  // counting operations: any correct file system gives the same count
  StoppingFileSystem file_system(disk);
  auto wal = scenario.prepare(file_system);
  const std::uint64_t before = file_system.operations();
  EXPECT_TRUE(wal->rewrite(scenario.new_log).ok());
  return file_system.operations() - before;
}

}  // namespace raftsim::testing

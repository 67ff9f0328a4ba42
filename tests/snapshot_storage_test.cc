// Snapshot files and the log's snapshot marker on the in-memory file system (raft/memory): saves
// are atomic and checksummed, damaged files are skipped for the previous one, the log drops its
// prefix behind a snapshot (keeping a matching suffix) and all of it survives crashes.
#include <gtest/gtest.h>

#include "raft/memory/memory_file_system.h"
#include "raft/storage/log_storage.h"
#include "raft/storage/snapshot_store.h"

namespace raftsim {
namespace {

struct Disk {
  MemoryFileSystem disk;
};

std::vector<std::uint8_t> bytes_of(std::size_t size, std::uint8_t seed) {
  std::vector<std::uint8_t> data(size);
  for (std::size_t i = 0; i < size; ++i) data[i] = static_cast<std::uint8_t>(seed + i * 13);
  return data;
}

std::vector<Entry> entries(Index first, Index last, Term term) {
  std::vector<Entry> out;
  for (Index index = first; index <= last; ++index) {
    out.push_back(Entry{term, index, EntryType::normal, SharedBytes(bytes_of(8, index & 0xff))});
  }
  return out;
}

TEST(SnapshotStore, SavesLoadsAndKeepsTheNewestTwo) {
  Disk disk;
  SnapshotStore store(disk.disk, {});
  for (Index index : {10u, 20u, 30u}) {
    ASSERT_TRUE(store.save({index, 2}, bytes_of(1000 + index, index)).ok());
  }
  ASSERT_EQ(store.list().size(), 2u);
  EXPECT_EQ(store.list().front().index, 20u);
  disk.disk.crash();  // everything was synced before the rename
  auto loaded = store.load_newest();
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded.value().snapshot.meta, (SnapshotMeta{30, 2}));
  EXPECT_EQ(loaded.value().snapshot.data, SharedBytes(bytes_of(1030, 30)));
  EXPECT_TRUE(loaded.value().damaged.empty());
  EXPECT_FALSE(store.save({30, 2}, bytes_of(5, 1)).ok()) << "not newer than the newest";
}

TEST(SnapshotStore, ADamagedNewestFileFallsBackToThePreviousOne) {
  for (std::uint64_t bit : {3u * 8, 40u * 8 + 1, 600u * 8 + 5}) {  // magic, data length, data
    Disk disk;
    SnapshotStore store(disk.disk, {});
    ASSERT_TRUE(store.save({10, 1}, bytes_of(700, 1)).ok());
    ASSERT_TRUE(store.save({20, 1}, bytes_of(700, 2)).ok());
    ASSERT_TRUE(disk.disk.corrupt_bit(store.file_name({20, 1}), bit).ok());
    auto loaded = store.load_newest();
    ASSERT_TRUE(loaded.ok());
    EXPECT_EQ(loaded.value().snapshot.meta.index, 10u) << "bit " << bit;
    ASSERT_EQ(loaded.value().damaged.size(), 1u);
    EXPECT_NE(loaded.value().damaged[0].find("checksum"), std::string::npos)
        << loaded.value().damaged[0];
  }
}

TEST(SnapshotStore, AnInterruptedSaveLeavesTheOldSet) {
  Disk disk;
  SnapshotStore store(disk.disk, {});
  ASSERT_TRUE(store.save({10, 1}, bytes_of(100, 1)).ok());
  // A save that dies before its rename: a .tmp file, never synced.
  ASSERT_TRUE(disk.disk.create("snap-0000000000000014-0000000000000001.tmp").ok());
  ASSERT_TRUE(disk.disk.append("snap-0000000000000014-0000000000000001.tmp", bytes_of(50, 3)).ok());
  disk.disk.crash();
  auto loaded = store.load_newest();
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded.value().snapshot.meta.index, 10u);
  ASSERT_TRUE(store.remove_partial_saves().ok());
  for (const std::string& name : disk.disk.list()) EXPECT_EQ(name.find(".tmp"), std::string::npos);
}

std::unique_ptr<LogStorage> open_log(Disk& disk) {
  auto opened = LogStorage::open(disk.disk, {});
  EXPECT_TRUE(opened.ok()) << opened.status().to_string();
  return opened.ok() ? std::move(opened).value() : nullptr;
}

TEST(LogStorageSnapshot, CompactionKeepsTheSuffixAndSurvivesACrash) {
  Disk disk;
  auto log = open_log(disk);
  ASSERT_TRUE(log->save(HardState{3, 1}, 0, entries(1, 50, 3)).ok());
  ASSERT_TRUE(log->apply_snapshot({40, 3}).ok());
  EXPECT_EQ(log->base(), (SnapshotMeta{40, 3}));
  EXPECT_EQ(log->entries().size(), 10u);
  ASSERT_TRUE(log->save(std::nullopt, 0, entries(51, 55, 3)).ok());
  disk.disk.crash();
  log = open_log(disk);
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->base(), (SnapshotMeta{40, 3}));
  EXPECT_EQ(log->hard_state(), (HardState{3, 1}));
  const std::vector<Entry> recovered = log->entries();
  ASSERT_EQ(recovered.size(), 15u);
  EXPECT_EQ(recovered.front().index, 41u);
  EXPECT_EQ(recovered.back().index, 55u);
  EXPECT_EQ(log->entries_after(50).size(), 5u);
}

TEST(LogStorageSnapshot, AnInstalledSnapshotThatDisagreesDropsTheWholeLog) {
  Disk disk;
  auto log = open_log(disk);
  ASSERT_TRUE(log->save(HardState{2, 0}, 0, entries(1, 30, 2)).ok());
  ASSERT_TRUE(log->save(HardState{5, kNoNode}, 0, {}).ok());
  ASSERT_TRUE(log->apply_snapshot({25, 4}).ok());  // entry 25 has term 2 here: conflict
  EXPECT_TRUE(log->entries().empty());
  ASSERT_TRUE(log->save(std::nullopt, 0, entries(26, 27, 5)).ok());
  disk.disk.crash();
  log = open_log(disk);
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->base(), (SnapshotMeta{25, 4}));
  ASSERT_EQ(log->entries().size(), 2u);
  EXPECT_EQ(log->term_at(26), 5u);
  ASSERT_TRUE(log->apply_snapshot({10, 2}).ok()) << "older than the base: the log is dropped";
  EXPECT_TRUE(log->entries().empty());
  EXPECT_EQ(log->base(), (SnapshotMeta{10, 2}));
}

TEST(LogStorageSnapshot, SizeTriggeredRewriteKeepsTheMarker) {
  Disk disk;
  LogStorageOptions options;
  options.compact_after_bytes = 4096;
  auto opened = LogStorage::open(disk.disk, options);
  ASSERT_TRUE(opened.ok());
  auto log = std::move(opened).value();
  ASSERT_TRUE(log->save(HardState{1, 0}, 0, entries(1, 20, 1)).ok());
  ASSERT_TRUE(log->apply_snapshot({20, 1}).ok());
  for (Index first = 21; first < 400; first += 10) {
    ASSERT_TRUE(log->save(std::nullopt, 0, entries(first, first + 9, 1)).ok());
  }
  disk.disk.crash();
  opened = LogStorage::open(disk.disk, options);
  ASSERT_TRUE(opened.ok()) << opened.status().to_string();
  EXPECT_EQ(opened.value()->base().index, 20u);
  EXPECT_EQ(opened.value()->entries().front().index, 21u);
  EXPECT_EQ(opened.value()->entries().back().index, 400u);
}

}  // namespace
}  // namespace raftsim

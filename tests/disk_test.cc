// Tests for sim/kernel/disk: the durable/unsynced boundary, torn writes, corruption, full disk,
// and a model-based property for what survives a crash.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <string>

#include "sim/kernel/disk.h"

namespace raftsim::sim {
namespace {

std::vector<std::uint8_t> bytes(std::string_view text) {
  return {text.begin(), text.end()};
}

struct DiskHarness {
  explicit DiskHarness(const DiskConfig& config = {}, std::uint64_t seed = 1)
      : disk(0, config, Random::stream(seed, "disk/0"), scheduler, trace) {}
  std::vector<std::uint8_t> contents(std::string_view name) {
    auto size = disk.size(name);
    EXPECT_TRUE(size.ok());
    auto data = disk.read(name, 0, size.value());
    EXPECT_TRUE(data.ok());
    return data.value();
  }
  Scheduler scheduler;
  Trace trace;
  SimDisk disk;
};

TEST(Disk, WritesAreVisibleAtOnceButDurableOnlyAfterSync) {
  DiskHarness h;
  ASSERT_TRUE(h.disk.create("log").ok());
  ASSERT_TRUE(h.disk.append("log", bytes("hello")).ok());
  ASSERT_TRUE(h.disk.sync("log").ok());
  ASSERT_TRUE(h.disk.append("log", bytes(" world")).ok());
  EXPECT_EQ(h.contents("log"), bytes("hello world"));
  h.disk.crash();
  EXPECT_EQ(h.contents("log"), bytes("hello"));
}

TEST(Disk, SyncCostsSimulatedTime) {
  DiskConfig config;
  config.sync_latency_min = milliseconds(3);
  config.sync_latency_max = milliseconds(3);
  DiskHarness h(config);
  ASSERT_TRUE(h.disk.create("f").ok());
  ASSERT_TRUE(h.disk.sync("f").ok());
  ASSERT_TRUE(h.disk.sync("f").ok());
  EXPECT_EQ(h.disk.take_busy_time(), milliseconds(6));
  EXPECT_EQ(h.disk.take_busy_time(), 0);
}

TEST(Disk, TornWriteKeepsAStrictPrefixOfTheLastWrite) {
  DiskConfig config;
  config.torn_write_on_crash = Ratio::one();
  int saw_partial = 0;
  for (std::uint64_t seed = 1; seed <= 50; ++seed) {
    DiskHarness h(config, seed);
    ASSERT_TRUE(h.disk.create("wal").ok());
    ASSERT_TRUE(h.disk.append("wal", bytes("synced|")).ok());
    ASSERT_TRUE(h.disk.sync("wal").ok());
    ASSERT_TRUE(h.disk.append("wal", bytes("0123456789")).ok());
    h.disk.crash();
    const auto after = h.contents("wal");
    ASSERT_GE(after.size(), 7u);
    ASSERT_LT(after.size(), 17u);
    EXPECT_EQ(after, bytes(std::string("synced|0123456789").substr(0, after.size())));
    saw_partial += after.size() > 7;
  }
  EXPECT_GT(saw_partial, 30);
}

TEST(Disk, TruncateIsUndoneByACrashUntilSynced) {
  DiskHarness h;
  ASSERT_TRUE(h.disk.create("f").ok());
  ASSERT_TRUE(h.disk.append("f", bytes("abcdef")).ok());
  ASSERT_TRUE(h.disk.sync("f").ok());
  ASSERT_TRUE(h.disk.truncate("f", 2).ok());
  EXPECT_EQ(h.contents("f"), bytes("ab"));
  h.disk.crash();
  EXPECT_EQ(h.contents("f"), bytes("abcdef"));
  ASSERT_TRUE(h.disk.truncate("f", 2).ok());
  ASSERT_TRUE(h.disk.sync("f").ok());
  h.disk.crash();
  EXPECT_EQ(h.contents("f"), bytes("ab"));
}

TEST(Disk, FullDiskFailsTheWriteAndChangesNothing) {
  DiskConfig config;
  config.capacity_bytes = 10;
  DiskHarness h(config);
  ASSERT_TRUE(h.disk.create("f").ok());
  ASSERT_TRUE(h.disk.append("f", bytes("12345678")).ok());
  EXPECT_EQ(h.disk.append("f", bytes("abc")).code(), StatusCode::no_space);
  EXPECT_EQ(h.contents("f"), bytes("12345678"));
  EXPECT_TRUE(h.disk.write("f", 0, bytes("xy")).ok());  // overwrites need no new space
  EXPECT_TRUE(h.disk.append("f", bytes("zz")).ok());
  EXPECT_EQ(h.disk.used_bytes(), 10u);
}

TEST(Disk, CorruptionFlipsExactlyOneBitInBothImages) {
  DiskHarness h;
  ASSERT_TRUE(h.disk.create("f").ok());
  ASSERT_TRUE(h.disk.append("f", bytes("AAAA")).ok());
  ASSERT_TRUE(h.disk.sync("f").ok());
  ASSERT_TRUE(h.disk.corrupt_bit("f", 8 * 2 + 1).ok());
  EXPECT_EQ(h.contents("f"), bytes("AACA"));
  h.disk.crash();
  EXPECT_EQ(h.contents("f"), bytes("AACA"));
  EXPECT_EQ(h.disk.corrupt_bit("f", 8 * 4).code(), StatusCode::out_of_range);
}

TEST(Disk, NamespaceOperations) {
  DiskHarness h;
  EXPECT_EQ(h.disk.append("missing", bytes("x")).code(), StatusCode::not_found);
  ASSERT_TRUE(h.disk.create("b").ok());
  ASSERT_TRUE(h.disk.create("a").ok());
  EXPECT_EQ(h.disk.create("a").code(), StatusCode::already_exists);
  EXPECT_EQ(h.disk.list(), (std::vector<std::string>{"a", "b"}));
  ASSERT_TRUE(h.disk.append("a", bytes("snapshot")).ok());
  ASSERT_TRUE(h.disk.rename("a", "b").ok());
  EXPECT_EQ(h.disk.list(), (std::vector<std::string>{"b"}));
  EXPECT_EQ(h.contents("b"), bytes("snapshot"));
  ASSERT_TRUE(h.disk.remove("b").ok());
  EXPECT_TRUE(h.disk.list().empty());
  EXPECT_EQ(h.disk.used_bytes(), 0u);
  EXPECT_EQ(h.disk.write("nope", 0, bytes("x")).code(), StatusCode::not_found);
}

TEST(Disk, WritePastEndIsRejected) {
  DiskHarness h;
  ASSERT_TRUE(h.disk.create("f").ok());
  EXPECT_EQ(h.disk.write("f", 3, bytes("x")).code(), StatusCode::out_of_range);
}

// Model: the synced image, the current image and the last unsynced write, per the contract in
// disk.h. After a crash the file must be synced + at most a strict prefix of the last write.
RC_GTEST_PROP(DiskProperty, CrashLeavesSyncedContentPlusAtMostATornPrefix, ()) {
  DiskConfig config;
  config.torn_write_on_crash = Ratio::percent(*rc::gen::inRange(0, 101));
  const auto seed = *rc::gen::arbitrary<std::uint64_t>();
  DiskHarness h(config, seed);
  RC_ASSERT(h.disk.create("f").ok());
  // The same seed and operations on a fresh disk must give the same trace (checked at the end).
  DiskHarness replay(config, seed);
  RC_ASSERT(replay.disk.create("f").ok());
  std::vector<std::uint8_t> synced, current;
  std::optional<std::pair<std::uint64_t, std::vector<std::uint8_t>>> last_write;
  const auto steps = *rc::gen::inRange(1, 40);
  for (int step = 0; step < steps; ++step) {
    const int action = *rc::gen::inRange(0, 10);
    if (action < 5) {
      const auto data = *rc::gen::nonEmpty<std::vector<std::uint8_t>>();
      const std::uint64_t offset = *rc::gen::inRange<std::uint64_t>(0, current.size() + 1);
      RC_ASSERT(h.disk.write("f", offset, data).ok());
      RC_ASSERT(replay.disk.write("f", offset, data).ok());
      if (offset + data.size() > current.size()) current.resize(offset + data.size());
      std::copy(data.begin(), data.end(), current.begin() + static_cast<std::ptrdiff_t>(offset));
      last_write = std::make_pair(offset, data);
    } else if (action < 7) {
      RC_ASSERT(h.disk.sync("f").ok());
      RC_ASSERT(replay.disk.sync("f").ok());
      synced = current;
      last_write.reset();
    } else if (action < 8) {
      const std::uint64_t size = *rc::gen::inRange<std::uint64_t>(0, current.size() + 1);
      RC_ASSERT(h.disk.truncate("f", size).ok());
      RC_ASSERT(replay.disk.truncate("f", size).ok());
      current.resize(size);
      last_write.reset();
    } else {
      h.disk.crash();
      replay.disk.crash();
      const auto after = h.contents("f");
      bool matches_synced = after == synced;
      bool matches_torn = false;
      if (last_write && last_write->first <= synced.size()) {
        for (std::size_t kept = 0; kept < last_write->second.size() && !matches_torn; ++kept) {
          auto torn = synced;
          const std::uint64_t end = last_write->first + kept;
          if (end > torn.size()) torn.resize(end);
          std::copy(last_write->second.begin(),
                    last_write->second.begin() + static_cast<std::ptrdiff_t>(kept),
                    torn.begin() + static_cast<std::ptrdiff_t>(last_write->first));
          matches_torn = after == torn;
        }
      }
      RC_ASSERT(matches_synced || matches_torn);
      synced = current = after;  // what survived is the new durable image
      last_write.reset();
    }
    RC_ASSERT(h.contents("f") == current);
    RC_ASSERT(*h.disk.durable_image("f") == synced);
  }
  RC_ASSERT(h.trace.hash() == replay.trace.hash());
}

}  // namespace
}  // namespace raftsim::sim

namespace raftsim::sim {
namespace {

TEST(Disk, CrashDuringAnInFlightFsyncLosesWhatItWasSyncing) {
  DiskConfig config;
  config.crash_can_interrupt_sync = true;
  config.sync_latency_min = config.sync_latency_max = milliseconds(2);
  DiskHarness h(config);
  ASSERT_TRUE(h.disk.create("wal").ok());
  ASSERT_TRUE(h.disk.append("wal", bytes("first")).ok());
  ASSERT_TRUE(h.disk.sync("wal").ok());
  h.scheduler.run_until(milliseconds(5));  // the first fsync completes
  ASSERT_TRUE(h.disk.append("wal", bytes("second")).ok());
  ASSERT_TRUE(h.disk.sync("wal").ok());  // in flight until 7 ms
  EXPECT_EQ(*h.disk.durable_image("wal"), bytes("first"));
  h.scheduler.run_until(milliseconds(6));
  h.disk.crash();
  EXPECT_EQ(h.contents("wal"), bytes("first"));
}

TEST(Disk, CompletedFsyncSurvivesACrash) {
  DiskConfig config;
  config.crash_can_interrupt_sync = true;
  config.sync_latency_min = config.sync_latency_max = milliseconds(2);
  DiskHarness h(config);
  ASSERT_TRUE(h.disk.create("wal").ok());
  ASSERT_TRUE(h.disk.append("wal", bytes("data")).ok());
  ASSERT_TRUE(h.disk.sync("wal").ok());
  h.scheduler.run_until(milliseconds(2));
  h.disk.crash();
  EXPECT_EQ(h.contents("wal"), bytes("data"));
}

}  // namespace
}  // namespace raftsim::sim

namespace raftsim::sim {
namespace {

// A create, remove or rename issued while an fsync of the same handler is in flight is ordered
// after that fsync (a real host waits for it): a crash before the fsync completes undoes it, so
// "write the new file, sync, then remove the old one" can never lose both.
TEST(Disk, MetadataAfterAnInFlightSyncIsUndoneByACrashBeforeItCompletes) {
  DiskConfig config;
  config.crash_can_interrupt_sync = true;
  config.sync_latency_min = milliseconds(5);
  config.sync_latency_max = milliseconds(5);
  for (bool crash_early : {true, false}) {
    DiskHarness h(config);
    ASSERT_TRUE(h.disk.create("old").ok());
    ASSERT_TRUE(h.disk.append("old", bytes("OLD")).ok());
    ASSERT_TRUE(h.disk.create("target").ok());
    ASSERT_TRUE(h.disk.append("target", bytes("T")).ok());
    ASSERT_TRUE(h.disk.sync("old").ok());
    ASSERT_TRUE(h.disk.sync("target").ok());
    (void)h.disk.take_busy_time();
    h.scheduler.run_until(milliseconds(20));  // both durable now
    // One handler: write a new file and sync it, then rename it over the target and remove old.
    ASSERT_TRUE(h.disk.create("new.tmp").ok());
    ASSERT_TRUE(h.disk.append("new.tmp", bytes("NEW")).ok());
    ASSERT_TRUE(h.disk.sync("new.tmp").ok());
    ASSERT_TRUE(h.disk.rename("new.tmp", "target").ok());
    ASSERT_TRUE(h.disk.remove("old").ok());
    (void)h.disk.take_busy_time();
    EXPECT_EQ(h.disk.list(), (std::vector<std::string>{"target"}));
    h.scheduler.run_until(milliseconds(crash_early ? 22 : 30));
    h.disk.crash();
    if (crash_early) {
      // The create came before any sync of this handler, so it stands (empty: its data's sync
      // never completed); the rename and the remove after that sync are undone.
      EXPECT_EQ(h.disk.list(), (std::vector<std::string>{"new.tmp", "old", "target"}));
      EXPECT_TRUE(h.contents("new.tmp").empty());
      EXPECT_EQ(h.contents("old"), bytes("OLD"));
      EXPECT_EQ(h.contents("target"), bytes("T"));
    } else {
      EXPECT_EQ(h.disk.list(), (std::vector<std::string>{"target"}));
      EXPECT_EQ(h.contents("target"), bytes("NEW"));
    }
  }
}

}  // namespace
}  // namespace raftsim::sim

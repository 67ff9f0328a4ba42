// Tests for raft/storage/wal that need the simulated disk's faults (sim/kernel/disk.h): torn
// writes on crash (the cut-away tail, rewrite interrupted at every step, a model-based crash
// property) and determinism of the disk trace. Everything else runs on the in-memory file system
// in wal_test.cc.
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <optional>
#include <string>

#include "raft/storage/wal.h"
#include "sim/kernel/disk.h"
#include "tests/wal_test_util.h"

namespace raftsim {
namespace {

using namespace raftsim::testing;

using sim::DiskConfig;
using sim::Random;
using sim::Ratio;
using sim::Scheduler;
using sim::SimDisk;
using sim::Trace;

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

TEST(WalRewrite, CrashAtEveryStepRecoversTheOldOrTheNewLogNeverAMix) {
  const RewriteScenario scenario;
  const std::uint64_t steps = rewrite_operation_count(scenario);
  ASSERT_GE(steps, 8u);  // 3 new segments (create, append, sync) + old segments removed
  bool committed = false;
  for (std::uint64_t step = 0; step <= steps; ++step) {
    for (std::uint64_t seed = 1; seed <= 4; ++seed) {
      SCOPED_TRACE("stop after " + std::to_string(step) + " operations, seed " +
                   std::to_string(seed));
      WalHarness h(tearing(seed % 2 == 0 ? Ratio::one() : Ratio::percent(50)), seed);
      StoppingFileSystem file_system(h.disk);
      auto wal = scenario.prepare(file_system);
      ASSERT_NE(wal, nullptr);
      file_system.stop_after(step);
      const Status status = wal->rewrite(scenario.new_log);
      EXPECT_EQ(status.ok(), step == steps) << status.to_string();
      wal.reset();
      h.disk.crash();
      const Records recovered = recovered_records(h.disk, scenario.options);
      const bool is_new = recovered == scenario.new_log;
      // The old log, with or without its unsynced last record (rewrite syncs it first).
      const bool is_old = recovered == scenario.old_log ||
                          recovered == concat(scenario.old_log, numbered_records(999, 1, 30));
      EXPECT_TRUE(is_new || is_old);
      EXPECT_TRUE(is_new || !committed) << "once committed, a rewrite stays committed";
      committed = committed || is_new;
      // Recovery repaired the files: a second recovery finds the same log and nothing to fix.
      auto again = recover(h.disk, scenario.options);
      ASSERT_TRUE(again.ok()) << again.status().to_string();
      EXPECT_EQ(again.value().records, recovered);
      EXPECT_EQ(again.value().segments_removed, 0u);
      EXPECT_EQ(again.value().torn_bytes_dropped, 0u);
    }
  }
  EXPECT_TRUE(committed);
}

TEST(WalRewrite, CrashDuringRecoveryOfAnInterruptedRewriteChangesNothing) {
  const RewriteScenario scenario;
  const std::uint64_t steps = rewrite_operation_count(scenario);
  for (std::uint64_t step = 0; step < steps; ++step) {
    // The log an undisturbed recovery finds, and how many operations that recovery takes.
    Records expected;
    std::uint64_t recovery_steps = 0;
    for (std::optional<std::uint64_t> stop; !stop || *stop <= recovery_steps;
         stop = stop ? *stop + 1 : 0) {
      SCOPED_TRACE("rewrite stopped after " + std::to_string(step) + ", recovery after " +
                   (stop ? std::to_string(*stop) : std::string("never")));
      WalHarness h(tearing(Ratio::one()), step + 1);
      StoppingFileSystem file_system(h.disk);
      auto wal = scenario.prepare(file_system);
      file_system.stop_after(step);
      EXPECT_FALSE(wal->rewrite(scenario.new_log).ok());
      wal.reset();
      h.disk.crash();
      StoppingFileSystem recovering(h.disk);
      if (stop) recovering.stop_after(*stop);
      auto opened = Wal::open(recovering, scenario.options, nullptr);
      if (!stop) {
        ASSERT_TRUE(opened.ok()) << opened.status().to_string();
        recovery_steps = recovering.operations();
      }
      opened = Result<std::unique_ptr<Wal>>(Status(StatusCode::unavailable, "closed"));
      h.disk.crash();
      const Records recovered = recovered_records(h.disk, scenario.options);
      if (!stop) expected = recovered;
      EXPECT_EQ(recovered, expected);
    }
  }
}

// --- the crash property ----------------------------------------------------------------------

// Model: the records appended since the last recovery or rewrite, and how many of them a sync
// (or rewrite, or recovery) made durable. After a crash, recovery must return a prefix of the
// model's records that holds every durable one.
RC_GTEST_PROP(WalProperty, CrashRecoversAPrefixHoldingEverySyncedRecord, ()) {
  const auto seed = *rc::gen::arbitrary<std::uint64_t>();
  const auto torn_percent = *rc::gen::inRange<std::uint64_t>(0, 101);
  WalHarness h(tearing(Ratio::percent(torn_percent)), seed);
  const WalOptions options = segments_of(*rc::gen::inRange<std::uint64_t>(64, 2048));
  auto wal = open_wal(h.disk, options);
  RC_ASSERT(wal != nullptr);
  Records log;
  std::size_t durable = 0;
  std::uint64_t next_number = 0;
  int torn_tails_cut = 0;
  const auto crash_and_recover = [&] {
    wal.reset();
    h.disk.crash();
    WalRecovery recovery;
    auto opened = Wal::open(h.disk, options, &recovery);
    RC_ASSERT(opened.ok());
    wal = std::move(opened).value();
    RC_ASSERT(recovery.records.size() >= durable);
    RC_ASSERT(recovery.records.size() <= log.size());
    RC_ASSERT(std::equal(recovery.records.begin(), recovery.records.end(), log.begin()));
    torn_tails_cut += recovery.torn_bytes_dropped > 0 ? 1 : 0;
    log = recovery.records;
    durable = log.size();
  };
  const auto steps = *rc::gen::inRange(1, 60);
  for (int step = 0; step < steps; ++step) {
    const int action = *rc::gen::inRange(0, 100);
    if (action < 50) {
      const auto size = *rc::gen::inRange<std::size_t>(0, 200);
      log.push_back(numbered_record(next_number++, size));
      RC_ASSERT(wal->append(log.back()).ok());
    } else if (action < 70) {
      RC_ASSERT(wal->sync().ok());
      durable = log.size();
    } else if (action < 75) {
      // Compaction: keep a suffix of the log.
      const auto keep_from = *rc::gen::inRange<std::size_t>(0, log.size() + 1);
      log.erase(log.begin(), log.begin() + static_cast<std::ptrdiff_t>(keep_from));
      RC_ASSERT(wal->rewrite(log).ok());
      durable = log.size();
    } else if (action < 85) {
      // A crash right after a write that followed a sync: the case where a write can tear.
      RC_ASSERT(wal->sync().ok());
      durable = log.size();
      log.push_back(numbered_record(next_number++, *rc::gen::inRange<std::size_t>(0, 200)));
      RC_ASSERT(wal->append(log.back()).ok());
      crash_and_recover();
    } else {
      crash_and_recover();
    }
    RC_ASSERT(wal->record_count() == log.size());
  }
  crash_and_recover();
  RC_CLASSIFY(torn_tails_cut > 0, "a torn tail was cut");
  // The recovered log keeps working: append, sync, reopen without a crash.
  for (int i = 0; i < 3; ++i) {
    log.push_back(numbered_record(next_number++, 17));
    RC_ASSERT(wal->append(log.back()).ok());
  }
  RC_ASSERT(wal->sync().ok());
  wal.reset();
  auto reopened = recover(h.disk, options);
  RC_ASSERT(reopened.ok());
  RC_ASSERT(reopened.value().records == log);
}

// The file system dies at a random operation inside any WAL call (append, roll, sync, rewrite),
// then the disk crashes. Recovery must find a prefix of the appended records holding every
// synced one, or, if the call that died was a rewrite, possibly exactly the rewritten log.
RC_GTEST_PROP(WalProperty, DeathInsideAnyOperationRecoversAPrefixOrTheRewrittenLog, ()) {
  const auto seed = *rc::gen::arbitrary<std::uint64_t>();
  WalHarness h(tearing(Ratio::percent(*rc::gen::inRange<std::uint64_t>(0, 101))), seed);
  StoppingFileSystem file_system(h.disk);
  const WalOptions options = segments_of(*rc::gen::inRange<std::uint64_t>(64, 1024));
  auto wal = open_wal(file_system, options);
  RC_ASSERT(wal != nullptr);
  file_system.stop_after(*rc::gen::inRange<std::uint64_t>(0, 80));
  Records log;
  std::size_t durable = 0;
  std::optional<Records> interrupted_rewrite;
  std::uint64_t next_number = 0;
  for (bool alive = true; alive;) {
    const int action = *rc::gen::inRange(0, 100);
    if (action < 50) {
      auto record = numbered_record(next_number++, *rc::gen::inRange<std::size_t>(0, 150));
      alive = wal->append(record).ok();
      if (alive) log.push_back(std::move(record));
    } else if (action < 75) {
      alive = wal->sync().ok();
      if (alive) durable = log.size();
    } else {
      Records compacted(log.begin() + static_cast<std::ptrdiff_t>(log.size() / 2), log.end());
      compacted.push_back(numbered_record(next_number++, 30));
      alive = wal->rewrite(compacted).ok();
      if (alive) {
        log = compacted;
        durable = log.size();
      } else {
        interrupted_rewrite = compacted;
      }
    }
  }
  wal.reset();
  h.disk.crash();
  const Records recovered = recovered_records(h.disk, options);
  const bool is_prefix = recovered.size() >= durable && recovered.size() <= log.size() &&
                         std::equal(recovered.begin(), recovered.end(), log.begin());
  RC_CLASSIFY(interrupted_rewrite.has_value(), "died inside a rewrite");
  RC_ASSERT(is_prefix || recovered == interrupted_rewrite);
}

// --- determinism -----------------------------------------------------------------------------

// Appends, syncs, rolls, crashes with torn writes, recovers and compacts; returns the trace hash.
std::uint64_t scripted_run_trace_hash(std::uint64_t seed) {
  WalHarness h(tearing(Ratio::percent(50)), seed);
  const WalOptions options = segments_of(200);
  for (std::uint64_t round = 0; round < 5; ++round) {
    auto wal = open_wal(h.disk, options);
    if (wal == nullptr) return 0;
    for (std::uint64_t i = 0; i < 12; ++i) {
      EXPECT_TRUE(wal->append(numbered_record(round * 100 + i, 10 + i * 3)).ok());
      if (i % 5 == 4) {
        EXPECT_TRUE(wal->sync().ok());
      }
    }
    if (round == 3) {
      EXPECT_TRUE(wal->rewrite(numbered_records(7, 4, 25)).ok());
    }
    wal.reset();
    h.disk.crash();
  }
  return h.trace.hash();
}

TEST(WalDeterminism, SameSeedAndOperationsGiveTheSameTraceHash) {
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    EXPECT_EQ(scripted_run_trace_hash(seed), scripted_run_trace_hash(seed)) << "seed " << seed;
  }
  EXPECT_NE(scripted_run_trace_hash(1), scripted_run_trace_hash(2));
}

}  // namespace
}  // namespace raftsim

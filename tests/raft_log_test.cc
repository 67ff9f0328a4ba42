// RaftLog (raft/core/log.h) on its own: indexes and terms around a snapshot, appends that skip
// what is held and truncate at the first conflict, the stable mark and the rewrite point storage
// needs, slicing limits, the backtracking helpers, compaction and restore -- and the invariants
// it refuses to break (a failed check throws here instead of aborting).
#include <gtest/gtest.h>

#include "raft/base/check.h"
#include "raft/core/log.h"

namespace raftsim {
namespace {

Entry entry(Index index, Term term, std::size_t bytes = 0) {
  return Entry{term, index, EntryType::normal,
               SharedBytes(std::vector<std::uint8_t>(bytes, static_cast<std::uint8_t>(index)))};
}

// (index/term) 1/1 2/1 3/2 4/2 5/3.
std::vector<Entry> five_entries_vector() {
  return {entry(1, 1), entry(2, 1), entry(3, 2), entry(4, 2), entry(5, 3)};
}

// A log holding five_entries_vector(), all stable.
RaftLog five_entries() {
  return RaftLog(five_entries_vector());
}

TEST(RaftLog, FreshLogIsEmptyWithTermZeroAtIndexZero) {
  const RaftLog log;
  EXPECT_EQ(log.first_index(), 1u);
  EXPECT_EQ(log.last_index(), 0u);
  EXPECT_EQ(log.last_term(), 0u);
  EXPECT_EQ(log.term_at(0), Term{0});
  EXPECT_EQ(log.term_at(1), std::nullopt);
  EXPECT_TRUE(log.unstable_entries().empty());
}

TEST(RaftLog, RecoveredEntriesAreStableAndNothingIsCommitted) {
  const RaftLog log = five_entries();
  EXPECT_EQ(log.stable(), 5u);
  EXPECT_EQ(log.committed(), 0u);
  EXPECT_EQ(log.last_term(), 3u);
  EXPECT_TRUE(log.matches(4, 2));
  EXPECT_FALSE(log.matches(4, 3));
}

TEST(RaftLog, UpToDateComparesLastTermThenLength) {  // paper §5.4.1
  const RaftLog log = five_entries();
  EXPECT_TRUE(log.is_up_to_date(5, 3));
  EXPECT_TRUE(log.is_up_to_date(2, 4));   // a later last term wins however short
  EXPECT_FALSE(log.is_up_to_date(4, 3));  // same term, shorter
  EXPECT_FALSE(log.is_up_to_date(9, 2));  // earlier last term loses however long
}

TEST(RaftLog, AppendSkipsHeldEntriesAndTruncatesAtTheFirstConflict) {
  RaftLog log = five_entries();
  const std::vector<Entry> held{entry(3, 2), entry(4, 2)};
  EXPECT_EQ(log.append_after(2, held), 4u);
  EXPECT_EQ(log.last_index(), 5u);  // nothing cut: the entries were already there
  EXPECT_EQ(log.truncations(), 0u);
  const std::vector<Entry> conflicting{entry(4, 4), entry(5, 4), entry(6, 4)};
  EXPECT_EQ(log.append_after(3, conflicting), 6u);
  EXPECT_EQ(log.last_index(), 6u);
  EXPECT_EQ(log.term_at(4), Term{4});
  EXPECT_EQ(log.truncations(), 1u);
  // Storage must cut its copy at 4 before writing the new entries.
  EXPECT_EQ(log.stable(), 3u);
  EXPECT_EQ(log.stable_rewrite_from(), 4u);
  ASSERT_EQ(log.unstable_entries().size(), 3u);
  log.stable_to(6, 4);
  EXPECT_EQ(log.stable(), 6u);
  EXPECT_EQ(log.stable_rewrite_from(), 0u);
}

TEST(RaftLog, StableToIgnoresAnEntryReplacedSinceTheReady) {
  RaftLog log;
  log.append_new(1, EntryType::normal, {});
  log.append_new(1, EntryType::normal, {});
  const std::vector<Entry> replacement{entry(2, 2)};
  log.append_after(1, replacement);
  log.stable_to(2, 1);  // the Ready that handed out 2/1 is acknowledged late
  EXPECT_EQ(log.stable(), 0u);
}

TEST(RaftLog, ACommittedEntryIsNeverOverwritten) {  // invariant 3
  RaftLog log = five_entries();
  log.commit_to(4);
  const ScopedThrowingChecks throwing;
  const std::vector<Entry> conflicting{entry(4, 5)};
  EXPECT_THROW(log.append_after(3, conflicting), CheckFailure);
}

TEST(RaftLog, CommitNeverGoesBackAndApplyStaysBehindCommit) {
  RaftLog log = five_entries();
  log.commit_to(4);
  log.commit_to(2);  // a stale commit index is a no-op
  EXPECT_EQ(log.committed(), 4u);
  EXPECT_EQ(log.entries_to_apply(10).size(), 4u);
  EXPECT_EQ(log.entries_to_apply(3).size(), 3u);
  log.applied_to(4);
  EXPECT_TRUE(log.entries_to_apply(10).empty());
  const ScopedThrowingChecks throwing;
  EXPECT_THROW(log.applied_to(5), CheckFailure);
  EXPECT_THROW(log.commit_to(6), CheckFailure);
}

TEST(RaftLog, SliceRespectsCountAndBytesButAlwaysMovesOneEntry) {
  RaftLog log({entry(1, 1, 10), entry(2, 1, 10), entry(3, 1, 100), entry(4, 1, 10)});
  EXPECT_EQ(log.slice(1, 2, 1000).size(), 2u);
  EXPECT_EQ(log.slice(1, 10, 25).size(), 2u);
  EXPECT_EQ(log.slice(3, 10, 5).size(), 1u);  // one huge entry still moves
  EXPECT_TRUE(log.slice(5, 10, 1000).empty());
}

TEST(RaftLog, BacktrackingHelpersFindTermBoundaries) {
  const RaftLog log = five_entries();
  EXPECT_EQ(log.first_index_of_term_at(4), 3u);
  EXPECT_EQ(log.first_index_of_term_at(2), 1u);
  EXPECT_EQ(log.last_index_with_term_at_most(2), 4u);
  EXPECT_EQ(log.last_index_with_term_at_most(0), 0u);
}

TEST(RaftLog, CompactionKeepsTheSnapshotTermAndRefusesUnappliedEntries) {
  RaftLog log = five_entries();
  log.commit_to(4);
  log.applied_to(3);
  {
    const ScopedThrowingChecks throwing;
    EXPECT_THROW(log.compact_to(4), CheckFailure);  // not applied yet
  }
  log.compact_to(3);
  EXPECT_EQ(log.snapshot_index(), 3u);
  EXPECT_EQ(log.first_index(), 4u);
  EXPECT_EQ(log.term_at(3), Term{2});
  EXPECT_EQ(log.term_at(2), std::nullopt);  // compacted
  EXPECT_EQ(log.last_index(), 5u);
}

TEST(RaftLog, RestoreReplacesTheLogWithASnapshotBeyondIt) {
  RaftLog log = five_entries();
  log.commit_to(2);
  log.restore(SnapshotMeta{8, 4});
  EXPECT_EQ(log.snapshot_index(), 8u);
  EXPECT_EQ(log.last_index(), 8u);
  EXPECT_EQ(log.committed(), 8u);
  EXPECT_EQ(log.applied(), 8u);
  EXPECT_EQ(log.stable(), 8u);
}

TEST(RaftLog, RestoreRefusesASnapshotThatTakesBackCommittedEntries) {  // invariant 2
  RaftLog log = five_entries();
  log.commit_to(4);
  const ScopedThrowingChecks throwing;
  EXPECT_THROW(log.restore(SnapshotMeta{3, 2}), CheckFailure);
  EXPECT_THROW(log.restore(SnapshotMeta{5, 3}), CheckFailure);  // held here: not a restore
}

TEST(RaftLog, TheSnapshotOverwritesNewerBugLetsAnOlderSnapshotThrough) {
  RaftLog log(five_entries_vector(), RaftBugs(RaftBug::snapshot_overwrites_newer));
  log.commit_to(4);
  log.restore(SnapshotMeta{3, 2});
  EXPECT_EQ(log.committed(), 3u);  // the commit index went back: what the checkers must catch
}

// held_bytes() is kept as entries come and go; it must equal a count from scratch after every
// kind of change (appends, a conflicting suffix cut off, compaction, a restored snapshot).
std::uint64_t counted_bytes(const RaftLog& log) {
  std::uint64_t total = 0;
  for (Index index = log.first_index(); index <= log.last_index(); ++index) {
    total += sizeof(Entry) + log.at(index).data.size();
  }
  return total;
}

TEST(RaftLog, HeldBytesFollowEveryChange) {
  RaftLog log({entry(1, 1, 10), entry(2, 1, 20), entry(3, 2, 30)});
  EXPECT_EQ(log.held_bytes(), counted_bytes(log));
  EXPECT_EQ(log.held_bytes(), 3 * sizeof(Entry) + 60);
  log.append_new(2, EntryType::normal, SharedBytes(std::vector<std::uint8_t>(7, 1)));
  EXPECT_EQ(log.held_bytes(), counted_bytes(log));
  // 3/3 conflicts with 3/2: entries 3 and 4 go, 3/3 and 4/3 come.
  const std::vector<Entry> conflicting = {entry(3, 3, 100), entry(4, 3, 1)};
  log.append_after(2, conflicting);
  EXPECT_EQ(log.held_bytes(), counted_bytes(log));
  EXPECT_EQ(log.held_bytes(), 4 * sizeof(Entry) + 10 + 20 + 100 + 1);
  log.stable_to(4, 3);
  log.commit_to(3);
  log.applied_to(3);
  log.compact_to(2);
  EXPECT_EQ(log.held_bytes(), counted_bytes(log));
  EXPECT_EQ(log.held_bytes(), 2 * sizeof(Entry) + 101);
  log.restore(SnapshotMeta{9, 4});
  EXPECT_EQ(log.held_bytes(), 0u);
}

TEST(RaftLog, HeldBytesFollowTheInjectedInPlaceReplacement) {
  RaftBugs bugs;
  bugs.add(RaftBug::no_truncate_on_conflict);
  RaftLog log({entry(1, 1, 10), entry(2, 1, 20), entry(3, 2, 30)}, bugs);
  const std::vector<Entry> conflicting = {entry(2, 2, 5)};
  log.append_after(1, conflicting);  // replaced in place, 3/2 stays after it
  EXPECT_EQ(log.held_bytes(), counted_bytes(log));
  EXPECT_EQ(log.held_bytes(), 3 * sizeof(Entry) + 45);
}

}  // namespace
}  // namespace raftsim

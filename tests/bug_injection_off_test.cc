// Injected bugs cost nothing when compiled out: the same tests run in raft_tests (injection built
// in: the configured bug acts) and in bug_injection_off_tests, whose core is built with
// RAFTSIM_BUG_INJECTION=0 (the configured bug must have no effect: its site is gone). A core
// built with the sites in, or a set that ignored the option, fails the second binary.
#include <gtest/gtest.h>

#include "raft/core/log.h"
#include "raft/core/raft.h"
#include "tests/stale_vote_request.h"

namespace raftsim {
namespace {

#ifdef RAFTSIM_EXPECT_BUG_INJECTION_OFF
static_assert(!RaftBugs::kInjectionCompiledIn, "this binary must be built without injection");
#endif

// A voter whose log (1/t1, 2/t1) is ahead of the candidate's (1/t1): does it grant its vote?
bool grants_vote_to_shorter_log(RaftBugs bugs) {
  const Ready ready = step_stale_vote_request(bugs);
  EXPECT_EQ(ready.messages.size(), 1u);
  return ready.messages.size() == 1 && !ready.messages[0].reject;
}

// A follower log (1/t1, 2/t1, 3/t2) receives 2/t2 after 1: how long is the log afterwards? (The
// bug keeps 3/t2 after the replaced entry; the correct log drops it.)
Index log_length_after_conflict(RaftBugs bugs) {
  RaftLog log({Entry{1, 1, EntryType::normal, {}}, Entry{1, 2, EntryType::normal, {}},
               Entry{2, 3, EntryType::normal, {}}},
              bugs);
  const Entry conflicting{2, 2, EntryType::normal, {}};
  log.append_after(1, std::span<const Entry>(&conflicting, 1));
  return log.last_index();
}

TEST(BugInjection, VoteIgnoresLogActsOnlyWhenCompiledIn) {
  EXPECT_FALSE(grants_vote_to_shorter_log({}));
  EXPECT_EQ(grants_vote_to_shorter_log(RaftBugs(RaftBug::vote_ignores_log)),
            RaftBugs::kInjectionCompiledIn);
}

TEST(BugInjection, NoTruncateOnConflictActsOnlyWhenCompiledIn) {
  EXPECT_EQ(log_length_after_conflict({}), 2u);
  EXPECT_EQ(log_length_after_conflict(RaftBugs(RaftBug::no_truncate_on_conflict)),
            RaftBugs::kInjectionCompiledIn ? 3u : 2u);
}

TEST(BugInjection, SetRecordsWhatWasAdded) {
  RaftBugs bugs;
  EXPECT_TRUE(bugs.empty());
  bugs.add(RaftBug::commit_prev_term);
  EXPECT_FALSE(bugs.empty());
  EXPECT_EQ(bugs.has(RaftBug::commit_prev_term), RaftBugs::kInjectionCompiledIn);
  EXPECT_FALSE(bugs.has(RaftBug::stale_term_append));
}

}  // namespace
}  // namespace raftsim

// The simulator's history as the linearizability checker reads it: a cas the client gave up on
// (every attempt turned away, nothing compared) must not read as a compare that failed.
#include <gtest/gtest.h>

#include "sim/linearizability/checker.h"
#include "sim/linearizability/import.h"
#include "sim/linearizability/models.h"
#include "sim/workload/history.h"

namespace raftsim::sim {
namespace {

linearizability::Verdict judge(const History& recorded, std::size_t* operations_seen) {
  auto history = linearizability::parse_raftsim_json(recorded.to_json(), "history");
  RAFTSIM_CHECK(history.ok());
  *operations_seen = history.value().operations.size();
  auto model = linearizability::make_model("kv");
  auto result = linearizability::check_history(history.value(), *model, {});
  RAFTSIM_CHECK(result.ok());
  return result.value().verdict;
}

History one_cas_on_an_empty_key(std::optional<std::string> found) {
  History history;
  RecordedOperation cas;
  cas.client = 0;
  cas.sequence = 1;
  cas.op = "cas";
  cas.key = "k0";
  cas.expected = "";
  cas.value = "c0s1";
  cas.invoke_time = 10;
  const std::size_t id = *history.begin(cas);
  history.end(id, OperationStatus::fail, 20, std::move(found));
  RecordedOperation get;
  get.client = 1;
  get.sequence = 1;
  get.op = "get";
  get.key = "k0";
  get.invoke_time = 30;
  const std::size_t read = *history.begin(get);
  history.end(read, OperationStatus::ok, 40, std::string());
  return history;
}

// Fuzz seed 3, run 2906 (correct code): the only operation, cas(k0, "" -> "c0s1"), was turned
// away by every node for 3 s; the checker read the give-up as a mismatch on an empty key.
TEST(History, CasGivenUpIsLeftOutNotReadAsAMismatch) {
  std::size_t seen = 0;
  EXPECT_EQ(judge(one_cas_on_an_empty_key(std::nullopt), &seen),
            linearizability::Verdict::linearizable);
  EXPECT_EQ(seen, 1u);  // only the get
}

TEST(History, CasMismatchStaysAnObservation) {
  std::size_t seen = 0;
  // The node answered "the value was not ''" while k0 was certainly empty: a violation.
  EXPECT_EQ(judge(one_cas_on_an_empty_key(std::string("x")), &seen),
            linearizability::Verdict::not_linearizable);
  EXPECT_EQ(seen, 2u);
}

}  // namespace
}  // namespace raftsim::sim

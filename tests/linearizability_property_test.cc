// Properties of the linearizability checker. The central one compares it with a brute-force
// reference (every order of every subset, no cache, no reductions) on small random histories;
// the others are the issue's: sequential and simulated-linearizable histories pass, a corrupted
// forced read fails, partitioning does not change the verdict, client names do not matter.
// RapidCheck prints the seed of any failure (RC_PARAMS="seed=..." replays it).
#include <gtest/gtest.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <map>

#include "sim/linearizability/checker.h"
#include "sim/linearizability/import.h"
#include "sim/linearizability/models.h"
#include "sim/linearizability/product_model.h"
#include "tests/linearizability_generators.h"

namespace raftsim::linearizability {
namespace {

using namespace raftsim::linearizability::testing;

Verdict check(const History& history, bool partition_by_key = true) {
  auto model = make_model(history.model);
  CheckOptions options;
  options.partition_by_key = partition_by_key;
  auto result = check_history(history, *model, options);
  RC_ASSERT(result.ok());
  return result.value().verdict;
}

// One search over all keys: the product of per-key models, no partitioning.
bool reference_linearizable(const History& history) {
  auto model = make_model(history.model);
  std::vector<std::string> keys;
  for (const Operation& operation : history.operations) keys.push_back(operation.key);
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  ProductModel product(*model, keys);
  return ReferenceChecker(history, product).linearizable();
}

RC_GTEST_PROP(LinearizabilityProperties, AgreesWithBruteForceReference, ()) {
  Choices choices(many_choices(4));
  const SimulationShape shape = random_shape(choices, 8);
  History history = simulate_linearizable(shape, choices);
  const std::uint32_t perturbations = choices.below(4);
  for (std::uint32_t count = 0; count < perturbations; ++count) perturb_one_read(history, choices);
  const bool expected = reference_linearizable(history);
  RC_TAG(expected ? "linearizable" : "not linearizable");
  const Verdict wanted = history.operations.empty() ? Verdict::empty
                         : expected                 ? Verdict::linearizable
                                                    : Verdict::not_linearizable;
  RC_ASSERT(check(history) == wanted);
  RC_ASSERT(check(history, /*partition_by_key=*/false) == wanted);
}

RC_GTEST_PROP(LinearizabilityProperties, AgreesWithBruteForceOnArbitraryHistories, ()) {
  Choices choices(many_choices(4));
  const SimulationShape shape = random_shape(choices, 8);
  const History history = random_history(shape, choices);
  const bool expected = reference_linearizable(history);
  RC_TAG(expected ? "linearizable" : "not linearizable");
  const Verdict wanted = history.operations.empty() ? Verdict::empty
                         : expected                 ? Verdict::linearizable
                                                    : Verdict::not_linearizable;
  RC_ASSERT(check(history) == wanted);
  RC_ASSERT(check(history, /*partition_by_key=*/false) == wanted);
}

RC_GTEST_PROP(LinearizabilityProperties, SequentialHistoryIsLinearizable, ()) {
  Choices choices(many_choices(6));
  SimulationShape shape = random_shape(choices, 60);
  shape.clients = 1;  // one client: every operation follows the previous one
  shape.info_percent = 0;
  const History history = simulate_linearizable(shape, choices);
  RC_ASSERT(check(history) == Verdict::linearizable);
}

RC_GTEST_PROP(LinearizabilityProperties, SimulatedLinearizableObjectIsLinearizable, ()) {
  Choices choices(many_choices(6));
  SimulationShape shape = random_shape(choices, 60);
  shape.clients = 2 + choices.below(6);
  const History history = simulate_linearizable(shape, choices);
  RC_ASSERT(check(history) == Verdict::linearizable);
}

// A read with no state-changing operation of its key overlapping it (info ones included: they
// overlap everything after their invoke) observes a determined state; a value nobody ever
// wrote cannot be linearized.
RC_GTEST_PROP(LinearizabilityProperties, CorruptedForcedReadIsNotLinearizable, ()) {
  Choices choices(many_choices(6));
  SimulationShape shape = random_shape(choices, 40);
  History history = simulate_linearizable(shape, choices);
  std::vector<std::size_t> forced;
  for (std::size_t index = 0; index < history.operations.size(); ++index) {
    const Operation& read = history.operations[index];
    if (read.status != OperationStatus::ok || (read.function != "read" && read.function != "get"))
      continue;
    bool overlapped = false;
    for (const Operation& other : history.operations) {
      const bool changes = other.function != "read" && other.function != "get" &&
                           other.status != OperationStatus::fail;
      if (changes && other.key == read.key && other.invoke_ns <= read.return_ns &&
          other.return_ns >= read.invoke_ns) {
        overlapped = true;
      }
    }
    if (!overlapped) forced.push_back(index);
  }
  RC_PRE(!forced.empty());
  Operation& read = history.operations[forced[choices.below(forced.size())]];
  read.output = history.model == "kv" ? Value::of("never written") : Value::of(std::int64_t{99});
  RC_ASSERT(check(history) == Verdict::not_linearizable);
}

RC_GTEST_PROP(LinearizabilityProperties, PartitionedAndUnpartitionedAgree, ()) {
  Choices choices(many_choices(2));
  SimulationShape shape = random_shape(choices, 14);
  shape.model = "kv";
  shape.keys = 1 + choices.below(3);
  History history = simulate_linearizable(shape, choices);
  if (choices.percent(50)) perturb_one_read(history, choices);
  RC_ASSERT(check(history, true) == check(history, false));
}

// The raftsim format is a contract with the simulator: writing and reading back loses nothing.
RC_GTEST_PROP(LinearizabilityProperties, RaftsimJsonRoundTrips, ()) {
  Choices choices(many_choices(3));
  const History history = simulate_linearizable(random_shape(choices, 30), choices);
  auto read_back = parse_raftsim_json(write_raftsim_json(history), "round-trip.json");
  RC_ASSERT(read_back.ok());
  RC_ASSERT(read_back.value().model == history.model);
  RC_ASSERT(read_back.value().operations.size() == history.operations.size());
  for (std::size_t index = 0; index < history.operations.size(); ++index) {
    Operation expected = history.operations[index];
    Operation actual = read_back.value().operations[index];
    expected.origin = actual.origin = "";
    RC_ASSERT(actual.describe() == expected.describe());
    RC_ASSERT(actual.client == expected.client);
    RC_ASSERT(actual.invoke_ns == expected.invoke_ns);
    RC_ASSERT(actual.return_ns == expected.return_ns);
    RC_ASSERT(actual.argument == expected.argument);
    RC_ASSERT(actual.argument2 == expected.argument2);
    RC_ASSERT(actual.output == expected.output);
  }
}

RC_GTEST_PROP(LinearizabilityProperties, ClientNamesDoNotMatter, (std::uint64_t offset)) {
  Choices choices(many_choices(6));
  const SimulationShape shape = random_shape(choices, 30);
  History history = simulate_linearizable(shape, choices);
  if (choices.percent(50)) perturb_one_read(history, choices);
  History renamed = history;
  for (Operation& operation : renamed.operations) {
    operation.client = (operation.client * 0x9e3779b97f4a7c15ULL) ^ offset;  // a bijection
  }
  RC_ASSERT(check(history) == check(renamed));
}

}  // namespace
}  // namespace raftsim::linearizability

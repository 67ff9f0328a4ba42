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

namespace raftsim::linearizability {
namespace {

// RapidCheck's default of 100 cases per property finds too little here (the identical-operation
// bug pinned in linearizability_semantics_test.cc needed thousands), so default to more. An
// explicit RC_PARAMS still wins.
const bool kMoreCasesByDefault = [] {
  setenv("RC_PARAMS", "max_success=1000", /*overwrite=*/0);
  return true;
}();

// Consumes RapidCheck-generated numbers as choices, so RapidCheck shrinks histories for free.
class Choices {
 public:
  explicit Choices(std::vector<std::uint32_t> values) : values_(std::move(values)) {}
  std::uint32_t below(std::uint32_t bound) {
    if (bound == 0) return 0;
    return next_ < values_.size() ? values_[next_++] % bound : 0;
  }
  bool percent(std::uint32_t chance) { return below(100) < chance; }

 private:
  std::vector<std::uint32_t> values_;
  std::size_t next_ = 0;
};

struct SimulationShape {
  std::string model = "cas";  // register | cas | kv
  std::uint32_t clients = 3;
  std::uint32_t keys = 1;
  std::uint32_t operations = 6;
  std::uint32_t info_percent = 10;
  std::uint32_t fail_percent = 10;  // writes that definitely did not happen
  std::uint32_t values = 3;         // distinct values written (few: identical operations)
  std::uint32_t spread = 4;         // delays before and after the linearization point
};

// Choice lists several times RapidCheck's default size, so histories reach tens of operations.
std::vector<std::uint32_t> many_choices(double scale) {
  return *rc::gen::scale(scale, rc::gen::arbitrary<std::vector<std::uint32_t>>());
}

std::string value_text(std::uint32_t number) {
  return "v" + std::to_string(number);
}

// A real linearizable object: each operation takes effect at a point chosen inside its interval,
// in point order, against a std::map. Info operations take effect or not at random.
History simulate_linearizable(const SimulationShape& shape, Choices& choices) {
  struct Pending {
    Operation operation;
    TimeNs point;
    bool takes_effect;
  };
  std::vector<Pending> pending;
  std::vector<TimeNs> client_free(shape.clients, 0);
  std::vector<std::uint64_t> client_name(shape.clients);
  for (std::uint32_t client = 0; client < shape.clients; ++client) client_name[client] = client;
  std::uint64_t next_name = shape.clients;
  const bool kv = shape.model == "kv";
  for (std::uint32_t count = 0; count < shape.operations; ++count) {
    const std::uint32_t client = choices.below(shape.clients);
    Operation operation;
    operation.client = client_name[client];
    operation.key = kv ? "k" + std::to_string(choices.below(shape.keys)) : "";
    const std::uint32_t kind = choices.below(shape.model == "register" ? 2 : kv ? 4 : 3);
    static const char* kRegister[] = {"read", "write", "cas"};
    static const char* kKv[] = {"get", "put", "append", "cas"};
    operation.function = kv ? kKv[kind] : kRegister[kind];
    const std::uint32_t value = choices.below(shape.values);
    const auto make = [&](std::uint32_t number) {
      return kv ? Value::of(value_text(number)) : Value::of(std::int64_t{number});
    };
    if (kind != 0) operation.argument = make(value);
    if (operation.function == "cas") operation.argument2 = make(choices.below(shape.values));
    operation.invoke_ns = client_free[client] + choices.below(shape.spread);
    const TimeNs point = operation.invoke_ns + choices.below(shape.spread);
    operation.return_ns = point + choices.below(shape.spread);
    client_free[client] = operation.return_ns + (choices.below(2) == 0 ? 0 : 1);
    operation.origin = "op " + std::to_string(count);
    bool takes_effect = true;
    if (choices.percent(shape.info_percent)) {
      operation.status = OperationStatus::info;
      takes_effect = choices.below(2) == 0;
      client_name[client] = next_name++;  // as Jepsen does: a crashed client gets a new id
    } else if (kind != 0 && operation.function != "cas" && choices.percent(shape.fail_percent)) {
      operation.status = OperationStatus::fail;
      takes_effect = false;
    }
    pending.push_back(Pending{operation, point, takes_effect});
  }
  std::stable_sort(pending.begin(), pending.end(),
                   [](const Pending& a, const Pending& b) { return a.point < b.point; });
  std::map<std::string, Value> state;
  History history;
  history.model = shape.model;
  for (Pending& entry : pending) {
    Operation& operation = entry.operation;
    Value& current =
        state.try_emplace(operation.key, kv ? Value::of("") : Value::nil()).first->second;
    const std::string& function = operation.function;
    if (entry.takes_effect) {
      if (function == "read" || function == "get") {
        operation.output = current;
      } else if (function == "write" || function == "put") {
        current = operation.argument;
      } else if (function == "append") {
        current = Value::of(current.text + operation.argument.text);
      } else if (current == operation.argument) {
        current = operation.argument2;
      } else if (operation.status == OperationStatus::ok) {
        operation.status = OperationStatus::fail;  // the cas observed a different value
      }
    }
    if (operation.status == OperationStatus::info) operation.return_ns = kTimeInfinite;
    history.operations.push_back(operation);
  }
  return history;
}

// Arbitrary histories (most not linearizable): random intervals, operations, outputs, statuses.
History random_history(const SimulationShape& shape, Choices& choices) {
  History history;
  history.model = shape.model;
  const bool kv = shape.model == "kv";
  const auto make = [&](std::uint32_t number) {
    if (kv) return Value::of(number == 0 ? std::string() : value_text(number));
    return number == 0 ? Value::nil() : Value::of(std::int64_t{number});
  };
  for (std::uint32_t count = 0; count < shape.operations; ++count) {
    Operation operation;
    operation.client = count;
    operation.key = kv ? "k" + std::to_string(choices.below(shape.keys)) : "";
    const std::uint32_t kind = choices.below(shape.model == "register" ? 2 : kv ? 4 : 3);
    static const char* kRegister[] = {"read", "write", "cas"};
    static const char* kKv[] = {"get", "put", "append", "cas"};
    operation.function = kv ? kKv[kind] : kRegister[kind];
    if (kind == 0) {
      operation.output = make(choices.below(shape.values));
    } else {
      operation.argument = make(1 + choices.below(shape.values));
    }
    if (operation.function == "cas") operation.argument2 = make(1 + choices.below(shape.values));
    operation.invoke_ns = choices.below(3 * shape.spread);
    operation.return_ns = operation.invoke_ns + choices.below(shape.spread);
    operation.origin = "op " + std::to_string(count);
    const std::uint32_t status = choices.below(10);
    if (status == 0 && kind != 0) operation.status = OperationStatus::fail;
    if (status == 1) {
      operation.status = OperationStatus::info;
      operation.return_ns = kTimeInfinite;
    }
    history.operations.push_back(operation);
  }
  return history;
}

// Brute force: try every order of every subset that includes all required operations.
class ReferenceChecker {
 public:
  ReferenceChecker(const History& history, Model& model) : model_(model) {
    for (const Operation& operation : history.operations) {
      auto prepared = model.prepare(operation);
      RAFTSIM_CHECK(prepared.ok());
      if (!prepared.value()) continue;
      operations_.push_back(Entry{operation.invoke_ns, operation.return_ns,
                                  operation.status == OperationStatus::info, *prepared.value()});
    }
    used_.assign(operations_.size(), false);
  }
  bool linearizable() { return search(model_.initial_state()); }

 private:
  struct Entry {
    TimeNs invoke_ns, return_ns;
    bool optional;
    PreparedOperation prepared;
  };
  bool search(ModelState state) {
    bool all_required_used = true;
    for (std::size_t index = 0; index < operations_.size(); ++index) {
      if (!used_[index] && !operations_[index].optional) all_required_used = false;
    }
    if (all_required_used) return true;
    for (std::size_t index = 0; index < operations_.size(); ++index) {
      if (used_[index] || !may_go_next(index)) continue;
      ModelState next = 0;
      if (!model_.step(state, operations_[index].prepared, &next)) continue;
      used_[index] = true;
      const bool found = search(next);
      used_[index] = false;
      if (found) return true;
    }
    return false;
  }
  // No unused required operation returned strictly before this one was invoked.
  bool may_go_next(std::size_t candidate) const {
    for (std::size_t index = 0; index < operations_.size(); ++index) {
      if (used_[index] || index == candidate || operations_[index].optional) continue;
      if (operations_[index].return_ns < operations_[candidate].invoke_ns) return false;
    }
    return true;
  }
  Model& model_;
  std::vector<Entry> operations_;
  std::vector<bool> used_;
};

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

SimulationShape random_shape(Choices& choices, std::uint32_t operations_max) {
  SimulationShape shape;
  static const char* kModels[] = {"register", "cas", "kv"};
  shape.model = kModels[choices.below(3)];
  shape.clients = 1 + choices.below(4);
  shape.keys = 1 + choices.below(2);
  shape.operations = 1 + choices.below(operations_max);
  shape.info_percent = choices.below(30);
  shape.fail_percent = choices.below(20);
  shape.values = 2 + choices.below(3);
  shape.spread = 1 + choices.below(10);
  return shape;
}

// Replaces one ok read's output with a value of the right kind (maybe the right value).
void perturb_one_read(History& history, Choices& choices) {
  std::vector<std::size_t> reads;
  for (std::size_t index = 0; index < history.operations.size(); ++index) {
    const Operation& operation = history.operations[index];
    if (operation.status == OperationStatus::ok &&
        (operation.function == "read" || operation.function == "get")) {
      reads.push_back(index);
    }
  }
  if (reads.empty()) return;
  Operation& read = history.operations[reads[choices.below(reads.size())]];
  const std::uint32_t value = choices.below(4);
  if (history.model == "kv") {
    read.output = Value::of(value == 3 ? "" : value_text(value));
  } else {
    read.output = value == 3 ? Value::nil() : Value::of(std::int64_t{value});
  }
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

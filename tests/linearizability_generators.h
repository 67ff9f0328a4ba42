// Test support for the linearizability checker: random histories driven by RapidCheck choices
// (simulated linearizable objects and arbitrary ones) and a brute-force reference checker that
// tries every order of every subset (no cache, no reductions), for the property tests.
#pragma once

#include <rapidcheck.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "sim/linearizability/checker.h"
#include "sim/linearizability/models.h"

namespace raftsim::linearizability::testing {

// RapidCheck's default of 100 cases per property finds too little here (the identical-operation
// bug pinned in linearizability_semantics_test.cc needed thousands), so default to more. An
// explicit RC_PARAMS still wins. Set once per test program, before any property runs.
inline const bool kMoreCasesByDefault = [] {
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
inline std::vector<std::uint32_t> many_choices(double scale) {
  return *rc::gen::scale(scale, rc::gen::arbitrary<std::vector<std::uint32_t>>());
}

inline std::string value_text(std::uint32_t number) {
  return "v" + std::to_string(number);
}

// A real linearizable object: each operation takes effect at a point chosen inside its interval,
// in point order, against a std::map. Info operations take effect or not at random.
inline History simulate_linearizable(const SimulationShape& shape, Choices& choices) {
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
inline History random_history(const SimulationShape& shape, Choices& choices) {
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
  struct Entry {
    TimeNs invoke_ns, return_ns;
    bool optional;  // need not be linearized; constrains no other operation's order
    PreparedOperation prepared;
  };
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
  ReferenceChecker(std::vector<Entry> entries, Model& model)
      : model_(model), operations_(std::move(entries)) {
    used_.assign(operations_.size(), false);
  }
  bool linearizable() { return search(model_.initial_state()); }
  bool linearizable_from(ModelState initial) { return search(initial); }

 private:
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

inline SimulationShape random_shape(Choices& choices, std::uint32_t operations_max) {
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
inline void perturb_one_read(History& history, Choices& choices) {
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

}  // namespace raftsim::linearizability::testing

// raftsim linearizability: the history a checker judges, independent of any input format.
// A History is a list of operations, each with a client, a key, a function name, arguments, an
// observed output, an invoke time, a return time and a status (ok / fail / info). Importers build
// it; models interpret the function names. Invariants: 1. invoke_ns <= return_ns. 2. An info
// operation returns at kTimeInfinite. 3. A history holds at most kHistoryOperationsMax operations.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "raft/base/status.h"

namespace raftsim::linearizability {

// Times are integers; importers of line-ordered formats use the line number as the time.
using TimeNs = std::int64_t;

// An indeterminate operation "returns after everything else": no finite time can be after it.
constexpr TimeNs kTimeInfinite = INT64_MAX;

// Bounds memory and the 32-bit operation indices used throughout the search.
constexpr std::size_t kHistoryOperationsMax = 1u << 24;

// A scalar as histories carry them. Kinds stay distinct: nil, 0 and "0" are three values.
struct Value {
  enum class Kind : std::uint8_t { absent, nil, integer, text };
  Kind kind = Kind::absent;  // absent = the field was not given at all
  std::int64_t integer = 0;
  std::string text;

  static Value nil() { return Value{Kind::nil, 0, {}}; }
  static Value of(std::int64_t number) { return Value{Kind::integer, number, {}}; }
  static Value of(std::string string) { return Value{Kind::text, 0, std::move(string)}; }

  bool is_absent() const { return kind == Kind::absent; }
  std::string to_string() const;  // nil, 42, "text" (JSON-quoted); "" for absent
  friend bool operator==(const Value&, const Value&) = default;
};

enum class OperationStatus : std::uint8_t {
  ok,    // took effect exactly once, between invoke and return, with the given output
  fail,  // definitely did not take effect (a model may still treat it as an observation)
  info,  // indeterminate: may or may not have taken effect; output unknown
};

const char* operation_status_name(OperationStatus status);
// "ok", "fail" or "info"; nothing for any other name.
std::optional<OperationStatus> operation_status_from_name(std::string_view name);

struct Operation {
  std::uint64_t client = 0;
  std::string function;  // "read", "write", "cas", "get", "put", "append", ...
  std::string key;       // "" for single-object histories
  Value argument;        // write / put / append value; cas "from"
  Value argument2;       // cas "to"
  Value output;          // read / get result (meaningful only when status is ok)
  TimeNs invoke_ns = 0;
  TimeNs return_ns = kTimeInfinite;
  OperationStatus status = OperationStatus::ok;
  std::string origin;  // where the importer found it, e.g. "line 12" or "/operations/3"

  std::string describe() const;  // e.g. client 3 cas(1, 2) -> fail
};

struct History {
  std::string model;  // the model the file names, "" if the format does not say
  std::vector<Operation> operations;
};

// Checks the invariants above; the message names the operation's origin.
Status validate_history(const History& history);

// The bytes a parsed history holds (operations and the text of their strings): the checker's
// memory budget counts them (issue 18: a budget counts everything the check holds).
std::size_t history_memory_bytes(const History& history);

}  // namespace raftsim::linearizability

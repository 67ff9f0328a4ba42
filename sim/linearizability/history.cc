// raftsim linearizability: History helpers (printing and structural validation).
#include "sim/linearizability/history.h"

#include <nlohmann/json.hpp>

#include "raft/base/enum_names.h"

namespace raftsim::linearizability {
namespace {
constexpr EnumName<OperationStatus> kOperationStatusNames[] = {
    {OperationStatus::ok, "ok"}, {OperationStatus::fail, "fail"}, {OperationStatus::info, "info"}};
}  // namespace

std::string Value::to_string() const {
  switch (kind) {
    case Kind::absent:
      return "";
    case Kind::nil:
      return "nil";
    case Kind::integer:
      return std::to_string(integer);
    case Kind::text:
      return nlohmann::json(text).dump();
  }
  RAFTSIM_UNREACHABLE("bad value kind");
}

const char* operation_status_name(OperationStatus status) {
  return enum_name(kOperationStatusNames, status);
}

std::optional<OperationStatus> operation_status_from_name(std::string_view name) {
  return enum_from_name(kOperationStatusNames, name);
}

std::string Operation::describe() const {
  std::string text = "client " + std::to_string(client) + " " + function + "(";
  if (!key.empty()) text += nlohmann::json(key).dump();
  for (const Value* value : {&argument, &argument2}) {
    if (value->is_absent()) continue;
    if (text.back() != '(') text += ", ";
    text += value->to_string();
  }
  text += ")";
  if (status == OperationStatus::ok) {
    if (!output.is_absent()) text += " -> " + output.to_string();
  } else {
    text += std::string(" -> ") + operation_status_name(status);
  }
  return text;
}

namespace {

// Heap bytes of a string beyond the object itself (short strings live inside it).
std::size_t string_heap_bytes(const std::string& text) {
  return text.capacity() > std::string().capacity() ? text.capacity() + 1 : 0;
}

}  // namespace

std::size_t history_memory_bytes(const History& history) {
  std::size_t bytes = sizeof(History) + string_heap_bytes(history.model) +
                      history.operations.capacity() * sizeof(Operation);
  for (const Operation& operation : history.operations) {
    for (const std::string* text :
         {&operation.function, &operation.key, &operation.argument.text, &operation.argument2.text,
          &operation.output.text, &operation.origin}) {
      bytes += string_heap_bytes(*text);
    }
  }
  return bytes;
}

Status validate_history(const History& history) {
  if (history.operations.size() > kHistoryOperationsMax) {
    return Status(StatusCode::out_of_range,
                  "history has " + std::to_string(history.operations.size()) +
                      " operations; the limit is " + std::to_string(kHistoryOperationsMax));
  }
  for (const Operation& operation : history.operations) {
    if (operation.invoke_ns < 0) {
      return Status(StatusCode::invalid_argument,
                    operation.origin + ": invoke time must not be negative");
    }
    if (operation.return_ns < operation.invoke_ns) {
      return Status(StatusCode::invalid_argument,
                    operation.origin + ": return time is before invoke time");
    }
    if (operation.status == OperationStatus::info && operation.return_ns != kTimeInfinite) {
      return Status(StatusCode::invalid_argument,
                    operation.origin + ": an info operation must return at infinity");
    }
    if (operation.status != OperationStatus::info && operation.return_ns == kTimeInfinite) {
      return Status(StatusCode::invalid_argument,
                    operation.origin + ": an ok or fail operation needs a return time");
    }
  }
  return Status::ok_status();
}

}  // namespace raftsim::linearizability

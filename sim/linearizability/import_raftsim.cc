// raftsim linearizability: raftsim's own history JSON, as the simulator writes it:
//   {"version": 1, "model": "kv", "operations": [{"client": 0, "op": "put", "key": "a",
//    "value": "x", "invoke_ns": 10, "return_ns": 20, "status": "ok", "output": null}, ...]}
// Errors name the file and the JSON path (or line and column for malformed JSON).
#include <initializer_list>
#include <limits>
#include <nlohmann/json.hpp>
#include <string_view>

#include "sim/files/json_fields.h"
#include "sim/files/strict_json.h"
#include "sim/files/text.h"
#include "sim/linearizability/import.h"

namespace raftsim::linearizability {
namespace {

using Json = nlohmann::json;

constexpr std::int64_t kHistoryFormatVersion = 1;

struct JsonError {
  std::string message;
};

[[noreturn]] void fail(const std::string& path, const std::string& expected) {
  throw JsonError{path + ": expected " + expected};
}

// A misspelt optional field ("modle") would otherwise fall back to its default silently.
void reject_unknown_fields(const Json& object, const std::string& path,
                           std::initializer_list<std::string_view> allowed) {
  if (auto message = files::unknown_field_message(object, path, allowed)) throw JsonError{*message};
}

Value to_value(const Json& json, const std::string& path) {
  if (json.is_null()) return Value::nil();
  if (json.is_number_unsigned() &&
      json.get<std::uint64_t>() > std::uint64_t{std::numeric_limits<std::int64_t>::max()}) {
    fail(path, "an integer below 2^63");
  }
  if (json.is_number_integer()) return Value::of(json.get<std::int64_t>());
  if (json.is_string()) return Value::of(json.get<std::string>());
  fail(path, "null, an integer or a string");
}

Value optional_value(const Json& object, const char* field, const std::string& path) {
  const auto found = object.find(field);
  if (found == object.end()) return Value{};
  return to_value(*found, path + "/" + field);
}

std::int64_t time_field(const Json& object, const char* field, const std::string& path) {
  const auto found = object.find(field);
  if (found == object.end() || !found->is_number_integer() || found->get<std::int64_t>() < 0) {
    fail(path + "/" + field, "a non-negative integer (nanoseconds)");
  }
  return found->get<std::int64_t>();
}

std::string string_field(const Json& object, const char* field, const std::string& path,
                         bool required) {
  const auto found = object.find(field);
  if (found == object.end() && !required) return "";
  if (found == object.end() || !found->is_string()) fail(path + "/" + field, "a string");
  return found->get<std::string>();
}

OperationStatus status_field(const Json& object, const std::string& path) {
  const std::string status = string_field(object, "status", path, true);
  if (const auto known = operation_status_from_name(status)) return *known;
  fail(path + "/status", "\"ok\", \"fail\" or \"info\"");
}

Operation to_operation(const Json& json, const std::string& path) {
  if (!json.is_object()) fail(path, "an operation object");
  Operation operation;
  operation.origin = path;
  const auto client = json.find("client");
  if (client == json.end() || !client->is_number_unsigned()) {
    fail(path + "/client", "a non-negative integer");
  }
  operation.client = client->get<std::uint64_t>();
  operation.function = string_field(json, "op", path, true);
  // A cas names its arguments "from" and "to"; every other operation has one "value".
  if (operation.function == "cas") {
    reject_unknown_fields(
        json, path,
        {"client", "op", "key", "from", "to", "invoke_ns", "return_ns", "status", "output"});
  } else {
    reject_unknown_fields(
        json, path, {"client", "op", "key", "value", "invoke_ns", "return_ns", "status", "output"});
  }
  operation.key = string_field(json, "key", path, false);
  operation.status = status_field(json, path);
  operation.invoke_ns = time_field(json, "invoke_ns", path);
  const auto returned = json.find("return_ns");
  if (operation.status == OperationStatus::info) {
    if (returned != json.end() && !returned->is_null()) {
      fail(path + "/return_ns", "null for an info operation (it returns at infinity)");
    }
  } else {
    operation.return_ns = time_field(json, "return_ns", path);
  }
  operation.argument = optional_value(json, operation.function == "cas" ? "from" : "value", path);
  operation.argument2 = optional_value(json, "to", path);
  operation.output = optional_value(json, "output", path);
  return operation;
}

// The document around the operations (which were streamed out of it): version, model, fields.
void read_header(const Json& json, History& history) {
  if (!json.is_object()) fail("", "a JSON object {\"version\": 1, ...}");
  reject_unknown_fields(json, "", {"version", "model", "operations"});
  const auto version = json.find("version");
  if (version == json.end() || !version->is_number_integer() ||
      version->get<std::int64_t>() != kHistoryFormatVersion) {
    fail("/version", "1");
  }
  history.model = string_field(json, "model", "", false);
  const auto operations = json.find("operations");
  if (operations == json.end() || !operations->is_array()) fail("/operations", "an array");
}

}  // namespace

namespace {

Json value_json(const Value& value) {
  switch (value.kind) {
    case Value::Kind::nil:
      return nullptr;
    case Value::Kind::integer:
      return value.integer;
    default:
      return value.text;
  }
}

}  // namespace

std::string write_raftsim_json(const History& history) {
  nlohmann::ordered_json json;
  json["version"] = kHistoryFormatVersion;
  if (!history.model.empty()) json["model"] = history.model;
  json["operations"] = nlohmann::ordered_json::array();
  for (const Operation& operation : history.operations) {
    nlohmann::ordered_json entry;
    entry["client"] = operation.client;
    entry["op"] = operation.function;
    if (!operation.key.empty()) entry["key"] = operation.key;
    const bool cas = operation.function == "cas";
    if (!operation.argument.is_absent())
      entry[cas ? "from" : "value"] = value_json(operation.argument);
    if (!operation.argument2.is_absent()) entry["to"] = value_json(operation.argument2);
    entry["invoke_ns"] = operation.invoke_ns;
    entry["return_ns"] =
        operation.return_ns == kTimeInfinite ? Json(nullptr) : Json(operation.return_ns);
    entry["status"] = operation_status_name(operation.status);
    if (!operation.output.is_absent()) entry["output"] = value_json(operation.output);
    json["operations"].push_back(std::move(entry));
  }
  return json.dump() + "\n";
}

Result<History> parse_raftsim_json(std::string_view text, const std::string& file_name) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos) return History{};
  // Operations are converted as they are read, so the whole document is never held as JSON.
  History history;
  const files::JsonElementSink sink = [&](Json&& element, std::size_t index) -> Status {
    const std::string path = "/operations/" + std::to_string(index);
    if (index >= kHistoryOperationsMax) {
      return Status(StatusCode::invalid_argument,
                    file_name + ": JSON path /operations: expected at most " +
                        std::to_string(kHistoryOperationsMax) + " operations");
    }
    try {
      history.operations.push_back(to_operation(element, path));
    } catch (const JsonError& error) {
      return Status(StatusCode::invalid_argument, file_name + ": JSON path " + error.message);
    }
    return Status::ok_status();
  };
  auto parsed = files::parse_strict_json_streaming(text, file_name, "operations", sink);
  if (!parsed.ok()) return parsed.status();
  try {
    read_header(parsed.value(), history);
    // Later errors (bad times, unknown functions) cite the operation by file and JSON path.
    for (Operation& operation : history.operations) {
      operation.origin = file_name + ":" + operation.origin;
    }
    return history;
  } catch (const JsonError& error) {
    return Status(StatusCode::invalid_argument, file_name + ": JSON path " + error.message);
  }
}

}  // namespace raftsim::linearizability

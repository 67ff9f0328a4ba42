// raftsim: trace.jsonl back into a Trace (see trace_jsonl.h).
#include "sim/kernel/trace_jsonl.h"

#include <limits>
#include <nlohmann/json.hpp>
#include <variant>

#include "sim/files/input_file.h"
#include "sim/files/strict_json.h"
#include "sim/files/text.h"

namespace raftsim::sim {
namespace {

// The fields to_json() writes, and whether each must be present.
struct FieldSpec {
  const char* name;
  bool required;
};
constexpr FieldSpec kFields[] = {{"n", true},     {"t_ns", true},  {"kind", true},
                                 {"node", false}, {"peer", false}, {"msg", false},
                                 {"a", true},     {"b", true},     {"detail", false}};

Status line_error(std::size_t line_number, const std::string& what) {
  return Status(StatusCode::invalid_argument, "line " + std::to_string(line_number) + ": " + what);
}

std::string json_type_name(const nlohmann::json& value) {
  if (value.is_number_integer() && value.get<std::int64_t>() < 0) return "a negative number";
  if (value.is_number_float()) return "a fractional number";
  return std::string(value.type_name());
}

// An unsigned integer field no larger than `maximum`; error text names the field.
Result<std::uint64_t> unsigned_field(const nlohmann::json& object, const char* name,
                                     std::uint64_t maximum, std::size_t line_number) {
  const nlohmann::json& value = object.at(name);
  if (!value.is_number_unsigned()) {
    return line_error(line_number, std::string("field \"") + name +
                                       "\": expected a non-negative integer, found " +
                                       json_type_name(value));
  }
  const auto number = value.get<std::uint64_t>();
  if (number > maximum) {
    return line_error(line_number, std::string("field \"") + name +
                                       "\": " + std::to_string(number) +
                                       " is larger than the maximum " + std::to_string(maximum));
  }
  return number;
}

Status check_fields(const nlohmann::json& object, std::size_t line_number) {
  if (!object.is_object()) {
    return line_error(line_number, "expected a JSON object, found " + json_type_name(object));
  }
  for (const auto& [key, value] : object.items()) {
    bool known = false;
    for (const FieldSpec& field : kFields) known = known || key == field.name;
    if (!known) return line_error(line_number, "unknown field \"" + files::printable(key) + "\"");
  }
  for (const FieldSpec& field : kFields) {
    if (field.required && !object.contains(field.name)) {
      return line_error(line_number, std::string("missing field \"") + field.name + "\"");
    }
  }
  return Status::ok_status();
}

// One line's object as an event; `number` and time order are checked by the caller.
Result<TraceEvent> event_from_json(const nlohmann::json& object, std::size_t line_number) {
  if (Status status = check_fields(object, line_number); !status.ok()) return status;
  TraceEvent event;
  auto number = unsigned_field(object, "n", std::numeric_limits<std::uint64_t>::max(), line_number);
  if (!number.ok()) return number.status();
  event.number = number.value();
  auto time = unsigned_field(object, "t_ns", kTimeNever, line_number);
  if (!time.ok()) return time.status();
  event.time = static_cast<Time>(time.value());
  const nlohmann::json& kind = object.at("kind");
  std::optional<TraceKind> parsed_kind;
  if (kind.is_string()) parsed_kind = parse_trace_kind(kind.get<std::string>());
  if (!parsed_kind) {
    return line_error(line_number,
                      "field \"kind\": expected an event kind such as \"send\", found " +
                          files::printable(kind.dump(), /*escape_backslashes=*/false));
  }
  event.kind = *parsed_kind;
  // kNoNode is written as an absent field, so a present node must be below it.
  for (auto [name, target] : {std::pair{"node", &event.node}, std::pair{"peer", &event.peer}}) {
    if (!object.contains(name)) continue;
    auto value = unsigned_field(object, name, kNoNode - 1, line_number);
    if (!value.ok()) return value.status();
    *target = static_cast<std::uint32_t>(value.value());
  }
  if (object.contains("msg")) {
    auto message =
        unsigned_field(object, "msg", std::numeric_limits<std::uint64_t>::max(), line_number);
    if (!message.ok()) return message.status();
    event.message = message.value();
  }
  auto a = unsigned_field(object, "a", std::numeric_limits<std::uint64_t>::max(), line_number);
  if (!a.ok()) return a.status();
  event.a = a.value();
  auto b = unsigned_field(object, "b", std::numeric_limits<std::uint64_t>::max(), line_number);
  if (!b.ok()) return b.status();
  event.b = b.value();
  if (object.contains("detail")) {
    const nlohmann::json& detail = object.at("detail");
    if (!detail.is_string()) {
      return line_error(line_number,
                        "field \"detail\": expected a string, found " + json_type_name(detail));
    }
    event.detail = detail.get<std::string>();
  }
  return event;
}

Result<nlohmann::json> parse_line(std::string_view line, std::size_t line_number) {
  auto parsed = files::parse_strict_json_value(line);
  if (auto* refusal = std::get_if<files::JsonRefusal>(&parsed)) {
    return Status(StatusCode::invalid_argument,
                  "line " + std::to_string(line_number) + ", column " +
                      // A line holds no newline, so its position reads "1:COLUMN".
                      files::line_and_column(line, refusal->offset).substr(2) + ": " +
                      refusal->reason);
  }
  return std::get<nlohmann::json>(std::move(parsed));
}

}  // namespace

Result<Trace> parse_trace_jsonl(std::string_view text) {
  Trace trace(/*recording=*/true);
  Time last_time = 0;
  std::size_t line_number = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    ++line_number;
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) return line_error(line_number, "empty line");
    auto object = parse_line(line, line_number);
    if (!object.ok()) return object.status();
    auto event = event_from_json(object.value(), line_number);
    if (!event.ok()) return event.status();
    const TraceEvent& parsed = event.value();
    if (parsed.number != trace.event_count()) {
      return line_error(line_number, "event number " + std::to_string(parsed.number) +
                                         ", expected " + std::to_string(trace.event_count()) +
                                         " (events must be numbered 0, 1, 2, ... without gaps)");
    }
    if (parsed.time < last_time) {
      return line_error(line_number, "time " + std::to_string(parsed.time) + " ns goes back from " +
                                         std::to_string(last_time) + " ns");
    }
    last_time = parsed.time;
    trace.record(parsed.time, parsed.kind, parsed.node, parsed.peer, parsed.message, parsed.a,
                 parsed.b, parsed.detail);
  }
  return trace;
}

Result<Trace> read_trace_file(const std::string& path, std::size_t bytes_max) {
  auto text = files::read_input_file(path, "trace file", bytes_max);
  if (!text.ok()) return text.status();
  auto trace = parse_trace_jsonl(text.value());
  if (!trace.ok()) {
    return Status(trace.status().code(), files::printable(path) + ": " + trace.status().message());
  }
  return trace;
}

}  // namespace raftsim::sim

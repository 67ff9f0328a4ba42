// raftsim linearizability: the two line-oriented third-party formats (Jepsen log lines and
// porcupine's EDN-map kv lines). Both are event streams: an invoke opens an operation for its
// process, the next ok / fail / info line for that process completes it. Time = line number.
// An operation still open at the end of the file is indeterminate (info), as a crashed client's.
#include <charconv>
#include <map>

#include "sim/files/text.h"
#include "sim/linearizability/import.h"

namespace raftsim::linearizability {
namespace {

// A position in one line, with errors that name file:line:column.
class Cursor {
 public:
  Cursor(const std::string& file, std::size_t line_number, std::string_view line)
      : file_(file), line_number_(line_number), line_(line) {}

  void skip_space(bool commas = false) {
    while (position_ < line_.size() &&
           (line_[position_] == ' ' || line_[position_] == '\t' || line_[position_] == '\r' ||
            (commas && line_[position_] == ','))) {
      ++position_;
    }
  }
  bool at_end() const { return position_ >= line_.size(); }
  char peek() const { return at_end() ? '\0' : line_[position_]; }
  bool consume(std::string_view text) {
    if (line_.substr(position_, text.size()) != text) return false;
    position_ += text.size();
    return true;
  }
  std::size_t position() const { return position_; }
  void set_position(std::size_t position) { position_ = position; }
  std::string_view rest() const { return line_.substr(std::min(position_, line_.size())); }

  Status error(const std::string& expected) const {
    // Both may quote the input (a function name, the rest of the line): escaped for printing.
    std::string found =
        at_end() ? "end of line" : "'" + files::printable(rest().substr(0, 20)) + "'";
    return Status(StatusCode::invalid_argument,
                  file_ + ":" + std::to_string(line_number_) + ":" + std::to_string(position_ + 1) +
                      ": expected " + files::printable(expected) + ", found " + found);
  }

  // A bare token: up to whitespace, ',', '}' or ']'.
  std::string_view token() {
    const std::size_t start = position_;
    while (!at_end() && std::string_view(" \t\r,}]").find(peek()) == std::string_view::npos) {
      ++position_;
    }
    return line_.substr(start, position_ - start);
  }

  bool integer(std::int64_t* value) {
    const std::size_t start = position_;
    const std::string_view text = token();
    const auto [end, code] = std::from_chars(text.data(), text.data() + text.size(), *value);
    if (code != std::errc() || end != text.data() + text.size() || text.empty()) {
      position_ = start;
      return false;
    }
    return true;
  }

  // A double-quoted string with \" and \\ escapes.
  bool quoted(std::string* value) {
    if (peek() != '"') return false;
    const std::size_t start = position_++;
    value->clear();
    while (!at_end() && peek() != '"') {
      if (peek() == '\\' && position_ + 1 < line_.size()) ++position_;
      value->push_back(line_[position_++]);
    }
    if (at_end()) {
      position_ = start;
      return false;
    }
    ++position_;
    return true;
  }

 private:
  const std::string& file_;
  std::size_t line_number_;
  std::string_view line_;
  std::size_t position_ = 0;
};

// Parses nil, an integer, a "string" or a :keyword (returned as absent: keywords are how Jepsen
// writes :timed-out; they carry no value).
Status parse_scalar(Cursor& cursor, Value* value) {
  *value = Value{};
  std::string text;
  std::int64_t number = 0;
  if (cursor.peek() == '[') {
    return cursor.error("a plain value (vectors do not nest: only [from to] of plain values)");
  }
  if (cursor.quoted(&text)) {
    *value = Value::of(std::move(text));
  } else if (cursor.consume("nil")) {
    *value = Value::nil();
  } else if (cursor.peek() == ':') {
    (void)cursor.token();
  } else if (cursor.integer(&number)) {
    *value = Value::of(number);
  } else {
    return cursor.error("a value (nil, an integer, a \"string\", a :keyword or [from to])");
  }
  return Status::ok_status();
}

// A plain value into `first`, or [a b] of two plain values into both. Not recursive, so no
// input can exhaust the stack (the fuzzer found 8,000 nested '[' doing so).
Status parse_values(Cursor& cursor, Value* first, Value* second) {
  *first = Value{};
  *second = Value{};
  if (!cursor.consume("[")) return parse_scalar(cursor, first);
  cursor.skip_space(true);
  if (Status status = parse_scalar(cursor, first); !status.ok()) return status;
  cursor.skip_space(true);
  if (Status status = parse_scalar(cursor, second); !status.ok()) return status;
  cursor.skip_space(true);
  if (!cursor.consume("]")) return cursor.error("']' closing a two-element vector");
  return Status::ok_status();
}

// Pairs invoke lines with completion lines per process.
class EventPairer {
 public:
  explicit EventPairer(const std::string& file) : file_(file) {}

  Status invoke(const Cursor& cursor, std::uint64_t process, Operation operation,
                std::size_t line) {
    if (open_.count(process) != 0) {
      return cursor.error("a completion for process " + std::to_string(process) +
                          "'s open operation before it invokes another");
    }
    operation.client = process;
    operation.invoke_ns = static_cast<TimeNs>(line);
    operation.origin = file_ + ":" + std::to_string(line);
    open_[process] = history_.operations.size();
    history_.operations.push_back(std::move(operation));
    return Status::ok_status();
  }

  Status complete(const Cursor& cursor, std::uint64_t process, const std::string& function,
                  OperationStatus status, Value output, std::size_t line) {
    const auto found = open_.find(process);
    if (found == open_.end()) {
      return cursor.error("an invoke for process " + std::to_string(process) +
                          " before its completion");
    }
    Operation& operation = history_.operations[found->second];
    if (operation.function != function) {
      return cursor.error("completion of '" + operation.function + "' (invoked on " +
                          operation.origin + "), not '" + function + "'");
    }
    operation.status = status;
    operation.return_ns = status == OperationStatus::info ? kTimeInfinite : TimeNs(line);
    if (status == OperationStatus::ok && operation.function != "write" &&
        operation.function != "put" && operation.function != "append" &&
        operation.function != "cas") {
      operation.output = std::move(output);
    }
    open_.erase(found);
    return Status::ok_status();
  }

  History finish() {
    // Never completed: the client crashed or the log was cut, so the outcome is unknown.
    for (const auto& [process, index] : open_) {
      history_.operations[index].status = OperationStatus::info;
      history_.operations[index].return_ns = kTimeInfinite;
    }
    return std::move(history_);
  }

 private:
  const std::string& file_;
  History history_;
  std::map<std::uint64_t, std::size_t> open_;  // process -> operation index
};

std::optional<OperationStatus> completion_status(std::string_view type) {
  return operation_status_from_name(type);
}

// Calls on_line(cursor, line_number) for every non-blank line.
template <typename OnLine>
Status for_each_line(std::string_view text, const std::string& file, OnLine on_line) {
  std::size_t line_number = 0;
  while (!text.empty()) {
    const std::size_t end = std::min(text.find('\n'), text.size());
    const std::string_view line = text.substr(0, end);
    text.remove_prefix(std::min(end + 1, text.size()));
    ++line_number;
    Cursor cursor(file, line_number, line);
    cursor.skip_space();
    if (cursor.at_end()) continue;
    if (Status status = on_line(cursor, line_number); !status.ok()) return status;
  }
  return Status::ok_status();
}

Status parse_keyword(Cursor& cursor, const char* what, std::string* keyword) {
  if (!cursor.consume(":")) return cursor.error(what);
  *keyword = std::string(cursor.token());
  if (keyword->empty()) return cursor.error(what);
  return Status::ok_status();
}

Status parse_jepsen_line(Cursor& cursor, std::size_t line, EventPairer& pairer) {
  const std::string_view marker = "jepsen.util - ";
  const std::size_t found = cursor.rest().find(marker);
  if (found == std::string_view::npos) return cursor.error("'INFO  jepsen.util - <process> ...'");
  cursor.set_position(cursor.position() + found + marker.size());
  cursor.skip_space();
  if (cursor.peek() == ':') return Status::ok_status();  // :nemesis lines are not operations
  std::int64_t process = 0;
  if (!cursor.integer(&process) || process < 0) return cursor.error("a process number");
  std::string type, function;
  cursor.skip_space();
  if (Status s = parse_keyword(cursor, ":invoke, :ok, :fail or :info", &type); !s.ok()) return s;
  cursor.skip_space();
  if (Status s = parse_keyword(cursor, ":read, :write or :cas", &function); !s.ok()) return s;
  cursor.skip_space();
  Value first, second;
  if (Status status = parse_values(cursor, &first, &second); !status.ok()) return status;
  cursor.skip_space();
  if (!cursor.at_end()) return cursor.error("end of line after the value");
  const auto client = static_cast<std::uint64_t>(process);
  if (type == "invoke") {
    Operation operation;
    operation.function = function;
    if (function == "write" || function == "cas") operation.argument = first;
    if (function == "cas") operation.argument2 = second;
    return pairer.invoke(cursor, client, std::move(operation), line);
  }
  const auto status = completion_status(type);
  if (!status) return cursor.error(":invoke, :ok, :fail or :info");
  return pairer.complete(cursor, client, function, *status, first, line);
}

// One EDN map: {:process P, :type :T, :f :F, :key K, :value V}, keys in any order.
struct EdnEvent {
  std::int64_t process = -1;
  std::string type, function;
  Value key, value, value2;
};

Status parse_edn_field(Cursor& cursor, EdnEvent& event) {
  std::string field;
  if (Status s = parse_keyword(cursor, "a :keyword field name", &field); !s.ok()) return s;
  cursor.skip_space();
  if (field == "process") {
    if (!cursor.integer(&event.process) || event.process < 0) {
      return cursor.error("a process number");
    }
    return Status::ok_status();
  }
  if (field == "type") return parse_keyword(cursor, ":invoke, :ok, :fail or :info", &event.type);
  if (field == "f") return parse_keyword(cursor, "a :function keyword", &event.function);
  Value ignored;
  if (field == "key") return parse_values(cursor, &event.key, &ignored);
  if (field == "value") return parse_values(cursor, &event.value, &event.value2);
  return parse_values(cursor, &ignored, &ignored);  // unknown fields (e.g. :time) are skipped
}

Status parse_edn_line(Cursor& cursor, std::size_t line, EventPairer& pairer) {
  if (!cursor.consume("{")) return cursor.error("'{' starting an EDN map");
  EdnEvent event;
  cursor.skip_space(true);
  while (!cursor.consume("}")) {
    if (cursor.at_end()) return cursor.error("'}' closing the EDN map");
    if (Status status = parse_edn_field(cursor, event); !status.ok()) return status;
    cursor.skip_space(true);
  }
  if (event.process < 0 || event.type.empty() || event.function.empty()) {
    return cursor.error("a map with :process, :type and :f");
  }
  const auto client = static_cast<std::uint64_t>(event.process);
  if (event.type == "invoke") {
    Operation operation;
    operation.function = event.function;
    operation.key =
        event.key.kind == Value::Kind::integer ? std::to_string(event.key.integer) : event.key.text;
    if (event.function != "get" && event.function != "read") operation.argument = event.value;
    if (event.function == "cas") operation.argument2 = event.value2;
    return pairer.invoke(cursor, client, std::move(operation), line);
  }
  const auto status = completion_status(event.type);
  if (!status) return cursor.error(":type :invoke, :ok, :fail or :info");
  return pairer.complete(cursor, client, event.function, *status, event.value, line);
}

}  // namespace

Result<History> parse_jepsen_log(std::string_view text, const std::string& file_name) {
  EventPairer pairer(file_name);
  Status status = for_each_line(text, file_name, [&](Cursor& cursor, std::size_t line) {
    return parse_jepsen_line(cursor, line, pairer);
  });
  if (!status.ok()) return status;
  History history = pairer.finish();
  history.model = "cas";
  return history;
}

Result<History> parse_porcupine_kv(std::string_view text, const std::string& file_name) {
  EventPairer pairer(file_name);
  Status status = for_each_line(text, file_name, [&](Cursor& cursor, std::size_t line) {
    return parse_edn_line(cursor, line, pairer);
  });
  if (!status.ok()) return status;
  History history = pairer.finish();
  history.model = "kv";
  return history;
}

}  // namespace raftsim::linearizability

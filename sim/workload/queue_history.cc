// raftsim: the job-queue history, its final state, and the "raftsim queue history v1" JSON.
// Writing is canonical (fixed field order, only the fields the op and status use), so a history
// written, parsed and written again is byte-identical. Parsing is strict: unknown ops, statuses,
// job states or fields of the wrong type are errors naming their JSON path.
#include "sim/workload/queue_history.h"

#include <algorithm>
#include <initializer_list>

#include <nlohmann/json.hpp>
#include <string_view>

#include "raft/base/check.h"
#include "raft/base/enum_names.h"
#include "sim/files/json_document.h"
#include "sim/files/json_fields.h"
#include "sim/files/strict_json.h"
#include "sim/files/text.h"

namespace raftsim::sim {
namespace {

using Json = nlohmann::ordered_json;

constexpr const char* kFormatName = "raftsim queue history";
constexpr std::int64_t kFormatVersion = 1;

constexpr EnumName<QueueOp> kOpNames[] = {
    {QueueOp::enqueue, "enqueue"},   {QueueOp::lease, "lease"}, {QueueOp::heartbeat, "heartbeat"},
    {QueueOp::complete, "complete"}, {QueueOp::fail, "fail"},   {QueueOp::cancel, "cancel"}};
constexpr EnumName<QueueOperationStatus> kStatusNames[] = {
    {QueueOperationStatus::pending, "pending"},
    {QueueOperationStatus::ok, "ok"},
    {QueueOperationStatus::fail, "fail"},
    {QueueOperationStatus::info, "info"}};
constexpr EnumName<JobFinalStatus> kFinalStatusNames[] = {{JobFinalStatus::pending, "pending"},
                                                          {JobFinalStatus::leased, "leased"},
                                                          {JobFinalStatus::completed, "completed"},
                                                          {JobFinalStatus::dead, "dead"},
                                                          {JobFinalStatus::cancelled, "cancelled"}};

bool has_reply_job(const QueueOperation& operation) {
  if (operation.status != QueueOperationStatus::ok) return false;
  return operation.op == QueueOp::enqueue ||
         (operation.op == QueueOp::lease && !operation.reply.empty);
}

bool takes_job_argument(QueueOp op) {
  return op == QueueOp::heartbeat || op == QueueOp::complete || op == QueueOp::fail ||
         op == QueueOp::cancel;
}

bool takes_token_argument(QueueOp op) {
  return op == QueueOp::heartbeat || op == QueueOp::complete || op == QueueOp::fail;
}

bool takes_lease_duration(QueueOp op) {
  return op == QueueOp::lease || op == QueueOp::heartbeat;
}

bool returned(QueueOperationStatus status) {
  return status == QueueOperationStatus::ok || status == QueueOperationStatus::fail;
}

Status check_text(const std::string& text, const char* what) {
  if (text.size() <= QueueHistory::kTextBytesMax) return Status::ok_status();
  return Status(StatusCode::out_of_range, std::string(what) + " longer than kTextBytesMax");
}

// Clears the fields the op and status do not use, so equal histories write equal JSON.
void normalize(QueueOperation& operation) {
  QueueArguments& arguments = operation.arguments;
  if (operation.op != QueueOp::enqueue) {
    const QueueArguments kept{.job_id = arguments.job_id,
                              .token = arguments.token,
                              .lease_duration = arguments.lease_duration};
    arguments = kept;
  }
  if (!takes_job_argument(operation.op)) arguments.job_id = 0;
  if (!takes_token_argument(operation.op)) arguments.token = 0;
  if (!takes_lease_duration(operation.op)) arguments.lease_duration = 0;
  if (!returned(operation.status)) operation.return_time = 0;
  QueueReply& reply = operation.reply;
  if (operation.status != QueueOperationStatus::ok) {
    reply = QueueReply{.note = std::move(reply.note)};
  } else if (operation.op == QueueOp::enqueue) {
    reply = QueueReply{.job_id = reply.job_id, .created = reply.created, .note = reply.note};
  } else if (operation.op == QueueOp::lease) {
    if (reply.empty) reply = QueueReply{.empty = true, .note = std::move(reply.note)};
    reply.created = false;
  } else if (operation.op == QueueOp::heartbeat) {
    reply = QueueReply{.lease_expires = reply.lease_expires, .note = std::move(reply.note)};
  } else {
    reply = QueueReply{.note = std::move(reply.note)};
  }
}

Json optional_time(const std::optional<Time>& time) {
  return time.has_value() ? Json(*time) : Json(nullptr);
}

Json operation_to_json(const QueueOperation& operation) {
  Json entry;
  entry["client"] = operation.client;
  entry["op"] = queue_op_name(operation.op);
  entry["status"] = queue_operation_status_name(operation.status);
  entry["invoke_ns"] = operation.invoke_time;
  entry["return_ns"] = returned(operation.status) ? Json(operation.return_time) : Json(nullptr);
  const QueueArguments& arguments = operation.arguments;
  if (operation.op == QueueOp::enqueue) {
    entry["payload"] = arguments.payload;
    entry["priority"] = arguments.priority;
    entry["idempotency_key"] =
        arguments.idempotency_key.has_value() ? Json(*arguments.idempotency_key) : Json(nullptr);
    entry["max_attempts"] = arguments.max_attempts;
    entry["not_before_ns"] = optional_time(arguments.not_before);
  }
  if (takes_job_argument(operation.op)) entry["job_id"] = arguments.job_id;
  if (takes_token_argument(operation.op)) entry["token"] = arguments.token;
  if (takes_lease_duration(operation.op)) entry["lease_ns"] = arguments.lease_duration;
  const QueueReply& reply = operation.reply;
  if (operation.status == QueueOperationStatus::ok && operation.op == QueueOp::enqueue) {
    entry["job_id"] = reply.job_id;
    entry["created"] = reply.created;
  }
  if (operation.status == QueueOperationStatus::ok && operation.op == QueueOp::lease) {
    entry["empty"] = reply.empty;
    if (!reply.empty) {
      entry["job_id"] = reply.job_id;
      entry["attempt"] = reply.attempt;
      entry["lease_expires_ns"] = reply.lease_expires;
      if (reply.enqueued) entry["enqueued_ns"] = *reply.enqueued;
    }
  }
  if (operation.status == QueueOperationStatus::ok && operation.op == QueueOp::heartbeat) {
    entry["lease_expires_ns"] = reply.lease_expires;
  }
  if (!reply.note.empty()) entry["note"] = reply.note;
  return entry;
}

Json final_state_to_json(const QueueFinalState& final_state) {
  Json jobs = Json::array();
  for (const auto& [job_id, job] : final_state.jobs) {
    Json entry;
    entry["job_id"] = job_id;
    entry["status"] = job_final_status_name(job.status);
    entry["attempts"] = job.attempts;
    entry["max_attempts"] = job.max_attempts;
    entry["completion_count"] = job.completion_count;
    entry["stale_completion"] =
        job.stale_completion.has_value() ? Json(*job.stale_completion) : Json(nullptr);
    if (job.lease_remaining_ns) entry["lease_remaining_ns"] = *job.lease_remaining_ns;
    if (job.available_remaining_ns) {
      entry["available_remaining_ns"] = *job.available_remaining_ns;
    }
    jobs.push_back(std::move(entry));
  }
  Json document;
  document["available"] = final_state.available;
  document["jobs"] = std::move(jobs);
  if (final_state.counters) {
    document["counters"] = {{"leases", final_state.counters->leases},
                            {"failures", final_state.counters->failures}};
  }
  return document;
}

// ---- parsing: a thrown ParseError carries "PATH: expected WHAT"; parse() turns it into a value.

struct ParseError {
  std::string message;
};

[[noreturn]] void fail(const std::string& path, const std::string& expected) {
  throw ParseError{path + ": expected " + expected};
}

const Json& require(const Json& object, const char* field, const std::string& path) {
  const auto found = object.find(field);
  if (found == object.end()) fail(path + "/" + field, "a value (the field is missing)");
  return *found;
}

std::uint64_t read_unsigned(const Json& object, const char* field, const std::string& path) {
  const Json& value = require(object, field, path);
  if (!value.is_number_unsigned()) fail(path + "/" + field, "a non-negative integer");
  return value.get<std::uint64_t>();
}

std::int64_t read_signed(const Json& object, const char* field, const std::string& path) {
  const Json& value = require(object, field, path);
  if (!value.is_number_integer()) fail(path + "/" + field, "an integer");
  if (value.is_number_unsigned() && value.get<std::uint64_t>() > INT64_MAX) {
    fail(path + "/" + field, "an integer that fits in 64 signed bits");
  }
  return value.get<std::int64_t>();
}

Time read_time(const Json& object, const char* field, const std::string& path) {
  const std::int64_t time = read_signed(object, field, path);
  if (time < 0) fail(path + "/" + field, "a non-negative time in nanoseconds");
  return time;
}

std::optional<Time> read_optional_time(const Json& object, const char* field,
                                       const std::string& path) {
  if (require(object, field, path).is_null()) return std::nullopt;
  return read_time(object, field, path);
}

bool read_bool(const Json& object, const char* field, const std::string& path) {
  const Json& value = require(object, field, path);
  if (!value.is_boolean()) fail(path + "/" + field, "true or false");
  return value.get<bool>();
}

std::string read_string(const Json& object, const char* field, const std::string& path) {
  const Json& value = require(object, field, path);
  if (!value.is_string()) fail(path + "/" + field, "a string");
  std::string text = value.get<std::string>();
  if (text.size() > QueueHistory::kTextBytesMax) {
    fail(path + "/" + field, "at most kTextBytesMax (65536) bytes");
  }
  return text;
}

template <typename Enum, std::size_t N>
Enum read_choice(const Json& object, const char* field, const std::string& path,
                 const EnumName<Enum> (&table)[N]) {
  const std::string text = read_string(object, field, path);
  if (const std::optional<Enum> choice = enum_from_name(table, text)) return *choice;
  fail(path + "/" + field, enum_name_list(table));
}

// A field no reader asked for was misspelt or does not belong there; either way it would be
// dropped silently, so it is an error.
void reject_unknown_fields(const Json& object, const std::string& path,
                           std::initializer_list<std::string_view> allowed) {
  if (auto message = files::unknown_field_message(object, path, allowed)) {
    throw ParseError{*message};
  }
}

// An operation's fields depend on its op and status; the canonical form written back has exactly
// the fields they use (and "note" when it is not empty).
void reject_fields_not_used(const Json& given, const QueueOperation& operation,
                            const std::string& path) {
  const Json canonical = operation_to_json(operation);
  for (const auto& item : given.items()) {
    if (item.key() == "note" || canonical.contains(item.key())) continue;
    throw ParseError{path + "/" + files::printable(item.key()) + ": not a field of a " +
                     queue_op_name(operation.op) + " with status " +
                     queue_operation_status_name(operation.status)};
  }
}

void parse_reply(const Json& json, const std::string& path, QueueOperation& operation) {
  QueueReply& reply = operation.reply;
  if (json.contains("note")) reply.note = read_string(json, "note", path);
  if (operation.status != QueueOperationStatus::ok) return;
  if (operation.op == QueueOp::enqueue) {
    reply.job_id = read_unsigned(json, "job_id", path);
    reply.created = read_bool(json, "created", path);
  } else if (operation.op == QueueOp::lease) {
    reply.empty = read_bool(json, "empty", path);
    if (!reply.empty) {
      reply.job_id = read_unsigned(json, "job_id", path);
      reply.attempt = read_unsigned(json, "attempt", path);
      reply.lease_expires = read_time(json, "lease_expires_ns", path);
      if (json.contains("enqueued_ns")) reply.enqueued = read_time(json, "enqueued_ns", path);
    }
  } else if (operation.op == QueueOp::heartbeat) {
    reply.lease_expires = read_time(json, "lease_expires_ns", path);
  }
}

QueueOperation parse_operation(const Json& json, const std::string& path) {
  if (!json.is_object()) fail(path, "an operation object");
  QueueOperation operation;
  operation.client = read_unsigned(json, "client", path);
  operation.op = read_choice(json, "op", path, kOpNames);
  operation.status = read_choice(json, "status", path, kStatusNames);
  operation.invoke_time = read_time(json, "invoke_ns", path);
  if (returned(operation.status)) {
    operation.return_time = read_time(json, "return_ns", path);
    if (operation.return_time < operation.invoke_time) {
      fail(path + "/return_ns", "a time not before invoke_ns");
    }
  } else if (!require(json, "return_ns", path).is_null()) {
    fail(path + "/return_ns", "null for a pending or info operation");
  }
  QueueArguments& arguments = operation.arguments;
  if (operation.op == QueueOp::enqueue) {
    arguments.payload = read_string(json, "payload", path);
    arguments.priority = read_signed(json, "priority", path);
    if (!require(json, "idempotency_key", path).is_null()) {
      arguments.idempotency_key = read_string(json, "idempotency_key", path);
    }
    arguments.max_attempts = read_unsigned(json, "max_attempts", path);
    arguments.not_before = read_optional_time(json, "not_before_ns", path);
  }
  if (takes_job_argument(operation.op)) arguments.job_id = read_unsigned(json, "job_id", path);
  if (takes_token_argument(operation.op)) arguments.token = read_unsigned(json, "token", path);
  if (takes_lease_duration(operation.op)) {
    arguments.lease_duration = read_time(json, "lease_ns", path);
  }
  parse_reply(json, path, operation);
  reject_fields_not_used(json, operation, path);
  return operation;
}

QueueFinalState parse_final_state(const Json& json, const std::string& path) {
  if (!json.is_object()) fail(path, "a final-state object or null");
  reject_unknown_fields(json, path, {"available", "jobs", "counters"});
  QueueFinalState final_state;
  final_state.available = read_bool(json, "available", path);
  const Json& jobs = require(json, "jobs", path);
  if (!jobs.is_array()) fail(path + "/jobs", "an array of jobs");
  if (jobs.size() > QueueFinalState::kJobsMax) fail(path + "/jobs", "at most kJobsMax jobs");
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    const std::string job_path = path + "/jobs/" + std::to_string(i);
    if (!jobs[i].is_object()) fail(job_path, "a job object");
    reject_unknown_fields(jobs[i], job_path,
                          {"job_id", "status", "attempts", "max_attempts", "completion_count",
                           "stale_completion", "lease_remaining_ns", "available_remaining_ns"});
    const JobId job_id = read_unsigned(jobs[i], "job_id", job_path);
    FinalJob job;
    job.status = read_choice(jobs[i], "status", job_path, kFinalStatusNames);
    job.attempts = read_unsigned(jobs[i], "attempts", job_path);
    job.max_attempts = read_unsigned(jobs[i], "max_attempts", job_path);
    job.completion_count = read_unsigned(jobs[i], "completion_count", job_path);
    if (!require(jobs[i], "stale_completion", job_path).is_null()) {
      job.stale_completion = read_bool(jobs[i], "stale_completion", job_path);
    }
    if (jobs[i].contains("lease_remaining_ns")) {
      job.lease_remaining_ns = read_unsigned(jobs[i], "lease_remaining_ns", job_path);
    }
    if (jobs[i].contains("available_remaining_ns")) {
      job.available_remaining_ns = read_unsigned(jobs[i], "available_remaining_ns", job_path);
    }
    if (!final_state.jobs.emplace(job_id, job).second) {
      fail(job_path + "/job_id", "a job id not listed before");
    }
  }
  if (json.contains("counters")) {
    const std::string counters_path = path + "/counters";
    const Json& counters = json["counters"];
    if (!counters.is_object()) fail(counters_path, "an object of counters");
    reject_unknown_fields(counters, counters_path, {"leases", "failures"});
    final_state.counters = FinalCounters{read_unsigned(counters, "leases", counters_path),
                                         read_unsigned(counters, "failures", counters_path)};
  }
  return final_state;
}

QueueHistoryDocument parse_document(const Json& document) {
  if (!document.is_object()) fail("", "a JSON object");
  reject_unknown_fields(document, "", {"format", "version", "operations", "final_state"});
  if (read_string(document, "format", "") != kFormatName) {
    fail("/format", std::string("\"") + kFormatName + "\"");
  }
  if (read_signed(document, "version", "") != kFormatVersion) fail("/version", "1");
  const Json& operations = require(document, "operations", "");
  if (!operations.is_array()) fail("/operations", "an array of operations");
  if (operations.size() > QueueHistory::kOperationsMax) {
    fail("/operations", "at most kOperationsMax (1000000) operations");
  }
  QueueHistoryDocument result;
  for (std::size_t i = 0; i < operations.size(); ++i) {
    const std::string path = "/operations/" + std::to_string(i);
    Status appended = result.history.append(parse_operation(operations[i], path));
    if (!appended.ok()) fail(path, appended.message());
  }
  const auto final_state = document.find("final_state");
  if (final_state != document.end() && !final_state->is_null()) {
    result.final_state = parse_final_state(*final_state, "/final_state");
  }
  return result;
}

}  // namespace

const char* queue_op_name(QueueOp op) {
  return enum_name(kOpNames, op);
}

const char* queue_operation_status_name(QueueOperationStatus status) {
  return enum_name(kStatusNames, status);
}

const char* job_final_status_name(JobFinalStatus status) {
  return enum_name(kFinalStatusNames, status);
}

std::optional<JobId> QueueOperation::job() const {
  if (takes_job_argument(op)) return arguments.job_id;
  if (has_reply_job(*this)) return reply.job_id;
  return std::nullopt;
}

std::optional<std::size_t> QueueHistory::begin(QueueOperation operation) {
  if (operations_.size() >= kOperationsMax) return std::nullopt;
  operation.status = QueueOperationStatus::pending;
  operation.reply = QueueReply{};
  operation.return_time = 0;
  if (operation.status == QueueOperationStatus::ok) note_ok(operation.return_time);
  held_bytes_ += sizeof(QueueOperation) + sizeof(Time) + text_bytes(operation);
  operations_.push_back(std::move(operation));
  return operations_.size() - 1;
}

void QueueHistory::end(std::size_t index, QueueOperationStatus status, Time at, QueueReply reply) {
  RAFTSIM_CHECK(index < operations_.size());
  QueueOperation& operation = operations_[index];
  RAFTSIM_CHECK_MSG(operation.status == QueueOperationStatus::pending, "an operation ends once");
  RAFTSIM_CHECK(status != QueueOperationStatus::pending && at >= operation.invoke_time);
  operation.status = status;
  operation.return_time = at;
  held_bytes_ -= text_bytes(operation);
  operation.reply = std::move(reply);
  normalize(operation);
  held_bytes_ += text_bytes(operation);
  if (status == QueueOperationStatus::ok) note_ok(at);
}

std::uint64_t QueueHistory::text_bytes(const QueueOperation& operation) {
  return operation.arguments.payload.size() + operation.reply.note.size() +
         (operation.arguments.idempotency_key ? operation.arguments.idempotency_key->size() : 0);
}

void QueueHistory::note_ok(Time at) {
  ok_return_times_.insert(std::upper_bound(ok_return_times_.begin(), ok_return_times_.end(), at),
                          at);
}

Status QueueHistory::append(QueueOperation operation) {
  if (operations_.size() >= kOperationsMax) {
    return Status(StatusCode::no_space, "the history holds kOperationsMax operations");
  }
  if (returned(operation.status) && operation.return_time < operation.invoke_time) {
    return Status(StatusCode::invalid_argument, "an operation returns before it is invoked");
  }
  normalize(operation);
  for (const auto& [text, what] :
       {std::pair{&operation.arguments.payload, "payload"}, {&operation.reply.note, "note"}}) {
    if (Status status = check_text(*text, what); !status.ok()) return status;
  }
  if (operation.arguments.idempotency_key.has_value()) {
    Status status = check_text(*operation.arguments.idempotency_key, "idempotency_key");
    if (!status.ok()) return status;
  }
  if (operation.status == QueueOperationStatus::ok) note_ok(operation.return_time);
  held_bytes_ += sizeof(QueueOperation) + sizeof(Time) + text_bytes(operation);
  operations_.push_back(std::move(operation));
  return Status::ok_status();
}

std::size_t QueueHistory::count(QueueOperationStatus status) const {
  std::size_t total = 0;
  for (const QueueOperation& operation : operations_) total += operation.status == status ? 1 : 0;
  return total;
}

std::string QueueHistory::to_json(const QueueFinalState* final_state) const {
  files::JsonDocumentText document;
  document.field("format", kFormatName);
  document.field("version", kFormatVersion);
  document.begin_array("operations");
  for (const QueueOperation& operation : operations_) {
    document.element(operation_to_json(operation));
  }
  document.end_array();
  document.field("final_state",
                 final_state != nullptr ? final_state_to_json(*final_state) : Json(nullptr));
  return document.finish();
}

Result<QueueHistoryDocument> QueueHistory::parse(std::string_view text) {
  auto document = files::parse_strict_ordered_json(text, "queue history");
  if (!document.ok()) return document.status();
  try {
    return parse_document(document.value());
  } catch (const ParseError& error) {
    return Status(StatusCode::invalid_argument, "queue history: " + error.message);
  }
}

}  // namespace raftsim::sim

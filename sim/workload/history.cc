#include "sim/workload/history.h"

#include <nlohmann/json.hpp>

#include "raft/base/check.h"
#include "raft/base/enum_names.h"
#include "sim/files/json_document.h"

namespace raftsim::sim {

namespace {
constexpr EnumName<OperationStatus> kOperationStatusNames[] = {
    {OperationStatus::pending, "pending"},
    {OperationStatus::ok, "ok"},
    {OperationStatus::fail, "fail"},
    {OperationStatus::info, "info"}};
}  // namespace

const char* operation_status_name(OperationStatus status) {
  return enum_name(kOperationStatusNames, status);
}

std::optional<std::size_t> History::begin(RecordedOperation operation) {
  if (operations_.size() >= kOperationsMax) return std::nullopt;
  operation.status = OperationStatus::pending;
  held_bytes_ += sizeof(RecordedOperation) + sizeof(Time) + operation.op.size() +
                 operation.key.size() + operation.value.size() + operation.expected.size() +
                 operation.output.size();
  operations_.push_back(std::move(operation));
  return operations_.size() - 1;
}

void History::end(std::size_t id, OperationStatus status, Time at,
                  std::optional<std::string> output) {
  RAFTSIM_CHECK(id < operations_.size());
  RecordedOperation& operation = operations_[id];
  RAFTSIM_CHECK_MSG(operation.status == OperationStatus::pending, "an operation ends once");
  RAFTSIM_CHECK(status != OperationStatus::pending && at >= operation.invoke_time);
  operation.status = status;
  operation.return_time = at;
  operation.observed = output.has_value();
  if (output) {
    held_bytes_ += output->size();
    held_bytes_ -= operation.output.size();
    operation.output = std::move(*output);
  }
  if (status == OperationStatus::ok) {
    RAFTSIM_CHECK(ok_return_times_.empty() || ok_return_times_.back() <= at);
    ok_return_times_.push_back(at);
  }
}

std::size_t History::count(OperationStatus status) const {
  std::size_t total = 0;
  for (const auto& operation : operations_) total += operation.status == status ? 1 : 0;
  return total;
}

std::string History::to_json() const {
  files::JsonDocumentText document;
  document.field("version", 1);
  document.field("model", "kv");
  document.begin_array("operations");
  for (const RecordedOperation& operation : operations_) {
    // A cas that failed without a compare (refused, or given up after every attempt was turned
    // away) changed nothing and observed nothing; written as a failed cas it would claim a
    // mismatch (sim/linearizability/README.md, rule 3), so it is left out.
    if (operation.op == "cas" && operation.status == OperationStatus::fail && !operation.observed) {
      continue;
    }
    nlohmann::ordered_json entry;
    entry["client"] = operation.client;
    entry["op"] = operation.op;
    entry["key"] = operation.key;
    if (operation.op == "cas") {
      entry["from"] = operation.expected;
      entry["to"] = operation.value;
    } else if (operation.op != "get") {
      entry["value"] = operation.value;
    }
    entry["invoke_ns"] = operation.invoke_time;
    const bool indeterminate =
        operation.status == OperationStatus::info || operation.status == OperationStatus::pending;
    if (indeterminate) {
      entry["return_ns"] = nullptr;
      entry["status"] = "info";
    } else {
      entry["return_ns"] = operation.return_time;
      entry["status"] = operation_status_name(operation.status);
    }
    if (operation.status == OperationStatus::ok && operation.op == "get") {
      entry["output"] = operation.output;
    } else if (operation.status == OperationStatus::fail && operation.op == "cas") {
      entry["output"] = operation.output;  // the value the compare found
    }
    document.element(entry);
  }
  document.end_array();
  return document.finish();
}

}  // namespace raftsim::sim

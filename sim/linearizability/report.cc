// raftsim linearizability: text, JSON and HTML reports (see report.h).
#include "sim/linearizability/report.h"

#include <algorithm>
#include <map>
#include <set>

namespace raftsim::linearizability {
namespace {

using Json = nlohmann::ordered_json;

std::string time_text(TimeNs time) {
  return time == kTimeInfinite ? "never (indeterminate)" : std::to_string(time);
}

std::string operation_line(const History& history, std::size_t index) {
  const Operation& operation = history.operations[index];
  return operation.origin + ": " + operation.describe() + "  [invoke " +
         std::to_string(operation.invoke_ns) + ", return " + time_text(operation.return_ns) + "]";
}

Json operation_json(const History& history, std::size_t index) {
  const Operation& operation = history.operations[index];
  Json json;
  json["index"] = index;
  json["origin"] = operation.origin;
  json["client"] = operation.client;
  json["op"] = operation.function;
  json["key"] = operation.key;
  json["description"] = operation.describe();
  json["invoke_ns"] = operation.invoke_ns;
  json["return_ns"] =
      operation.return_ns == kTimeInfinite ? Json(nullptr) : Json(operation.return_ns);
  json["status"] = operation_status_name(operation.status);
  return json;
}

std::string quoted(const std::string& text) {
  return nlohmann::json(text).dump();
}

void append_violation_text(const Violation& violation, const History& history, std::string& text) {
  text += "key " + quoted(violation.key) +
          ": this operation cannot be linearized (the history is linearizable up to its "
          "return, and not beyond):\n  " +
          operation_line(history, violation.blamed) + "\n";
  if (!violation.blame_exact) {
    text +=
        "  (approximate: the search without pruning that finds the blame ran out of budget, so "
        "the operation at fault may return earlier)\n";
  }
  text += "longest partial linearization (" + std::to_string(violation.longest_prefix.size()) +
          " operations), with the model state after each:\n  initial state: " +
          violation.initial_state + "\n";
  std::size_t shown = 0;
  for (const LinearizationStep& step : violation.longest_prefix) {
    if (++shown > kReportOperationsMax) {
      text += "  ... " + std::to_string(violation.longest_prefix.size() - kReportOperationsMax) +
              " more\n";
      break;
    }
    text += "  " + std::to_string(shown) + ". " + operation_line(history, step.operation) +
            "\n       state: " + step.state_after + "\n";
  }
  text += "operations concurrent with it (" + std::to_string(violation.concurrent.size()) + "):\n";
  for (std::size_t index = 0; index < violation.concurrent.size(); ++index) {
    if (index == kReportOperationsMax) {
      text += "  ... " + std::to_string(violation.concurrent.size() - index) + " more\n";
      break;
    }
    text += "  " + operation_line(history, violation.concurrent[index]) + "\n";
  }
}

const PartitionReport* find_partition(const CheckResult& result, const std::string& key) {
  for (const PartitionReport& report : result.partitions) {
    if (report.key == key) return &report;
  }
  return nullptr;
}

}  // namespace

std::string result_to_text(const CheckResult& result, const History& history) {
  std::string text = std::string("verdict: ") + verdict_name(result.verdict) + " (model " +
                     result.model + ", " + std::to_string(history.operations.size()) +
                     " operations, " + std::to_string(result.partitions.size()) + " partitions, " +
                     std::to_string(result.steps) + " search steps)\n";
  if (result.verdict == Verdict::empty) {
    text += "the history holds no operations: there is nothing to judge\n";
  }
  if (result.violation) append_violation_text(*result.violation, history, text);
  if (result.verdict == Verdict::unknown) {
    const PartitionReport* report = find_partition(result, *result.unknown_partition);
    text += "partition key " + quoted(*result.unknown_partition) + " ran out of its " +
            budget_exhausted_name(report->exhausted) + " budget after " +
            std::to_string(report->steps) + " steps and " + std::to_string(report->configurations) +
            " configurations\n";
  }
  return text;
}

Json result_to_json(const CheckResult& result, const History& history) {
  Json json;
  json["verdict"] = verdict_name(result.verdict);
  json["model"] = result.model;
  json["operations"] = history.operations.size();
  json["search_steps"] = result.steps;
  Json partitions = Json::array();
  for (const PartitionReport& report : result.partitions) {
    partitions.push_back(
        Json{{"key", report.key},
             {"operations", report.operations},
             {"checked", report.checked},
             {"verdict", report.verdict == SearchVerdict::linearizable       ? "linearizable"
                         : report.verdict == SearchVerdict::not_linearizable ? "not_linearizable"
                                                                             : "unknown"},
             {"budget_exhausted", budget_exhausted_name(report.exhausted)},
             {"search_steps", report.steps},
             {"configurations", report.configurations},
             {"memory_bytes", report.memory_bytes},
             {"info_writes_dropped", report.info_writes_dropped},
             {"info_writes_bounded", report.info_writes_bounded},
             {"decided_by_zones", report.decided_by_zones}});
  }
  json["partitions"] = partitions;
  if (result.unknown_partition) json["unknown_partition"] = *result.unknown_partition;
  if (!result.violation) return json;
  const Violation& violation = *result.violation;
  Json prefix = Json::array();
  for (const LinearizationStep& step : violation.longest_prefix) {
    prefix.push_back(Json{{"operation", operation_json(history, step.operation)},
                          {"state_after", step.state_after}});
  }
  Json concurrent = Json::array();
  for (std::size_t index : violation.concurrent) {
    concurrent.push_back(operation_json(history, index));
  }
  json["explanation_steps"] = result.explanation_steps;
  json["violation"] = Json{{"key", violation.key},
                           {"operation", operation_json(history, violation.blamed)},
                           {"blame_exact", violation.blame_exact},
                           {"initial_state", violation.initial_state},
                           {"longest_partial_linearization", prefix},
                           {"concurrent", concurrent}};
  return json;
}

}  // namespace raftsim::linearizability

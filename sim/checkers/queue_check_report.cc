// raftsim: the queue checker's report -- rule names and categories, and the JSON and text forms
// of a QueueCheckReport (rules in report order, findings as the checker sorted them).
#include "sim/checkers/queue_check_report.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

#include "raft/base/enum_names.h"

namespace raftsim::sim {
namespace {

constexpr EnumName<QueueRule> kRuleNames[] = {
    {QueueRule::lost, "lost"},
    {QueueRule::unexpected, "unexpected"},
    {QueueRule::duplicated_same_token, "duplicated_same_token"},
    {QueueRule::duplicated_overlapping_lease, "duplicated_overlapping_lease"},
    {QueueRule::duplicated_after_final, "duplicated_after_final"},
    {QueueRule::recovered, "recovered"},
    {QueueRule::completed_twice, "completed_twice"},
    {QueueRule::stale_token_accepted, "stale_token_accepted"},
    {QueueRule::idempotency_key_reused, "idempotency_key_reused"},
    {QueueRule::attempts_exceeded, "attempts_exceeded"},
    {QueueRule::completion_not_recorded, "completion_not_recorded"},
    {QueueRule::lease_never_expires, "lease_never_expires"},
    {QueueRule::leased_before_not_before, "leased_before_not_before"},
    {QueueRule::leased_before_backoff, "leased_before_backoff"},
    {QueueRule::retry_delay_exceeds_backoff, "retry_delay_exceeds_backoff"},
    {QueueRule::refusal_contradicts_final_state, "refusal_contradicts_final_state"},
    {QueueRule::counter_below_history, "counter_below_history"},
    {QueueRule::enqueued_time_out_of_order, "enqueued_time_out_of_order"},
};
static_assert(std::size(kRuleNames) == kQueueRuleCount);

// Every rule, in report order (the order of the name table).
constexpr std::array<QueueRule, kQueueRuleCount> kRules = [] {
  std::array<QueueRule, kQueueRuleCount> rules{};
  for (std::size_t i = 0; i < kQueueRuleCount; ++i) rules[i] = kRuleNames[i].value;
  return rules;
}();

}  // namespace

const char* queue_rule_name(QueueRule rule) {
  return enum_name(kRuleNames, rule);
}

const char* queue_rule_category(QueueRule rule) {
  switch (rule) {
    case QueueRule::lost:
      return "lost";
    case QueueRule::unexpected:
      return "unexpected";
    case QueueRule::duplicated_same_token:
    case QueueRule::duplicated_overlapping_lease:
    case QueueRule::duplicated_after_final:
      return "duplicated";
    case QueueRule::recovered:
      return "recovered";
    default:
      return "job";
  }
}

bool queue_rule_is_violation(QueueRule rule) {
  return rule != QueueRule::recovered;
}

std::size_t QueueCheckReport::category_count(const std::string& category) const {
  std::size_t total = 0;
  for (const QueueRule rule : kRules) {
    if (category == queue_rule_category(rule)) total += count(rule);
  }
  return total;
}

bool QueueCheckReport::has(QueueRule rule, JobId job_id) const {
  return std::any_of(findings.begin(), findings.end(), [&](const QueueFinding& finding) {
    return finding.rule == rule && finding.job_id == job_id;
  });
}

std::string QueueCheckReport::to_json() const {
  nlohmann::ordered_json document;
  document["valid"] = valid;
  nlohmann::ordered_json counts_json = nlohmann::ordered_json::object();
  for (const QueueRule rule : kRules) counts_json[queue_rule_name(rule)] = count(rule);
  document["counts"] = std::move(counts_json);
  nlohmann::ordered_json categories = nlohmann::ordered_json::object();
  for (const char* category : {"lost", "unexpected", "duplicated", "recovered", "job"}) {
    categories[category] = category_count(category);
  }
  document["categories"] = std::move(categories);
  document["enqueues_attempted"] = enqueues_attempted;
  document["enqueues_acknowledged"] = enqueues_acknowledged;
  document["jobs_acknowledged"] = jobs_acknowledged;
  document["jobs_delivered"] = jobs_delivered;
  document["jobs_completed"] = jobs_completed;
  document["skipped"] = skipped;
  nlohmann::ordered_json findings_json = nlohmann::ordered_json::array();
  for (const QueueFinding& finding : findings) {
    nlohmann::ordered_json entry;
    entry["rule"] = queue_rule_name(finding.rule);
    entry["category"] = queue_rule_category(finding.rule);
    entry["job_id"] = finding.job_id;
    entry["detail"] = finding.detail;
    nlohmann::ordered_json operations = nlohmann::ordered_json::array();
    for (const QueueOperationRef& reference : finding.operations) {
      nlohmann::ordered_json operation;
      operation["index"] = reference.index;
      operation["op"] = queue_op_name(reference.op);
      operation["client"] = reference.client;
      operation["status"] = queue_operation_status_name(reference.status);
      operation["invoke_ns"] = reference.invoke_time;
      operation["return_ns"] = reference.status == QueueOperationStatus::ok ||
                                       reference.status == QueueOperationStatus::fail
                                   ? nlohmann::ordered_json(reference.return_time)
                                   : nlohmann::ordered_json(nullptr);
      operations.push_back(std::move(operation));
    }
    entry["operations"] = std::move(operations);
    findings_json.push_back(std::move(entry));
  }
  document["findings"] = std::move(findings_json);
  return document.dump(1);
}

std::string QueueCheckReport::summary() const {
  std::ostringstream out;
  for (const QueueRule rule : kRules) {
    if (count(rule) == 0) continue;
    out << queue_rule_name(rule) << ": " << count(rule) << "\n";
  }
  for (const std::string& reason : skipped) out << "skipped " << reason << "\n";
  out << (valid ? "queue history valid" : "queue history INVALID") << "\n";
  return out.str();
}

}  // namespace raftsim::sim

// raftsim: the admin history (see admin_history.h).
#include "sim/workload/admin_history.h"

#include <algorithm>

#include "raft/base/check.h"

namespace raftsim::sim {

const char* admin_outcome_name(AdminOutcome outcome) {
  static constexpr const char* kNames[] = {"pending", "ok", "rejected", "failed", "gave_up"};
  return kNames[static_cast<std::size_t>(outcome)];
}

std::string describe_admin_request(const AdminRequest& request) {
  if (request.kind == AdminRequest::Kind::transfer_leadership) {
    return "transfer_leadership n" + std::to_string(request.target);
  }
  const ConfChange& change = request.change;
  std::string text = conf_change_type_name(change.type);
  if (change.type == ConfChangeType::joint) {
    std::string voters;
    for (NodeId voter : change.voters)
      voters += (voters.empty() ? "n" : ",n") + std::to_string(voter);
    return text + " " + voters;
  }
  if (change.type == ConfChangeType::leave_joint) return text;
  return text + " n" + std::to_string(change.node);
}

std::optional<std::size_t> AdminHistory::begin(AdminRequest request, std::uint64_t sequence,
                                               Time at) {
  if (operations_.size() >= kOperationsMax) return std::nullopt;
  AdminOperation operation;
  operation.request = std::move(request);
  operation.sequence = sequence;
  operation.requested_at = at;
  operations_.push_back(std::move(operation));
  return operations_.size() - 1;
}

void AdminHistory::end(std::size_t id, AdminOutcome outcome, Time at, std::string reason,
                       NodeId by) {
  AdminOperation& operation = this->at(id);
  RAFTSIM_CHECK_MSG(operation.outcome == AdminOutcome::pending, "an admin operation ends once");
  RAFTSIM_CHECK(outcome != AdminOutcome::pending && at >= operation.requested_at);
  operation.outcome = outcome;
  operation.answered_at = at;
  operation.reason = std::move(reason);
  operation.answered_by = by;
}

AdminOperation& AdminHistory::at(std::size_t id) {
  RAFTSIM_CHECK(id < operations_.size());
  return operations_[id];
}

std::size_t AdminHistory::count(AdminOutcome outcome) const {
  return static_cast<std::size_t>(
      std::count_if(operations_.begin(), operations_.end(),
                    [&](const AdminOperation& operation) { return operation.outcome == outcome; }));
}

}  // namespace raftsim::sim

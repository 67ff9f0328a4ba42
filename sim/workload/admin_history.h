// raftsim: the record of every administrative request a run made (membership changes and
// leadership transfers through the client protocol, raft/node/wire.h): what was asked, when it
// was requested and answered, and how it ended. The admin client writes it; the report, the
// recovery checker (each change's unavailability) and the tests read it. Times are virtual ns
// (the admin client runs on an exact clock). Invariant: an operation ends at most once.
// Limit: kOperationsMax operations; begin() refuses more.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "raft/node/wire.h"
#include "sim/kernel/time.h"

namespace raftsim::sim {

enum class AdminOutcome : std::uint8_t {
  pending,   // not answered yet
  ok,        // the configuration entry committed, or the transfer's target leads
  rejected,  // refused as asked (reason: the host's words): a change in flight, an illegal step
  failed,    // a transfer that aborted (the old leader resumed)
  gave_up,   // no answer within the client's time or attempts: the change may or may not happen
};
const char* admin_outcome_name(AdminOutcome outcome);

struct AdminOperation {
  AdminRequest request;
  std::uint64_t sequence = 0;  // the admin session's sequence (retries reuse it)
  Time requested_at = 0;
  std::optional<Time> answered_at;
  AdminOutcome outcome = AdminOutcome::pending;
  std::string reason;  // rejected: why; gave_up: what was last heard
  std::uint32_t attempts = 0;
  NodeId answered_by = kNoNode;
};

// "add_learner n3", "joint n0,n1,n3", "transfer_leadership n2".
std::string describe_admin_request(const AdminRequest& request);

class AdminHistory {
 public:
  static constexpr std::size_t kOperationsMax = 10'000;

  // The operation's id, or nothing when the history is full.
  std::optional<std::size_t> begin(AdminRequest request, std::uint64_t sequence, Time at);
  void end(std::size_t id, AdminOutcome outcome, Time at, std::string reason, NodeId by);
  AdminOperation& at(std::size_t id);
  const std::vector<AdminOperation>& operations() const { return operations_; }
  std::size_t count(AdminOutcome outcome) const;

 private:
  std::vector<AdminOperation> operations_;
};

}  // namespace raftsim::sim

// raftsim: the replicated state machine as the node host sees it.
// apply() runs every committed command in log order on every replica and must be deterministic:
// the same commands in the same order give the same results and state everywhere. query() serves
// linearizable reads (after ReadIndex) and must not change state.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "raft/base/status.h"
#include "raft/core/types.h"

namespace raftsim {

class StateMachine {
 public:
  virtual ~StateMachine() = default;
  virtual std::vector<std::uint8_t> apply(Index index, std::span<const std::uint8_t> command) = 0;
  virtual std::vector<std::uint8_t> query(std::span<const std::uint8_t> request) const = 0;
  // What the node host calls: the same, appending the answer to `reply` (passed in empty). A
  // host reuses one buffer per client session, so a machine that overrides these can apply a
  // command without allocating; by default they call apply() and query().
  virtual void apply_into(Index index, std::span<const std::uint8_t> command,
                          std::vector<std::uint8_t>& reply) {
    const std::vector<std::uint8_t> answer = apply(index, command);
    reply.insert(reply.end(), answer.begin(), answer.end());
  }
  virtual void query_into(std::span<const std::uint8_t> request,
                          std::vector<std::uint8_t>& reply) const {
    const std::vector<std::uint8_t> answer = query(request);
    reply.insert(reply.end(), answer.begin(), answer.end());
  }
  virtual std::uint64_t state_hash() const = 0;
  // Called on the leader just before a client command is proposed: a machine whose commands
  // need a time (leases) writes the leader's clock into the command here, so every replica
  // applies the same time and none reads its own clock. The default leaves the command alone.
  virtual bool stamps_commands() const { return false; }  // whether stamp() does anything
  virtual void stamp(std::vector<std::uint8_t>& /*command*/,
                     std::int64_t /*leader_wall_ns*/) const {}
  // Snapshots, for log compaction (paper §7). A machine that supports them appends its whole
  // state to `out` in snapshot_into(), and restore_snapshot() replaces the state with such bytes
  // (leaving it unchanged if they are malformed). Machines without support are never compacted.
  virtual bool supports_snapshots() const { return false; }
  virtual void snapshot_into(std::vector<std::uint8_t>& /*out*/) const {}
  virtual Status restore_snapshot(std::span<const std::uint8_t> /*data*/) {
    return Status(StatusCode::unavailable, "this state machine does not support snapshots");
  }
};

}  // namespace raftsim

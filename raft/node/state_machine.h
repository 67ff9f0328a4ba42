// raftsim: the replicated state machine as the node host sees it.
// apply() runs every committed command in log order on every replica and must be deterministic:
// the same commands in the same order give the same results and state everywhere. query() serves
// linearizable reads (after ReadIndex) and must not change state.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "raft/core/types.h"

namespace raftsim {

class StateMachine {
 public:
  virtual ~StateMachine() = default;
  // Both append their answer to `reply`, which the caller passes in empty: a host reuses one
  // buffer per client session, so applying a command need not allocate.
  virtual void apply(Index index, std::span<const std::uint8_t> command,
                     std::vector<std::uint8_t>& reply) = 0;
  virtual void query(std::span<const std::uint8_t> request,
                     std::vector<std::uint8_t>& reply) const = 0;
  virtual std::uint64_t state_hash() const = 0;
};

}  // namespace raftsim

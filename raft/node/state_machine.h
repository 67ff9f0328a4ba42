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
  virtual std::vector<std::uint8_t> apply(Index index, std::span<const std::uint8_t> command) = 0;
  virtual std::vector<std::uint8_t> query(std::span<const std::uint8_t> request) const = 0;
  virtual std::uint64_t state_hash() const = 0;
};

}  // namespace raftsim

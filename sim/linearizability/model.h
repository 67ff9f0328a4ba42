// raftsim linearizability: the sequential specification a history is checked against.
// A Model turns each Operation into a PreparedOperation of plain integers once (interning values),
// so the search steps with integer compares only. States are 64-bit values the model defines
// (usually interned ids). Determinism contract: step() is a pure function of (state, operation)
// as far as the search can tell; models may memoise internally but must return the same answer.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "raft/base/status.h"
#include "sim/linearizability/history.h"

namespace raftsim::linearizability {

using ModelState = std::uint64_t;

// The search's view of one operation. Fields other than the flags mean what the model says.
struct PreparedOperation {
  std::uint32_t function = 0;
  // False for info operations: any outcome is possible, so the step must be legal in every state
  // where the operation could have taken effect; the search also may leave it out altogether.
  bool output_known = true;
  // True for a failed operation kept as an observation (a CAS that failed on a value mismatch).
  bool failed = false;
  // The step never changes the state (a read, a failed cas). The search then linearizes the
  // operation as soon as it is legal and never tries it elsewhere: moving a state-preserving
  // operation earlier, to a point after its invoke where it is legal, keeps every later step
  // legal. The search checks the promise (next == state) on every such step.
  bool state_preserving = false;
  std::uint32_t key_slot = 0;  // set by the checker when one search covers several keys
  std::uint64_t argument = 0;
  std::uint64_t argument2 = 0;
  std::uint64_t output = 0;
};

// What an operation does with whole values, for the checker's reductions (reductions.h):
// a blind write stores `stored` in every state; a read is legal only where the state equals
// `observed`; a cas (ok or info) compares with `observed` and may store `stored`. `other`: any
// other effect (an append, a failed cas observing a difference), which turns the reductions off.
struct ValueEffect {
  enum class Kind : std::uint8_t { other, blind_write, read, cas };
  Kind kind = Kind::other;
  ModelState stored = 0;
  ModelState observed = 0;
};

// An operation with its times, as initial_states() sees them.
struct TimedOperation {
  const PreparedOperation* prepared = nullptr;
  TimeNs invoke_ns = 0;
  TimeNs return_ns = kTimeInfinite;
  bool optional = false;  // info
};

class Model {
 public:
  virtual ~Model() = default;

  virtual std::string name() const = 0;

  // Translates one operation. nullopt drops it: it carries no information (a failed write never
  // happened; a read with unknown output constrains nothing). An error names operation.origin.
  virtual Result<std::optional<PreparedOperation>> prepare(const Operation& operation) = 0;

  virtual ModelState initial_state() const = 0;

  // The initial states to try, initial_state() first: the history is linearizable iff it is
  // from one of them. More than one only when the initial value is unknown (semantics.h).
  virtual std::vector<ModelState> initial_states(std::span<const TimedOperation> /*operations*/) {
    return {initial_state()};
  }
  // See ValueEffect; the default turns the reductions off.
  virtual ValueEffect value_effect(const PreparedOperation& /*operation*/) const { return {}; }

  // True when initial_states() may return several (the initial value is unknown).
  virtual bool initial_value_unknown() const { return false; }

  // Whether `operation` may take effect in `state`, and the state after it. Non-const so a model
  // can intern new states (for example the result of an append) on first sight.
  virtual bool step(ModelState state, const PreparedOperation& operation, ModelState* next) = 0;

  virtual std::string describe_state(ModelState state) const = 0;

  // Optional pruning: false only if `read` (state-preserving, illegal in `state`) can never become
  // legal when only operations from `writers` may be linearized before it. The search asks this
  // of the read that must be linearized next (the earliest return) and abandons the
  // configuration on false, so a wrong false loses linearizations. When unsure, return true.
  virtual bool may_become_legal(ModelState /*state*/, const PreparedOperation& /*read*/,
                                std::span<const PreparedOperation* const> /*writers*/) {
    return true;
  }

  // Optional search-order hint: true if `state` looks like a step on the way to a state where the
  // waiting state-preserving operation `read` is legal (for strings built by appends: a prefix of
  // what the read saw). Only the order of the search depends on it, never the verdict.
  virtual bool on_the_way_to(ModelState /*state*/, const PreparedOperation& /*read*/) {
    return false;
  }
};

}  // namespace raftsim::linearizability

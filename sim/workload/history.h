// raftsim: the history of client operations a run records, for the checkers.
// Each operation is invoked once and ends once: ok (took effect, with its output), fail
// (definitely did not take effect) or info (unknown: the client gave up waiting). Times are
// virtual nanoseconds (clients run on exact clocks). to_json() writes the raftsim history format
// that `raftsim check` and the linearizability checker read (sim/linearizability/README.md),
// leaving out a failed cas that observed nothing (it did nothing and must not claim a mismatch).
// Limit: kOperationsMax operations; begin() refuses more (clients then stop issuing).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "sim/kernel/time.h"

namespace raftsim::sim {

enum class OperationStatus : std::uint8_t { pending, ok, fail, info };
const char* operation_status_name(OperationStatus status);

struct RecordedOperation {
  std::uint64_t client = 0;
  std::uint64_t sequence = 0;  // the client's session sequence (links to log entries)
  std::string op;              // get / put / append / cas
  std::string key;
  std::string value;     // put/append argument, cas new value
  std::string expected;  // cas only
  std::string output;    // get: value read; cas fail: value found (when observed)
  bool observed =
      false;  // output holds what the system answered (absent: a cas refused or given up)
  Time invoke_time = 0;
  Time return_time = 0;
  OperationStatus status = OperationStatus::pending;
  std::uint32_t attempts = 0;
};

class History {
 public:
  static constexpr std::size_t kOperationsMax = 1'000'000;

  // Returns the operation's id, or nullopt when the history is full.
  std::optional<std::size_t> begin(RecordedOperation operation);
  void end(std::size_t id, OperationStatus status, Time at,
           std::optional<std::string> output = std::nullopt);
  const std::deque<RecordedOperation>& operations() const { return operations_; }
  std::size_t count(OperationStatus status) const;
  // When each ok operation returned, in order (virtual time never goes back): recovery metrics.
  const std::vector<Time>& ok_return_times() const { return ok_return_times_; }
  // Pending operations at the end of a run are written as info.
  std::string to_json() const;
  // What the operations hold, for memory budgets: a fixed size per operation plus its text,
  // counted as they are recorded (the same run gives the same figure on any machine).
  std::uint64_t held_bytes() const { return held_bytes_; }

 private:
  // A deque, not a vector: a long run records hundreds of thousands of operations, and growing
  // by reallocation would copy them all (and touch twice the memory) again and again.
  std::deque<RecordedOperation> operations_;
  std::vector<Time> ok_return_times_;
  std::uint64_t held_bytes_ = 0;
};

}  // namespace raftsim::sim

// One operation of a hand-made history, for the linearizability tests that write histories
// out by hand: an info operation never returns, whatever `returned` says.
#pragma once

#include <cstdint>
#include <string>
#include <utility>

#include "sim/linearizability/history.h"

namespace raftsim::linearizability::testing {

inline Operation hand_made_operation(std::uint64_t client, std::string function, Value argument,
                                     Value output, TimeNs invoke, TimeNs returned,
                                     OperationStatus status = OperationStatus::ok) {
  Operation operation;
  operation.client = client;
  operation.function = std::move(function);
  operation.argument = std::move(argument);
  operation.output = std::move(output);
  operation.invoke_ns = invoke;
  operation.return_ns = status == OperationStatus::info ? kTimeInfinite : returned;
  operation.status = status;
  operation.origin = "op " + std::to_string(client);
  return operation;
}

}  // namespace raftsim::linearizability::testing

// raftsim: small builders the fuzz generator's parts share -- a millisecond time, a scheduled
// fault step, and typed access to a step's fault -- so each profile reads as its schedule.
#pragma once

#include <string>
#include <utility>
#include <variant>

#include "sim/scenario/scenario.h"

namespace raftsim::sim::fuzz_steps {

inline Time ms(std::int64_t value) {
  return milliseconds(value);
}

inline FaultStep step_at(Time at, Fault fault, std::string comment) {
  FaultStep step;
  step.at = at;
  step.fault = std::move(fault);
  step.comment = std::move(comment);
  return step;
}

// The fields of a step's fault, which the caller knows to be of kind Kind.
template <typename Kind>
Kind& fields(FaultStep& step) {
  return std::get<Kind>(step.fault);
}

}  // namespace raftsim::sim::fuzz_steps

// raftsim: the clock fault kind. On each target: set the wall clock's offset from virtual time
// (skew), its rate (drift, parts per million) or move it at once (jump); at least one of them.
// A node's timers follow its clock, so drift reaches election timeouts and leases. Only
// recover_all undoes it (back to the scenario's drift; offsets stay).
#pragma once

#include <cstdint>

#include "sim/scenario/faults/fault_kind.h"

namespace raftsim::sim {

struct ClockFault {
  static constexpr std::string_view kName = "clock";
  static constexpr bool kBindsName = true;
  Selector target;
  std::optional<Time> wall_offset;
  std::optional<std::int64_t> drift_ppm;
  std::optional<Time> wall_jump;

  void parse(FaultReader& reader);
  void write(nlohmann::ordered_json& out) const;
  void visit_selectors(const SelectorVisitor& visit) const;
  Applied<ClockFault> apply(FaultContext& context) const;
  // A drift (undone back to the scenario's) or a wall-clock jump (not undone).
  static NemesisDraw draw_nemesis(NemesisContext& context);
};

}  // namespace raftsim::sim

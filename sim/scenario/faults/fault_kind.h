// raftsim: what every fault kind's unit shares. A fault kind is a plain struct (its fields are
// what a scenario file says about it) with optional hooks that fault.h finds by name: parse(),
// write(), visit_selectors(), apply(), draw_nemesis(), and constants kName, kRepair, kBindsName,
// UndoneBy. sim/scenario/README.md ("Adding a fault kind") lists them with what each must do.
// The types the hooks take are declared here and defined in fault_context.h, so a kind's header
// stays small and the variant of all kinds (fault.h) can be built from them.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sim/kernel/network.h"
#include "sim/kernel/random.h"
#include "sim/kernel/time.h"
#include "sim/scenario/json_reader.h"
#include "sim/scenario/selector_check.h"

namespace raftsim::sim {

struct FaultContext;  // what apply() may use: the cluster, selector resolution, the fault stream
struct NemesisContext;
struct NemesisDraw;  // a random fault of one kind and the steps that undo it

// What a kind's apply() did.
template <typename Kind>
struct Applied {
  Applied() = default;
  explicit Applied(Kind fault) : concrete(std::move(fault)) {}

  Kind concrete;                   // the step with its selectors resolved to node names
  std::string description;         // after the kind's name, e.g. " n2 (leader)"
  std::string skipped_because;     // not empty: nothing happened, for this reason
  std::vector<NodeIndex> targets;  // the node an "as" binds, when exactly one
  // Not empty: several nodes were hit; record one concrete step each (no trace note).
  std::vector<Kind> per_node;
};

// What a kind's parse() reads its fields with: the step's JSON object (at, action, comment, as
// and leading_ms are read by the caller) and the selector checks.
struct FaultReader {
  JsonObjectReader& fields;
  SelectorChecker& selectors;
  JsonErrors& errors;
  const std::string& path;  // the step's JSON path, e.g. "/faults/3"
};

// Called with each selector list of a step and the JSON field it came from ("target", "from",
// "groups" once per group, ...).
using SelectorVisitor =
    std::function<void(std::string_view field, const std::vector<Selector>& selectors)>;

// A kind's kNeedsAdmin: it goes through the cluster's operator console (default false).
template <typename Kind>
constexpr bool kind_needs_admin() {
  if constexpr (requires { Kind::kNeedsAdmin; }) {
    return Kind::kNeedsAdmin;
  } else {
    return false;
  }
}

// JSON number forms of times and ratios, as scenario files write them.
inline double to_ms(Time time) {
  return static_cast<double>(time) / kMillisecond;
}
inline double to_percent(Ratio ratio) {
  return ratio.denominator == 0 ? 0.0
                                : 100.0 * static_cast<double>(ratio.numerator) /
                                      static_cast<double>(ratio.denominator);
}
// One selector as a string, several as an array.
inline nlohmann::ordered_json selectors_json(const std::vector<Selector>& selectors) {
  if (selectors.size() == 1) return selectors[0];
  return selectors;
}

}  // namespace raftsim::sim

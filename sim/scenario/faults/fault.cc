// raftsim: dispatch from the Fault variant to each kind's hooks (see fault.h). A hook a kind
// does not declare has a default here: no fields, no selectors, not a repair, binds no name.
#include "sim/scenario/faults/fault.h"

#include <algorithm>
#include <utility>

namespace raftsim::sim {
namespace {

template <std::size_t... I>
std::optional<Fault> make_by_name(std::string_view name, std::index_sequence<I...>) {
  std::optional<Fault> made;
  ((made || name != std::variant_alternative_t<I, Fault>::kName
        ? void()
        : void(made.emplace(std::in_place_index<I>))),
   ...);
  return made;
}

template <std::size_t... I>
std::vector<std::string_view> names_of(std::index_sequence<I...>) {
  return {std::variant_alternative_t<I, Fault>::kName...};
}

template <typename Kind>
constexpr bool repair_kind() {
  if constexpr (requires { Kind::kRepair; }) {
    return Kind::kRepair;
  } else {
    return false;
  }
}

template <typename Kind>
constexpr bool undone_by_some_kind() {
  if constexpr (requires { typename Kind::UndoneBy; }) {
    return !std::is_void_v<typename Kind::UndoneBy>;
  } else {
    return false;
  }
}

}  // namespace

std::string_view fault_name(const Fault& fault) {
  return std::visit([](const auto& kind) { return std::decay_t<decltype(kind)>::kName; }, fault);
}

const std::vector<std::string_view>& fault_names() {
  static const std::vector<std::string_view> kNames =
      names_of(std::make_index_sequence<std::variant_size_v<Fault>>());
  return kNames;
}

std::optional<Fault> make_fault(std::string_view name) {
  return make_by_name(name, std::make_index_sequence<std::variant_size_v<Fault>>());
}

bool is_repair(const Fault& fault) {
  return std::visit([](const auto& kind) { return repair_kind<std::decay_t<decltype(kind)>>(); },
                    fault);
}

bool binds_name(const Fault& fault) {
  return std::visit(
      [](const auto& kind) {
        using Kind = std::decay_t<decltype(kind)>;
        if constexpr (requires { Kind::kBindsName; }) {
          return Kind::kBindsName;
        } else {
          return false;
        }
      },
      fault);
}

const Selector* fault_target(const Fault& fault) {
  return std::visit(
      [](const auto& kind) -> const Selector* {
        if constexpr (requires { kind.target; }) {
          return &kind.target;
        } else {
          return nullptr;
        }
      },
      fault);
}

Selector* fault_target(Fault& fault) {
  return const_cast<Selector*>(fault_target(std::as_const(fault)));
}

void parse_fault(Fault& fault, FaultReader& reader) {
  std::visit(
      [&](auto& kind) {
        if constexpr (requires { kind.parse(reader); }) kind.parse(reader);
      },
      fault);
}

void write_fault(const Fault& fault, nlohmann::ordered_json& out) {
  std::visit(
      [&](const auto& kind) {
        if constexpr (requires { kind.write(out); }) kind.write(out);
      },
      fault);
}

void visit_selectors(const Fault& fault, const SelectorVisitor& visit) {
  std::visit(
      [&](const auto& kind) {
        if constexpr (requires { kind.visit_selectors(visit); }) kind.visit_selectors(visit);
      },
      fault);
}

bool step_names(const FaultStep& step, std::string_view selector) {
  bool named = false;
  visit_selectors(step.fault, [&](std::string_view, const std::vector<Selector>& selectors) {
    named = named || std::find(selectors.begin(), selectors.end(), selector) != selectors.end();
  });
  return named;
}

bool undoes(const Fault& repair, const Fault& fault) {
  const bool undoes_everything = std::visit(
      [](const auto& kind) {
        using Kind = std::decay_t<decltype(kind)>;
        if constexpr (requires { Kind::kUndoesEverything; }) {
          return Kind::kUndoesEverything;
        } else {
          return false;
        }
      },
      repair);
  if (undoes_everything) return true;
  return std::visit(
      [&](const auto& kind) {
        using Kind = std::decay_t<decltype(kind)>;
        if constexpr (undone_by_some_kind<Kind>()) {
          const auto* undo = std::get_if<typename Kind::UndoneBy>(&repair);
          if (undo == nullptr) return false;
          if constexpr (requires {
                          kind.target;
                          undo->target;
                        }) {
            return undo->target == kind.target;
          } else {
            return true;
          }
        } else {
          return false;  // clock, disk and link changes stay until recover_all
        }
      },
      fault);
}

std::optional<NemesisKind> NemesisKind::from_name(std::string_view name) {
  for (std::size_t i = 0; i < kNemesisKinds; ++i) {
    if (NemesisKinds::names[i] == name) return NemesisKind{static_cast<std::uint8_t>(i)};
  }
  return std::nullopt;
}

}  // namespace raftsim::sim

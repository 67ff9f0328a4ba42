// raftsim: the dispatch from a variant of fault kinds to each kind's hooks, for any variant: the
// scenario engine's (`Fault`, fault.h) or a test's own (tests/fault_kind_example_test.cc). A hook
// a kind does not declare has a default here: no fields, no selectors, not a repair, binds no
// name, undone only by a kind that undoes everything. No kind is ever named here.
#pragma once

#include <algorithm>
#include <optional>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "sim/scenario/faults/fault_kind.h"

namespace raftsim::sim {

template <typename Variant>
class FaultRegistry {
 public:
  static std::string_view name(const Variant& fault) {
    return std::visit([](const auto& kind) { return Kind<decltype(kind)>::kName; }, fault);
  }
  // Every kind's name, in variant order.
  static const std::vector<std::string_view>& names() {
    static const std::vector<std::string_view> kNames = names_of(kIndexes);
    return kNames;
  }
  // A default-valued fault of the kind named `name`, or nothing.
  static std::optional<Variant> make(std::string_view name) { return make_of(name, kIndexes); }

  static bool is_repair(const Variant& fault) {
    return std::visit([](const auto& kind) { return repair<Kind<decltype(kind)>>(); }, fault);
  }
  static bool binds_name(const Variant& fault) {
    return std::visit(
        [](const auto& kind) {
          if constexpr (requires { kind.kBindsName; }) {
            return kind.kBindsName;
          } else {
            return false;
          }
        },
        fault);
  }
  static bool needs_admin(const Variant& fault) {
    return std::visit([](const auto& kind) { return kind_needs_admin<Kind<decltype(kind)>>(); },
                      fault);
  }
  // The kind's "target" selector, or null if it has none.
  static const Selector* target(const Variant& fault) {
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
  static void parse(Variant& fault, FaultReader& reader) {
    std::visit(
        [&](auto& kind) {
          if constexpr (requires { kind.parse(reader); }) kind.parse(reader);
        },
        fault);
  }
  static void write(const Variant& fault, nlohmann::ordered_json& out) {
    std::visit(
        [&](const auto& kind) {
          if constexpr (requires { kind.write(out); }) kind.write(out);
        },
        fault);
  }
  static void visit_selectors(const Variant& fault, const SelectorVisitor& visit) {
    std::visit(
        [&](const auto& kind) {
          if constexpr (requires { kind.visit_selectors(visit); }) kind.visit_selectors(visit);
        },
        fault);
  }
  // True if any selector of the fault is `selector`.
  static bool names_selector(const Variant& fault, std::string_view selector) {
    bool named = false;
    visit_selectors(fault, [&](std::string_view, const std::vector<Selector>& selectors) {
      named = named || std::find(selectors.begin(), selectors.end(), selector) != selectors.end();
    });
    return named;
  }
  // Whether `repair`, later in a schedule, undoes `fault`: the fault kind's UndoneBy (of the
  // same target, if both have one), or a kind with kUndoesEverything.
  static bool undoes(const Variant& repair, const Variant& fault) {
    const bool everything = std::visit(
        [](const auto& kind) {
          if constexpr (requires { kind.kUndoesEverything; }) {
            return kind.kUndoesEverything;
          } else {
            return false;
          }
        },
        repair);
    if (everything) return true;
    return std::visit([&](const auto& kind) { return undone_by(repair, kind); }, fault);
  }

 private:
  static constexpr auto kIndexes = std::make_index_sequence<std::variant_size_v<Variant>>();

  template <typename Decl>
  using Kind = std::decay_t<Decl>;
  template <typename K>
  static constexpr bool repair() {
    if constexpr (requires { K::kRepair; }) {
      return K::kRepair;
    } else {
      return false;
    }
  }
  template <typename K, std::size_t... I>
  static constexpr bool holds_kind(std::index_sequence<I...>) {
    return (std::is_same_v<K, std::variant_alternative_t<I, Variant>> || ...);
  }
  template <std::size_t... I>
  static std::vector<std::string_view> names_of(std::index_sequence<I...>) {
    return {std::variant_alternative_t<I, Variant>::kName...};
  }
  template <std::size_t... I>
  static std::optional<Variant> make_of(std::string_view name, std::index_sequence<I...>) {
    std::optional<Variant> made;
    ((made || name != std::variant_alternative_t<I, Variant>::kName
          ? void()
          : void(made.emplace(std::in_place_index<I>))),
     ...);
    return made;
  }
  template <typename K>
  static bool undone_by(const Variant& repair, const K& kind) {
    if constexpr (requires { typename K::UndoneBy; }) {
      if constexpr (!holds_kind<typename K::UndoneBy>(kIndexes)) {
        return false;  // none, or a kind this variant lacks
      } else {
        const auto* undo = std::get_if<typename K::UndoneBy>(&repair);
        if (undo == nullptr) return false;
        if constexpr (requires {
                        kind.target;
                        undo->target;
                      }) {
          return undo->target == kind.target;
        } else {
          return true;
        }
      }
    } else {
      return false;  // e.g. clock, disk and link changes stay until recover_all
    }
  }
};

}  // namespace raftsim::sim

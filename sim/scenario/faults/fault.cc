// raftsim: the registry's functions for the scenario engine's `Fault` (see fault.h); the
// dispatch itself is registry.h, which tests use with variants of their own.
#include "sim/scenario/faults/fault.h"

#include "sim/scenario/faults/registry.h"

namespace raftsim::sim {
namespace {

using Registry = FaultRegistry<Fault>;

}  // namespace

std::string_view fault_name(const Fault& fault) {
  return Registry::name(fault);
}

const std::vector<std::string_view>& fault_names() {
  return Registry::names();
}

std::optional<Fault> make_fault(std::string_view name) {
  return Registry::make(name);
}

bool is_repair(const Fault& fault) {
  return Registry::is_repair(fault);
}

bool binds_name(const Fault& fault) {
  return Registry::binds_name(fault);
}

bool needs_admin(const Fault& fault) {
  return Registry::needs_admin(fault);
}

const Selector* fault_target(const Fault& fault) {
  return Registry::target(fault);
}

Selector* fault_target(Fault& fault) {
  return const_cast<Selector*>(Registry::target(fault));
}

void parse_fault(Fault& fault, FaultReader& reader) {
  Registry::parse(fault, reader);
}

void write_fault(const Fault& fault, nlohmann::ordered_json& out) {
  Registry::write(fault, out);
}

void visit_selectors(const Fault& fault, const SelectorVisitor& visit) {
  Registry::visit_selectors(fault, visit);
}

bool step_names(const FaultStep& step, std::string_view selector) {
  return Registry::names_selector(step.fault, selector);
}

bool undoes(const Fault& repair, const Fault& fault) {
  return Registry::undoes(repair, fault);
}

std::optional<NemesisKind> NemesisKind::from_name(std::string_view name) {
  for (std::size_t i = 0; i < kNemesisKinds; ++i) {
    if (NemesisKinds::names[i] == name) return NemesisKind{static_cast<std::uint8_t>(i)};
  }
  return std::nullopt;
}

}  // namespace raftsim::sim

// raftsim: the registry of fault kinds. `Fault` is a variant of every kind (one unit each under
// sim/scenario/faults/); the functions below dispatch to a kind's hooks through it, so parsing,
// JSON, application, the nemesis and shrinking never switch on a kind. Adding a kind: its unit
// plus one line in `Fault` (and one in NemesisKinds if the nemesis may draw it); see
// sim/scenario/README.md. Registry order is the order error messages list the actions in.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "sim/scenario/faults/client.h"
#include "sim/scenario/faults/clock.h"
#include "sim/scenario/faults/delay_messages.h"
#include "sim/scenario/faults/disk.h"
#include "sim/scenario/faults/link.h"
#include "sim/scenario/faults/membership.h"
#include "sim/scenario/faults/network.h"
#include "sim/scenario/faults/process.h"
#include "sim/scenario/faults/recover_all.h"

namespace raftsim::sim {

using Fault =
    std::variant<PartitionFault, IsolateFault, OneWayFault, BridgeFault, HealFault, CrashFault,
                 RestartFault, PauseFault, ResumeFault, ClockFault, DiskFault, LinkFault,
                 RecoverAllFault, AddNodeFault, AddWitnessFault, PromoteFault, RemoveNodeFault,
                 TransferLeadershipFault, ChangeVotersFault, WipeFault, MembershipNemesisFault,
                 DelayMessagesFault, PauseClientFault, ResumeClientFault, CrashClientFault,
                 RestartClientFault, StallWorkersFault>;

// One step of a scenario's fault schedule: a fault, when it fires and how it is named.
struct FaultStep {
  Time at = 0;
  Fault fault = HealFault{};
  std::string bind_as;   // crash / pause / isolate / clock / disk: name the resolved node
  Time leading_min = 0;  // with "new-leader": how long that leader must have led ("leading_ms")
  std::string comment;

  template <typename Kind>
  bool is() const {
    return std::holds_alternative<Kind>(fault);
  }
  template <typename Kind>
  const Kind* as() const {
    return std::get_if<Kind>(&fault);
  }
  template <typename Kind>
  Kind* as() {
    return std::get_if<Kind>(&fault);
  }
};

std::string_view fault_name(const Fault& fault);
// Every kind's name, in registry order.
const std::vector<std::string_view>& fault_names();
// A default-valued fault of the kind named `name`, or nothing.
std::optional<Fault> make_fault(std::string_view name);
// Repairs (heal, restart, resume, recover_all) undo faults; every other kind injects one.
bool is_repair(const Fault& fault);
// Whether a step of this kind may bind its resolved node to a name with "as".
bool binds_name(const Fault& fault);
// Whether the kind goes through the cluster's operator console (kNeedsAdmin: membership kinds).
bool needs_admin(const Fault& fault);
// The kind's "target" selector, or null if it has none.
const Selector* fault_target(const Fault& fault);
Selector* fault_target(Fault& fault);
// Reads the kind's own fields (the caller reads at_ms, action, comment, as and leading_ms).
void parse_fault(Fault& fault, FaultReader& reader);
// Writes the kind's own fields after "at_ms", "action" and "comment".
void write_fault(const Fault& fault, nlohmann::ordered_json& out);
void visit_selectors(const Fault& fault, const SelectorVisitor& visit);
// True if any selector of the step (target, groups, from/to, bridge sides) is `selector`.
bool step_names(const FaultStep& step, std::string_view selector);
// Whether `repair`, later in a schedule, undoes `fault` (shrinking removes the two together):
// the kind's UndoneBy of the same target, or a kind that undoes everything.
bool undoes(const Fault& repair, const Fault& fault);

// --- the nemesis's kinds ------------------------------------------------------------------------

template <typename... Kinds>
struct KindList {
  static constexpr std::size_t size = sizeof...(Kinds);
  static constexpr std::string_view names[] = {Kinds::kName...};
  static constexpr bool needs_admin[] = {kind_needs_admin<Kinds>()...};
  template <typename Kind>
  static constexpr std::size_t index_of() {
    constexpr bool matches[] = {std::is_same_v<Kind, Kinds>...};
    for (std::size_t i = 0; i < size; ++i) {
      if (matches[i]) return i;
    }
    return size;
  }
};

// The kinds the nemesis draws from, in the order budgets and generated kind lists use. Each has
// a draw_nemesis() hook.
using NemesisKinds = KindList<PartitionFault, IsolateFault, OneWayFault, BridgeFault, CrashFault,
                              PauseFault, ClockFault, LinkFault, DiskFault, MembershipNemesisFault>;
inline constexpr std::size_t kNemesisKinds = NemesisKinds::size;
// The kinds before membership: any cluster can take them (membership needs server slots to
// spare and the operator console, which a scenario declares).
inline constexpr std::size_t kNemesisKindsWithoutMembership =
    NemesisKinds::index_of<MembershipNemesisFault>();

// A kind the nemesis may draw: an index into NemesisKinds.
struct NemesisKind {
  std::uint8_t index = 0;

  template <typename Kind>
  static constexpr NemesisKind of() {
    constexpr std::size_t index = NemesisKinds::index_of<Kind>();
    static_assert(index < kNemesisKinds, "not a kind the nemesis draws");
    return NemesisKind{static_cast<std::uint8_t>(index)};
  }
  static std::optional<NemesisKind> from_name(std::string_view name);
  std::string_view name() const { return NemesisKinds::names[index]; }
  bool needs_admin() const { return NemesisKinds::needs_admin[index]; }
  friend constexpr bool operator==(NemesisKind, NemesisKind) = default;
};

}  // namespace raftsim::sim

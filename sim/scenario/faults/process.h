// raftsim: the process fault kinds. crash loses a node's volatile state (its disk keeps what was
// synced); restart recovers it from disk; pause freezes a node (timers and messages wait);
// resume thaws it. restart undoes a crash and resume a pause of the same target. A target that
// names several nodes ("followers", "down") is recorded as one concrete step per node, so an
// exported schedule replays exactly. The four share one shape (ProcessFault) and differ in their
// traits: name, what they do to a node, which selectors they accept.
#pragma once

#include "sim/scenario/faults/fault_kind.h"

namespace raftsim::sim {

class World;

template <typename Traits>
struct ProcessFault {
  static constexpr std::string_view kName = Traits::kName;
  static constexpr bool kRepair = Traits::kRepair;
  static constexpr bool kBindsName = !Traits::kRepair;  // a repair's target may be "down" etc.
  using UndoneBy = typename Traits::UndoneBy;           // of the same target; void: none
  Selector target;

  void parse(FaultReader& reader) {
    reader.selectors.read(reader.fields, "target", target, Traits::kSelectorUses);
  }
  void write(nlohmann::ordered_json& out) const { out["target"] = target; }
  void visit_selectors(const SelectorVisitor& visit) const { visit("target", {target}); }
  Applied<ProcessFault> apply(FaultContext& context) const;
  // Crash and pause: the victim goes down and comes back after the hold time.
  static NemesisDraw draw_nemesis(NemesisContext& context);
};

struct RestartTraits {
  static constexpr std::string_view kName = "restart";
  static constexpr bool kRepair = true;
  static constexpr unsigned kSelectorUses = kOneNode | kManyNodes | kDownNodes;
  using UndoneBy = void;
  static void act(World& world, NodeIndex node);
};
struct CrashTraits {
  static constexpr std::string_view kName = "crash";
  static constexpr bool kRepair = false;
  static constexpr unsigned kSelectorUses = kOneNode | kManyNodes;
  using UndoneBy = ProcessFault<RestartTraits>;
  static void act(World& world, NodeIndex node);
};
struct ResumeTraits {
  static constexpr std::string_view kName = "resume";
  static constexpr bool kRepair = true;
  static constexpr unsigned kSelectorUses = kOneNode | kManyNodes | kPausedNodes;
  using UndoneBy = void;
  static void act(World& world, NodeIndex node);
};
struct PauseTraits {
  static constexpr std::string_view kName = "pause";
  static constexpr bool kRepair = false;
  static constexpr unsigned kSelectorUses = kOneNode | kManyNodes;
  using UndoneBy = ProcessFault<ResumeTraits>;
  static void act(World& world, NodeIndex node);
};

using CrashFault = ProcessFault<CrashTraits>;
using RestartFault = ProcessFault<RestartTraits>;
using PauseFault = ProcessFault<PauseTraits>;
using ResumeFault = ProcessFault<ResumeTraits>;

extern template struct ProcessFault<CrashTraits>;
extern template struct ProcessFault<RestartTraits>;
extern template struct ProcessFault<PauseTraits>;
extern template struct ProcessFault<ResumeTraits>;

}  // namespace raftsim::sim

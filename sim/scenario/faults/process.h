// raftsim: the process fault kinds. crash loses a node's volatile state (its disk keeps what was
// synced); restart recovers it from disk; pause freezes a node (timers and messages wait);
// resume thaws it. restart undoes a crash and resume a pause of the same target. A target that
// names several nodes ("followers", "down") is recorded as one concrete step per node, so an
// exported schedule replays exactly. The four share one shape (ProcessFault) and differ in their
// ProcessAction: name, repair or fault, the selectors they accept, what they do to a node.
#pragma once

#include "sim/scenario/faults/fault_kind.h"

namespace raftsim::sim {

class World;

struct ProcessAction {
  std::string_view name;
  bool repair = false;
  unsigned selector_uses = kOneNode | kManyNodes;
  void (*act)(World& world, NodeIndex node) = nullptr;
};
void crash_node(World& world, NodeIndex node);
void restart_node(World& world, NodeIndex node);
void pause_node(World& world, NodeIndex node);
void resume_node(World& world, NodeIndex node);

inline constexpr ProcessAction kCrash{"crash", false, kOneNode | kManyNodes, &crash_node};
inline constexpr ProcessAction kRestart{"restart", true, kOneNode | kManyNodes | kDownNodes,
                                        &restart_node};
inline constexpr ProcessAction kPause{"pause", false, kOneNode | kManyNodes, &pause_node};
inline constexpr ProcessAction kResume{"resume", true, kOneNode | kManyNodes | kPausedNodes,
                                       &resume_node};

// `Undo`: the kind that undoes this one on the same target (void: none).
template <const ProcessAction& Action, typename Undo = void>
struct ProcessFault {
  static constexpr std::string_view kName = Action.name;
  static constexpr bool kRepair = Action.repair;
  static constexpr bool kBindsName = !kRepair;  // a repair's target may be "down" etc.
  using UndoneBy = Undo;
  Selector target;

  void parse(FaultReader& reader) {
    reader.selectors.read(reader.fields, "target", target, Action.selector_uses);
  }
  void write(nlohmann::ordered_json& out) const { out["target"] = target; }
  void visit_selectors(const SelectorVisitor& visit) const { visit("target", {target}); }
  Applied<ProcessFault> apply(FaultContext& context) const;
  // Crash and pause: the victim goes down and comes back after the hold time.
  static NemesisDraw draw_nemesis(NemesisContext& context);
};

using RestartFault = ProcessFault<kRestart>;
using CrashFault = ProcessFault<kCrash, RestartFault>;
using ResumeFault = ProcessFault<kResume>;
using PauseFault = ProcessFault<kPause, ResumeFault>;

extern template struct ProcessFault<kRestart>;
extern template struct ProcessFault<kCrash, RestartFault>;
extern template struct ProcessFault<kResume>;
extern template struct ProcessFault<kPause, ResumeFault>;

}  // namespace raftsim::sim

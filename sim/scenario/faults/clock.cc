// raftsim: the clock fault kind (see clock.h).
#include "sim/scenario/faults/clock.h"

#include "sim/kernel/clock.h"
#include "sim/scenario/faults/fault_context.h"

namespace raftsim::sim {
namespace {

constexpr double kMsMax = 3'600'000;  // one hour: the longest skew or jump a file may ask for
constexpr std::int64_t kNemesisDriftPpmMax = 200'000;
constexpr Time kNemesisJumpMax = seconds(5);

}  // namespace

void ClockFault::parse(FaultReader& reader) {
  JsonObjectReader& fields = reader.fields;
  reader.selectors.read(fields, "target", target, kOneNode | kManyNodes);
  Time time = 0;
  if (fields.read_ms("skew_ms", time, -kMsMax, kMsMax)) wall_offset = time;
  std::int64_t drift = 0;
  if (fields.read_int("drift_ppm", drift, -NodeClock::kDriftPpmMax, NodeClock::kDriftPpmMax)) {
    drift_ppm = drift;
  }
  if (fields.read_ms("jump_ms", time, -kMsMax, kMsMax)) wall_jump = time;
  if (!fields.has("skew_ms") && !fields.has("drift_ppm") && !fields.has("jump_ms")) {
    reader.errors.add_message(reader.path,
                              "expected at least one of \"skew_ms\", \"drift_ppm\", \"jump_ms\"");
  }
}

void ClockFault::write(nlohmann::ordered_json& out) const {
  out["target"] = target;
  if (wall_offset) out["skew_ms"] = to_ms(*wall_offset);
  if (drift_ppm) out["drift_ppm"] = *drift_ppm;
  if (wall_jump) out["jump_ms"] = to_ms(*wall_jump);
}

void ClockFault::visit_selectors(const SelectorVisitor& visit) const {
  visit("target", {target});
}

Applied<ClockFault> ClockFault::apply(FaultContext& context) const {
  World& world = context.world();
  const std::vector<NodeIndex> nodes = context.selectors.resolve(target, {});
  for (NodeIndex node : nodes) {
    if (wall_offset) {
      const Time offset = world.clock(node).wall(world.now()) - world.now();
      world.jump_wall_clock(node, *wall_offset - offset);
    }
    if (drift_ppm) world.set_clock_drift(node, *drift_ppm);
    if (wall_jump) world.jump_wall_clock(node, *wall_jump);
  }
  return targeted_outcome(*this, nodes);
}

NemesisDraw ClockFault::draw_nemesis(NemesisContext& context) {
  const NodeIndex node = context.victim();
  ClockFault change;
  change.target = node_name(node);
  if (context.random.chance(Ratio{1, 2})) {
    change.drift_ppm = context.random.between(-kNemesisDriftPpmMax, kNemesisDriftPpmMax);
    ClockFault back;
    back.target = change.target;
    back.drift_ppm = context.base.clocks.empty() ? 0 : context.base.clocks[node].drift_ppm;
    return {{step_of(change)}, {step_of(back)}};
  }
  change.wall_jump = context.random.between(-kNemesisJumpMax, kNemesisJumpMax);
  return {{step_of(change)}, {}};
}

}  // namespace raftsim::sim

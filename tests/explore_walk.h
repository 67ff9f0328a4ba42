// raftsim tests: drive a RaftWorld by hand along choices named by their labels, so a test can
// start a search from a chosen state (e.g. just after an election) instead of from the start.
#pragma once

#include <string>
#include <vector>

#include "sim/explore/raft_world.h"

namespace raftsim::sim::explore {

// Applies the enabled choice whose label starts with each of `labels`, in order; false if one is
// not enabled (then `missing` names it).
inline bool walk(RaftWorld& world, const std::vector<std::string>& labels, std::string& missing) {
  std::vector<Choice> choices;
  for (const std::string& label : labels) {
    world.enabled_choices(choices);
    bool applied = false;
    for (const Choice& choice : choices) {
      if (world.describe(choice).rfind(label, 0) == 0) {
        world.apply(choice);
        applied = true;
        break;
      }
    }
    if (!applied) {
      missing = label;
      return false;
    }
  }
  return true;
}

}  // namespace raftsim::sim::explore

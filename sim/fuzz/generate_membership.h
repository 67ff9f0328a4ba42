// raftsim: the fuzz generator's `membership` profile -- a run whose cluster changes while it
// runs: spare server slots, an operator who adds, promotes, removes and wipes servers, moves
// leadership and makes joint changes at random times, or a nemesis that does so between other
// faults; sometimes with the disasters reconfiguration makes worse (the leader cut off with the
// servers just added, a lagging node plus a lost disk, two leaders each with a change in flight).
#pragma once

#include <cstdint>

#include "sim/scenario/scenario.h"

namespace raftsim::sim {

// Draws from the run's own `fuzz/generate/profiles/membership` stream and edits `scenario` (its
// cluster size, slots, operator console, nemesis kinds and fault schedule). Every step it adds
// parses back (written failures replay): servers are added once, in slot order, before they are
// promoted; scripted additions and the membership nemesis never share a run (both take fresh
// slots).
void draw_membership(std::uint64_t run_seed, Scenario& scenario);

}  // namespace raftsim::sim

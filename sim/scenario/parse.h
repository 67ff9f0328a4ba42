// raftsim: scenario files (JSON, format version 1) to Scenario values and back.
// parse_scenario() validates everything before anything runs: JSON syntax (file:line:column),
// types and ranges (JSON path, what was expected, what was found), unknown fields, node names,
// and names bound by "as" before use. The reference is scenarios/README.md. scenario_to_json()
// writes a scenario that parses back to the same value (used to export replayable failures).
#pragma once

#include <string>
#include <string_view>

#include "raft/base/status.h"
#include "sim/scenario/scenario.h"

namespace raftsim::sim {

Result<Scenario> parse_scenario(std::string_view text, const std::string& file_name);
// Reads and parses a file; a missing or unreadable file is a not_found / io_error Status.
Result<Scenario> load_scenario(const std::string& path);

std::string scenario_to_json(const Scenario& scenario);

}  // namespace raftsim::sim

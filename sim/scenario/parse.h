// raftsim: scenario files (JSON, format version 1) to Scenario values and back.
// parse_scenario() validates everything before anything runs: JSON syntax (file:line:column),
// types and ranges (JSON path, what was expected, what was found), unknown fields, node names,
// and names bound by "as" before use. The reference is scenarios/README.md. scenario_to_json()
// writes a scenario that parses back to the same value (used to export replayable failures).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "raft/base/status.h"
#include "sim/scenario/scenario.h"

namespace raftsim::sim {

Result<Scenario> parse_scenario(std::string_view text, const std::string& file_name);
// The default cap on a scenario file's size: 10,000 fault steps take about 2 MB.
inline constexpr std::size_t kScenarioFileBytesDefault = std::size_t{16} << 20;

// Reads (files::read_input_file: a directory, a missing file or one over `bytes_max` is an error
// naming the path) and parses a file.
Result<Scenario> load_scenario(const std::string& path,
                               std::size_t bytes_max = kScenarioFileBytesDefault);

std::string scenario_to_json(const Scenario& scenario);

}  // namespace raftsim::sim

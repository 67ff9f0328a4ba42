// raftsim: reading a scenario's `checks` section (scenarios/README.md, "checks"): which
// checkers run and their bounds, leadership bounds over the run and after given fault steps.
// Part of parse.cc's reader, split out for size; the faults must be read first.
#pragma once

#include <string>

#include "sim/scenario/json_reader.h"
#include "sim/scenario/scenario.h"

namespace raftsim::sim {

// faults_in_time_order: the file lists its fault steps by at_ms (after_step needs it).
void parse_checks_section(JsonObjectReader reader, bool faults_in_time_order, Scenario& scenario,
                          JsonErrors& errors);

// With an expectation that a checker fires (read after `checks` and the workload): an error at
// `path` when the scenario switches that checker off or its workload never runs it.
void check_expected_checker_runs(const Scenario& scenario, const std::string& path,
                                 JsonErrors& errors);

}  // namespace raftsim::sim

// raftsim linearizability: presenting a CheckResult to people and programs.
// Text for the terminal, result.json for tools, and a self-contained HTML page with an inline SVG
// of the violation window: one row per client, a bar per operation, the blamed one marked, the
// longest partial linearization numbered. Output is a pure function of the result and history.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "sim/linearizability/checker.h"

namespace raftsim::linearizability {

// Operations listed in full in text and JSON reports, beyond which lists are cut (with a count),
// so a violation in a huge history still prints a readable report.
constexpr std::size_t kReportOperationsMax = 200;

std::string result_to_text(const CheckResult& result, const History& history);
nlohmann::ordered_json result_to_json(const CheckResult& result, const History& history);
// Empty when the result has no violation.
std::string violation_to_html(const CheckResult& result, const History& history);

}  // namespace raftsim::linearizability

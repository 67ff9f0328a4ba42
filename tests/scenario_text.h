// Scenarios written inline in tests: parse one from JSON text, failing the test (not crashing)
// when the text is not a valid scenario.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "sim/scenario/parse.h"

namespace raftsim::sim {

inline Scenario scenario_from(const std::string& text) {
  auto parsed = parse_scenario(text, "test.json");
  EXPECT_TRUE(parsed.ok()) << parsed.status().message();
  return parsed.ok() ? parsed.value() : Scenario{};
}

}  // namespace raftsim::sim

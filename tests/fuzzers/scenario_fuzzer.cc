// Fuzzes the scenario reader (scenario files and explorer counterexamples, which are scenarios):
// no crash, printable errors, and a scenario it accepts writes out to text that reads back to
// the same scenario.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sim/scenario/parse.h"
#include "tests/fuzzers/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace raftsim;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto scenario = sim::parse_scenario(text, "in.json");
  if (!scenario.ok()) {
    fuzzing::check_printable_message(scenario.status().message());
    return 0;
  }
  const std::string written = sim::scenario_to_json(scenario.value());
  auto again = sim::parse_scenario(written, "again.json");
  RAFTSIM_FUZZ_CHECK(again.ok(), again.ok() ? written : again.status().message() + "\n" + written);
  RAFTSIM_FUZZ_CHECK(sim::scenario_to_json(again.value()) == written, written);
  return 0;
}

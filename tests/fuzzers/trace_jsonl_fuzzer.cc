// Fuzzes the trace.jsonl reader (what `raftsim render` reads): no crash, printable errors, and an
// accepted trace writes out to JSON Lines that read back to the same trace hash and text.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sim/kernel/trace_jsonl.h"
#include "tests/fuzzers/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace raftsim;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto trace = sim::parse_trace_jsonl(text);
  if (!trace.ok()) {
    fuzzing::check_printable_message(trace.status().message());
    return 0;
  }
  const std::string written = trace.value().to_jsonl();
  auto again = sim::parse_trace_jsonl(written);
  RAFTSIM_FUZZ_CHECK(again.ok(), again.ok() ? written : again.status().message());
  RAFTSIM_FUZZ_CHECK(again.value().hash() == trace.value().hash(), written);
  RAFTSIM_FUZZ_CHECK(again.value().to_jsonl() == written, written);
  return 0;
}

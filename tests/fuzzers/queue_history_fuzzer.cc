// Fuzzes the job-queue history reader: no crash, printable errors, and an accepted history (with
// its final state) writes out to text that reads back and writes out byte-identically.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sim/workload/queue_history.h"
#include "tests/fuzzers/fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace raftsim;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto document = sim::QueueHistory::parse(text);
  if (!document.ok()) {
    fuzzing::check_printable_message(document.status().message());
    return 0;
  }
  const auto& final_state = document.value().final_state;
  const std::string written =
      document.value().history.to_json(final_state ? &*final_state : nullptr);
  auto again = sim::QueueHistory::parse(written);
  RAFTSIM_FUZZ_CHECK(again.ok(), again.ok() ? written : again.status().message() + "\n" + written);
  const auto& final_again = again.value().final_state;
  RAFTSIM_FUZZ_CHECK(
      again.value().history.to_json(final_again ? &*final_again : nullptr) == written, written);
  return 0;
}

// Fuzzes the raftsim history reader (see history_fuzzer.h for the properties).
#include "tests/fuzzers/history_fuzzer.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return raftsim::fuzzing::fuzz_history(data, size,
                                        raftsim::linearizability::HistoryFormat::raftsim);
}

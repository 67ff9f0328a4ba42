// raftsim fuzzers: the shared body of the three linearizability history fuzzers. A history a
// reader accepts is written as raftsim JSON, which must read back and write out identically.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sim/linearizability/import.h"
#include "tests/fuzzers/fuzz_check.h"

namespace raftsim::fuzzing {

inline int fuzz_history(const std::uint8_t* data, std::size_t size,
                        linearizability::HistoryFormat format) {
  using namespace raftsim::linearizability;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto history = parse_history(text, format, "in.history");
  if (!history.ok()) {
    check_printable_message(history.status().message());
    return 0;
  }
  const std::string written = write_raftsim_json(history.value());
  auto again = parse_raftsim_json(written, "again.json");
  RAFTSIM_FUZZ_CHECK(again.ok(), again.ok() ? written : again.status().message() + "\n" + written);
  RAFTSIM_FUZZ_CHECK(write_raftsim_json(again.value()) == written, written);
  return 0;
}

}  // namespace raftsim::fuzzing

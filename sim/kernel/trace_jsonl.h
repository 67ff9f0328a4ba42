// raftsim: reading trace.jsonl back into a Trace, for `raftsim render` and offline tools.
// The inverse of Trace::to_jsonl(): each line is one TraceEvent::to_json() object. Parsing replays
// the events through Trace::record(), so the result carries the same running hash as the run
// that wrote the file. Errors are values naming the line and what was wrong.
// Invariants checked per line: event numbers are 0, 1, 2, ... without gaps; times never decrease;
// every field has the right type and range; no unknown fields.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "raft/base/status.h"
#include "sim/kernel/trace.h"

namespace raftsim::sim {

// A trace file is read whole into memory; beyond this default cap (about 2.4 million events of a
// typical 110-byte line) it is refused rather than exhausting RAM; --input-limit-mb raises it.
constexpr std::size_t kTraceFileBytesDefault = std::size_t{256} << 20;

// Parses the text of a trace.jsonl file. A final newline is optional; empty lines are errors.
// Error messages read "line N: ..." (lines counted from 1).
Result<Trace> parse_trace_jsonl(std::string_view text);

// Reads (files::read_input_file) and parses a trace.jsonl file; errors name the file (not_found,
// io_error, out_of_range over the cap, invalid_argument for content).
Result<Trace> read_trace_file(const std::string& path,
                              std::size_t bytes_max = kTraceFileBytesDefault);

}  // namespace raftsim::sim

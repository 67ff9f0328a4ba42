// raftsim: the one JSON reader for every input file (scenarios, histories, traces, explorer
// counterexamples). It accepts RFC 8259 JSON and refuses what a permissive parser lets through
// silently: duplicate keys (the error names the JSON path and both places), numbers that do not
// fit a 64-bit integer or a finite double, invalid UTF-8, raw control bytes in strings and nesting
// deeper than kJsonDepthMax. Every error reads "FILE:LINE:COLUMN: reason" (columns count
// characters) with any input text in it escaped for printing.
#pragma once

#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <variant>

#include "raft/base/status.h"

namespace raftsim::files {

// Deeper nesting is refused (no input format needs more than 10 levels); it bounds the reader's
// recursion and so its stack.
inline constexpr std::size_t kJsonDepthMax = 128;

// Parses one JSON value (an optional UTF-8 byte-order mark and surrounding whitespace allowed).
// Integers without fraction or exponent become signed (negative) or unsigned numbers; the rest
// become doubles. Errors are invalid_argument.
Result<nlohmann::json> parse_strict_json(std::string_view text, const std::string& file_name);
Result<nlohmann::ordered_json> parse_strict_ordered_json(std::string_view text,
                                                         const std::string& file_name);

// As parse_strict_json, but the elements of the top-level object's array `array_key` go to
// `sink` one at a time, in order and with their index, instead of being kept (the returned
// document holds an empty array there): a history of a million operations is read holding one
// operation's JSON at a time. An error from the sink ends the parse and is returned as it is.
using JsonElementSink = std::function<Status(nlohmann::json&& element, std::size_t index)>;
Result<nlohmann::json> parse_strict_json_streaming(std::string_view text,
                                                   const std::string& file_name,
                                                   std::string_view array_key,
                                                   const JsonElementSink& sink);

// Where and why a text was refused, for callers that report positions their own way (one line
// of a JSON Lines file): the byte offset in the text and the reason.
struct JsonRefusal {
  std::size_t offset = 0;
  std::string reason;
};
std::variant<nlohmann::json, JsonRefusal> parse_strict_json_value(std::string_view text);

// "LINE:COLUMN" of byte `offset` in `text` (1-based; columns count UTF-8 characters).
std::string line_and_column(std::string_view text, std::size_t offset);

}  // namespace raftsim::files

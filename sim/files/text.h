// raftsim: text that came from input files, made safe to print. UTF-8 validation (shared with the
// strict JSON reader) and escaping of control bytes, so a name with a newline or a terminal escape
// sequence cannot forge output lines or reprogram the user's terminal.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace raftsim::files {

// The length of the valid UTF-8 sequence of two or more bytes at text[at] (no overlong forms, no
// surrogates, nothing above U+10FFFF), or 0 when the bytes there are not one.
std::size_t utf8_sequence(std::string_view text, std::size_t at);

// `text` with every control byte, DEL, backslash and byte that is not part of valid UTF-8 escaped
// (\n, \t, \\, \xHH); valid UTF-8 passes through. Without `escape_backslashes`, backslashes
// pass through too: for messages whose input parts are already escaped that way (JSON dumps).
std::string printable(std::string_view text, bool escape_backslashes = true);

// The offset of the first byte in `text` that is not part of valid UTF-8, or npos.
std::size_t first_invalid_utf8(std::string_view text);

// At most `bytes_max` bytes of `text`, cut at a character boundary (never inside a UTF-8
// sequence), with "..." appended when something was cut.
std::string shorten_utf8(std::string_view text, std::size_t bytes_max);

}  // namespace raftsim::files

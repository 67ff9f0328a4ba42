// raftsim: the strict JSON reader (see strict_json.h). A recursive-descent parser over the bytes,
// building nlohmann's value types; written here rather than taken from nlohmann because its
// parser keeps the last of duplicate keys and reports neither JSON paths nor number overflow.
#include "sim/files/strict_json.h"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <system_error>
#include <type_traits>
#include <vector>

#include "sim/files/text.h"

namespace raftsim::files {
namespace {

// One JSON pointer component: "~" and "/" escaped as RFC 6901 says.
std::string pointer_component(std::string_view key) {
  std::string out;
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// An error a JsonElementSink returned: ends the parse and is reported as it is.
struct SinkFailure {
  Status status;
};

template <typename Json>
class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}
  Parser(std::string_view text, std::string_view stream_key, const JsonElementSink* sink)
      : text_(text), stream_key_(stream_key), sink_(sink) {}

  Json parse_document() {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") at_ = 3;
    skip_whitespace();
    if (at_ == text_.size()) fail(at_, "empty input: expected a JSON value");
    Json value = parse_value(0);
    skip_whitespace();
    if (at_ != text_.size()) fail(at_, "unexpected " + describe_here() + " after the JSON value");
    return value;
  }

 private:
  [[noreturn]] void fail(std::size_t offset, std::string reason) {
    throw JsonRefusal{offset, std::move(reason)};
  }

  std::string path() const {
    if (path_.empty()) return "/";
    std::string out;
    for (const std::string& component : path_) out += "/" + component;
    return out;
  }

  // What stands at the cursor, for "unexpected X" messages.
  std::string describe_here() const {
    if (at_ >= text_.size()) return "end of input";
    const auto byte = static_cast<unsigned char>(text_[at_]);
    if (byte >= 0x80 && utf8_sequence(text_, at_) == 0) return "byte \\x" + hex(byte);
    if (byte < 0x20 || byte == 0x7f) return "control byte \\x" + hex(byte);
    const std::size_t length = byte >= 0x80 ? utf8_sequence(text_, at_) : 1;
    return "character '" + printable(text_.substr(at_, length)) + "'";
  }

  static std::string hex(unsigned byte) {
    static constexpr char kHex[] = "0123456789abcdef";
    return {kHex[byte >> 4], kHex[byte & 0xf]};
  }

  void skip_whitespace() {
    while (at_ < text_.size()) {
      const char c = text_[at_];
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') return;
      ++at_;
    }
  }

  bool consume_literal(std::string_view literal) {
    if (text_.substr(at_, literal.size()) != literal) return false;
    at_ += literal.size();
    return true;
  }

  Json parse_value(std::size_t depth) {
    if (depth >= kJsonDepthMax) {
      fail(at_, "nesting deeper than " + std::to_string(kJsonDepthMax) + " levels");
    }
    if (at_ >= text_.size()) fail(at_, "unexpected end of input: expected a JSON value");
    const char c = text_[at_];
    if (c == '{') return parse_object(depth);
    if (c == '[') return parse_array(depth);
    if (c == '"') return Json(parse_string());
    if (c == '-' || (c >= '0' && c <= '9')) return parse_number();
    if (consume_literal("true")) return Json(true);
    if (consume_literal("false")) return Json(false);
    if (consume_literal("null")) return Json(nullptr);
    if (text_.substr(at_, 3) == "NaN" || text_.substr(at_, 8) == "Infinity") {
      fail(at_, "NaN and Infinity are not JSON numbers");
    }
    fail(at_, "unexpected " + describe_here() + ": expected a JSON value");
  }

  Json parse_object(std::size_t depth) {
    ++at_;  // '{'
    Json object = Json::object();
    std::vector<std::size_t> key_offsets;  // where each key was written, for duplicate reports
    skip_whitespace();
    if (at_ < text_.size() && text_[at_] == '}') {
      ++at_;
      return object;
    }
    for (;;) {
      skip_whitespace();
      if (at_ >= text_.size() || text_[at_] != '"') {
        fail(at_, "unexpected " + describe_here() + ": expected a key in double quotes");
      }
      const std::size_t key_offset = at_;
      std::string key = parse_string();
      if (auto first = first_offset_of(object, key, key_offsets)) {
        fail(key_offset, "duplicate key \"" + printable(key) + "\" in the object at " + path() +
                             " (first at " + line_and_column(text_, *first) + ")");
      }
      skip_whitespace();
      expect(':', "a ':' after the key");
      skip_whitespace();
      path_.push_back(pointer_component(printable(key)));
      const bool streamed = depth == 0 && sink_ != nullptr && key == stream_key_ &&
                            at_ < text_.size() && text_[at_] == '[';
      Json value = streamed ? parse_streamed_array(depth + 1) : parse_value(depth + 1);
      path_.pop_back();
      object.emplace(std::move(key), std::move(value));
      key_offsets.push_back(key_offset);
      skip_whitespace();
      if (at_ < text_.size() && text_[at_] == ',') {
        ++at_;
        continue;
      }
      expect('}', "',' or '}' in the object at " + path());
      return object;
    }
  }

  // Where `key` was first written in this object, if it was.
  std::optional<std::size_t> first_offset_of(const Json& object, const std::string& key,
                                             const std::vector<std::size_t>& key_offsets) {
    if (!object.contains(key)) return std::nullopt;
    // Rare (it is an error), so a re-scan of the keys' offsets is fine.
    for (std::size_t offset : key_offsets) {
      std::size_t saved = at_;
      at_ = offset;
      const std::string seen = parse_string();
      at_ = saved;
      if (seen == key) return offset;
    }
    return std::nullopt;
  }

  // The elements of an array, each handed to on_element with its index as soon as it is read.
  template <typename OnElement>
  void parse_elements(std::size_t depth, OnElement&& on_element) {
    ++at_;  // '['
    skip_whitespace();
    if (at_ < text_.size() && text_[at_] == ']') {
      ++at_;
      return;
    }
    for (std::size_t index = 0;; ++index) {
      skip_whitespace();
      path_.push_back(std::to_string(index));
      Json element = parse_value(depth + 1);
      path_.pop_back();
      on_element(std::move(element), index);
      skip_whitespace();
      if (at_ < text_.size() && text_[at_] == ',') {
        ++at_;
        continue;
      }
      expect(']', "',' or ']' in the array at " + path());
      return;
    }
  }

  Json parse_array(std::size_t depth) {
    Json array = Json::array();
    parse_elements(depth,
                   [&](Json&& element, std::size_t) { array.push_back(std::move(element)); });
    return array;
  }

  // As parse_array, handing each element to the sink instead of keeping it.
  Json parse_streamed_array(std::size_t depth) {
    if constexpr (std::is_same_v<Json, nlohmann::json>) {
      parse_elements(depth, [&](Json&& element, std::size_t index) {
        if (Status status = (*sink_)(std::move(element), index); !status.ok()) {
          throw SinkFailure{std::move(status)};
        }
      });
      return Json::array();
    } else {
      return parse_value(depth);  // streaming is offered for nlohmann::json only
    }
  }

  void expect(char wanted, const std::string& what) {
    if (at_ < text_.size() && text_[at_] == wanted) {
      ++at_;
      return;
    }
    fail(at_, "unexpected " + describe_here() + ": expected " + what);
  }

  std::string parse_string() {
    const std::size_t start = at_;
    ++at_;  // '"'
    std::string out;
    for (;;) {
      if (at_ >= text_.size()) fail(start, "unterminated string");
      const auto byte = static_cast<unsigned char>(text_[at_]);
      if (byte == '"') {
        ++at_;
        return out;
      }
      if (byte == '\\') {
        parse_escape(out);
      } else if (byte < 0x20) {
        fail(at_, "control byte \\x" + hex(byte) + " in a string (write it as an escape)");
      } else if (byte < 0x80) {
        out.push_back(static_cast<char>(byte));
        ++at_;
      } else {
        const std::size_t length = utf8_sequence(text_, at_);
        if (length == 0) fail(at_, "invalid UTF-8 (byte \\x" + hex(byte) + ") in a string");
        out.append(text_.substr(at_, length));
        at_ += length;
      }
    }
  }

  void parse_escape(std::string& out) {
    const std::size_t start = at_;
    ++at_;  // '\'
    if (at_ >= text_.size()) fail(start, "unterminated string");
    const char c = text_[at_++];
    switch (c) {
      case '"':
      case '\\':
      case '/':
        out.push_back(c);
        return;
      case 'b':
        out.push_back('\b');
        return;
      case 'f':
        out.push_back('\f');
        return;
      case 'n':
        out.push_back('\n');
        return;
      case 'r':
        out.push_back('\r');
        return;
      case 't':
        out.push_back('\t');
        return;
      case 'u':
        append_utf8(out, parse_unicode_escape(start));
        return;
      default:
        fail(start, "invalid escape '\\" + printable(std::string(1, c)) + "' in a string");
    }
  }

  // After "\u": four hex digits, and for a high surrogate the "\uDC00".."\uDFFF" that must follow.
  std::uint32_t parse_unicode_escape(std::size_t start) {
    std::uint32_t code = hex4(start);
    if (code >= 0xDC00 && code <= 0xDFFF) fail(start, "lone low surrogate \\u escape in a string");
    if (code >= 0xD800 && code <= 0xDBFF) {
      if (text_.substr(at_, 2) != "\\u")
        fail(start, "high surrogate \\u escape not followed by a low one");
      at_ += 2;
      const std::uint32_t low = hex4(start);
      if (low < 0xDC00 || low > 0xDFFF) {
        fail(start, "high surrogate \\u escape not followed by a low one");
      }
      code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
    }
    return code;
  }

  std::uint32_t hex4(std::size_t start) {
    std::uint32_t code = 0;
    for (int i = 0; i < 4; ++i, ++at_) {
      if (at_ >= text_.size()) fail(start, "unterminated \\u escape");
      const char c = text_[at_];
      std::uint32_t digit = 0;
      if (c >= '0' && c <= '9') {
        digit = static_cast<std::uint32_t>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        digit = static_cast<std::uint32_t>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        digit = static_cast<std::uint32_t>(c - 'A' + 10);
      } else {
        fail(start, "a \\u escape needs four hex digits");
      }
      code = code * 16 + digit;
    }
    return code;
  }

  static void append_utf8(std::string& out, std::uint32_t code) {
    if (code < 0x80) {
      out.push_back(static_cast<char>(code));
    } else if (code < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (code >> 6)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else if (code < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (code >> 12)));
      out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (code >> 18)));
      out.push_back(static_cast<char>(0x80 | ((code >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    }
  }

  std::size_t digits_from(std::size_t at) const {
    std::size_t end = at;
    while (end < text_.size() && text_[end] >= '0' && text_[end] <= '9') ++end;
    return end - at;
  }

  Json parse_number() {
    const std::size_t start = at_;
    if (text_[at_] == '-') ++at_;
    const std::size_t integer_digits = digits_from(at_);
    if (integer_digits == 0) fail(start, "a number needs digits after '-'");
    if (integer_digits > 1 && text_[at_] == '0') fail(start, "a number may not start with 0");
    at_ += integer_digits;
    bool integral = true;
    if (at_ < text_.size() && text_[at_] == '.') {
      ++at_;
      const std::size_t fraction = digits_from(at_);
      if (fraction == 0) fail(start, "a number needs digits after '.'");
      at_ += fraction;
      integral = false;
    }
    if (at_ < text_.size() && (text_[at_] == 'e' || text_[at_] == 'E')) {
      ++at_;
      if (at_ < text_.size() && (text_[at_] == '+' || text_[at_] == '-')) ++at_;
      const std::size_t exponent = digits_from(at_);
      if (exponent == 0) fail(start, "a number needs digits in its exponent");
      at_ += exponent;
      integral = false;
    }
    const std::string_view literal = text_.substr(start, at_ - start);
    return integral ? integer(literal, start) : floating(literal, start);
  }

  Json integer(std::string_view literal, std::size_t start) {
    const char* first = literal.data();
    const char* last = literal.data() + literal.size();
    if (literal.front() == '-') {
      std::int64_t value = 0;
      const auto [end, error] = std::from_chars(first, last, value);
      if (error != std::errc() || end != last) {
        fail(start, "the integer " + std::string(literal) + " is below -2^63");
      }
      return Json(value);
    }
    std::uint64_t value = 0;
    const auto [end, error] = std::from_chars(first, last, value);
    if (error != std::errc() || end != last) {
      fail(start, "the integer " + std::string(literal) + " is above 2^64-1");
    }
    return Json(value);
  }

  Json floating(std::string_view literal, std::size_t start) {
    double value = 0;
    const auto [end, error] =
        std::from_chars(literal.data(), literal.data() + literal.size(), value);
    if (error != std::errc() || end != literal.data() + literal.size() || !std::isfinite(value)) {
      fail(start, "the number " + std::string(literal) + " is out of a double's range");
    }
    return Json(value);
  }

  std::string_view text_;
  std::string_view stream_key_;
  const JsonElementSink* sink_ = nullptr;
  std::size_t at_ = 0;
  std::vector<std::string> path_;
};

template <typename Json>
Result<Json> parse_with(std::string_view text, const std::string& file_name) {
  try {
    return Parser<Json>(text).parse_document();
  } catch (const JsonRefusal& error) {
    return Status(StatusCode::invalid_argument,
                  file_name + ":" + line_and_column(text, error.offset) + ": " + error.reason);
  }
}

}  // namespace

std::string line_and_column(std::string_view text, std::size_t offset) {
  if (offset > text.size()) offset = text.size();
  std::size_t line = 1;
  std::size_t column = 1;
  for (std::size_t i = 0; i < offset; ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else if ((static_cast<unsigned char>(text[i]) & 0xC0u) != 0x80u) {
      ++column;  // continuation bytes belong to the character before them
    }
  }
  return std::to_string(line) + ":" + std::to_string(column);
}

std::variant<nlohmann::json, JsonRefusal> parse_strict_json_value(std::string_view text) {
  try {
    return Parser<nlohmann::json>(text).parse_document();
  } catch (JsonRefusal& refusal) {
    return std::move(refusal);
  }
}

Result<nlohmann::json> parse_strict_json_streaming(std::string_view text,
                                                   const std::string& file_name,
                                                   std::string_view array_key,
                                                   const JsonElementSink& sink) {
  try {
    return Parser<nlohmann::json>(text, array_key, &sink).parse_document();
  } catch (const JsonRefusal& error) {
    return Status(StatusCode::invalid_argument,
                  file_name + ":" + line_and_column(text, error.offset) + ": " + error.reason);
  } catch (SinkFailure& failure) {
    return std::move(failure.status);
  }
}

Result<nlohmann::json> parse_strict_json(std::string_view text, const std::string& file_name) {
  return parse_with<nlohmann::json>(text, file_name);
}

Result<nlohmann::ordered_json> parse_strict_ordered_json(std::string_view text,
                                                         const std::string& file_name) {
  return parse_with<nlohmann::ordered_json>(text, file_name);
}

}  // namespace raftsim::files

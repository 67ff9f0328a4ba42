// The strict JSON reader: what it refuses (each with file, line and column), and that on every
// document it accepts it builds the same value as nlohmann's own parser.
#include "sim/files/strict_json.h"

#include <gtest/gtest.h>

#include <string>

namespace raftsim::files {
namespace {

std::string error_of(std::string_view text) {
  auto parsed = parse_strict_json(text, "in.json");
  EXPECT_FALSE(parsed.ok()) << text;
  return parsed.ok() ? std::string() : parsed.status().message();
}

TEST(StrictJson, AcceptsWhatNlohmannAcceptsWithTheSameValue) {
  for (const char* text :
       {"{}", "[]", "0", "-0", "1.5e3", "-12", "18446744073709551615", "-9223372036854775808",
        "\"a\\u00e9\\ud83d\\ude00\\n\\/\"", "{\"a\": [1, 2.25, {\"b\": null}], \"c\": true}",
        " \t\r\n[false] ", "\"caf\xc3\xa9\"", "1e-300", "[[[[[]]]]]"}) {
    auto strict = parse_strict_json(text, "in.json");
    ASSERT_TRUE(strict.ok()) << text << ": " << strict.status().message();
    const nlohmann::json reference = nlohmann::json::parse(text);
    EXPECT_EQ(strict.value(), reference) << text;
    EXPECT_EQ(strict.value().dump(), reference.dump()) << text << " (number kinds differ)";
  }
}

TEST(StrictJson, KeepsTheOrderOfKeysWhenAsked) {
  auto parsed = parse_strict_ordered_json("{\"z\": 1, \"a\": 2}", "in.json");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed.value().dump(), "{\"z\":1,\"a\":2}");
}

TEST(StrictJson, RefusesDuplicateKeysNamingThePathAndBothPlaces) {
  const std::string error = error_of("{\"ops\": [{\"value\": 1,\n  \"value\": 2}]}");
  EXPECT_EQ(error, "in.json:2:3: duplicate key \"value\" in the object at /ops/0 (first at 1:11)");
  EXPECT_NE(error_of("{\"a\":1,\"a\":1}").find("duplicate key \"a\" in the object at /"),
            std::string::npos);
  // Keys that differ only after an escape are different keys...
  EXPECT_TRUE(parse_strict_json("{\"a\": 1, \"\\u0061b\": 2}", "in.json").ok());
  // ...and the same key written two ways is a duplicate.
  EXPECT_NE(error_of("{\"a\": 1, \"\\u0061\": 2}").find("duplicate key \"a\""), std::string::npos);
}

TEST(StrictJson, RefusesNumbersThatDoNotFit) {
  EXPECT_EQ(error_of("[1e400]"), "in.json:1:2: the number 1e400 is out of a double's range");
  EXPECT_EQ(error_of("18446744073709551616"),
            "in.json:1:1: the integer 18446744073709551616 is above 2^64-1");
  EXPECT_EQ(error_of("-9223372036854775809"),
            "in.json:1:1: the integer -9223372036854775809 is below -2^63");
  EXPECT_NE(error_of("1e-400").find("out of a double's range"), std::string::npos);
  EXPECT_NE(error_of("[NaN]").find("1:2: NaN and Infinity are not JSON numbers"),
            std::string::npos);
  EXPECT_NE(error_of("Infinity").find("NaN and Infinity"), std::string::npos);
  EXPECT_NE(error_of("-Infinity").find("digits after '-'"), std::string::npos);
  EXPECT_NE(error_of("012").find("may not start with 0"), std::string::npos);
  EXPECT_NE(error_of("1.").find("digits after '.'"), std::string::npos);
  EXPECT_NE(error_of("1e+").find("exponent"), std::string::npos);
  EXPECT_NE(error_of("+1").find("unexpected character '+'"), std::string::npos);
}

TEST(StrictJson, RefusesBrokenTextWithItsPosition) {
  EXPECT_EQ(error_of(""), "in.json:1:1: empty input: expected a JSON value");
  EXPECT_EQ(error_of("{\"a\": \"x"), "in.json:1:7: unterminated string");
  EXPECT_EQ(error_of("[1,\n 2"),
            "in.json:2:3: unexpected end of input: expected ',' or ']' in the array at /");
  EXPECT_EQ(error_of("{\"a\" 1}"),
            "in.json:1:6: unexpected character '1': expected a ':' after the key");
  EXPECT_EQ(error_of("{} x"), "in.json:1:4: unexpected character 'x' after the JSON value");
  EXPECT_EQ(error_of("\"\xe9t\xe9\""), "in.json:1:2: invalid UTF-8 (byte \\xe9) in a string");
  EXPECT_EQ(error_of("\xff"), "in.json:1:1: unexpected byte \\xff: expected a JSON value");
  EXPECT_EQ(error_of("\"a\nb\""),
            "in.json:1:3: control byte \\x0a in a string (write it as an escape)");
  EXPECT_NE(error_of("\"\\x41\"").find("invalid escape '\\x'"), std::string::npos);
  EXPECT_NE(error_of("\"\\ud800\"").find("high surrogate"), std::string::npos);
  EXPECT_NE(error_of("\"\\udc00\"").find("lone low surrogate"), std::string::npos);
  EXPECT_NE(error_of("\"\\u12\"").find("four hex digits"), std::string::npos);
  EXPECT_NE(error_of("{'a': 1}").find("expected a key in double quotes"), std::string::npos);
  EXPECT_NE(error_of("[1,]").find("expected a JSON value"), std::string::npos);
  // Columns count characters: "é" is one.
  EXPECT_EQ(error_of("[\"\xc3\xa9\", x]"),
            "in.json:1:7: unexpected character 'x': expected a JSON value");
}

TEST(StrictJson, BoundsNesting) {
  const std::string deep =
      std::string(kJsonDepthMax + 1, '[') + std::string(kJsonDepthMax + 1, ']');
  EXPECT_NE(error_of(deep).find("nesting deeper than"), std::string::npos);
  const std::string fine = std::string(kJsonDepthMax, '[') + std::string(kJsonDepthMax, ']');
  EXPECT_TRUE(parse_strict_json(fine, "in.json").ok());
}

TEST(StrictJson, SkipsAByteOrderMark) {
  auto parsed = parse_strict_json("\xEF\xBB\xBF{\"a\": 1}", "in.json");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed.value()["a"], 1);
}

TEST(StrictJson, EscapesInputTextInMessages) {
  EXPECT_EQ(error_of("{\"a\\u001b[31m\": 1, \"a\\u001b[31m\": 2}")
                .rfind("in.json:1:20: duplicate key \"a\\x1b[31m\" in", 0),
            0u);
}

}  // namespace
}  // namespace raftsim::files

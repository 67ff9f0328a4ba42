// raftsim: strict reading of JSON documents against a schema written as code.
// Every accessor names the JSON path it reads ("/faults/3/target"); a mismatch records "PATH:
// expected WHAT, found WHAT" and reading goes on, so one pass reports every error (up to a
// limit). An object reader remembers which fields were read: finish() reports the rest as unknown
// fields, listing the allowed ones. Documents come from
// files::parse_strict_json (sim/files/strict_json.h).
#pragma once

#include <cstdint>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "raft/base/status.h"

namespace raftsim::sim {

// Edit distance, for "did you mean" hints on misspelt names.
std::size_t edit_distance(std::string_view a, std::string_view b);
// The name within edit distance 3 of `given` that is nearest (the first of equals), or "".
std::string closest_name(std::string_view given, const std::vector<std::string_view>& names);

// "the string \"abc\"", "the number 9", "an array of 3", ... for error messages.
std::string describe_json_value(const nlohmann::json& value);

class JsonErrors {
 public:
  static constexpr std::size_t kErrorsMax = 25;

  void add(const std::string& path, const std::string& expected, const nlohmann::json& found);
  void add_message(const std::string& path, const std::string& message);
  bool empty() const { return messages_.empty(); }
  const std::vector<std::string>& messages() const { return messages_; }
  // One Status listing every error, each on its own line prefixed with the file name.
  Status to_status(const std::string& file_name) const;

 private:
  std::vector<std::string> messages_;
  std::size_t dropped_ = 0;
};

class JsonObjectReader {
 public:
  // `value` may be null (an absent optional object): then every field reads as absent.
  JsonObjectReader(const nlohmann::json* value, std::string path, JsonErrors& errors);

  bool valid() const { return object_ != nullptr; }
  bool has(std::string_view name) const;
  const std::string& path() const { return path_; }
  std::string path_of(std::string_view name) const { return path_ + "/" + std::string(name); }
  // The raw field (marked as read), or null if absent.
  const nlohmann::json* field(std::string_view name);

  // Each reader leaves `out` unchanged when the field is absent or wrong (the error is recorded).
  bool read_bool(std::string_view name, bool& out);
  bool read_string(std::string_view name, std::string& out, bool non_empty = false);
  bool read_choice(std::string_view name, std::string& out,
                   std::initializer_list<std::string_view> choices);
  bool read_choice(std::string_view name, std::string& out,
                   const std::vector<std::string_view>& choices);
  bool read_int(std::string_view name, std::int64_t& out, std::int64_t min, std::int64_t max);
  bool read_uint(std::string_view name, std::uint64_t& out, std::uint64_t min, std::uint64_t max);
  bool read_number(std::string_view name, double& out, double min, double max);
  // Milliseconds as a JSON number (fractions allowed, down to a nanosecond) into virtual time.
  bool read_ms(std::string_view name, std::int64_t& out_ns, double min_ms, double max_ms);
  // [min, max] in milliseconds, min <= max.
  bool read_ms_range(std::string_view name, std::int64_t& min_ns, std::int64_t& max_ns,
                     double min_ms, double max_ms);
  // A percentage 0..100 (fractions allowed) as parts per million.
  bool read_percent_ppm(std::string_view name, std::uint64_t& out_ppm);
  bool read_string_list(std::string_view name, std::vector<std::string>& out);

  JsonObjectReader object(std::string_view name);  // absent: an invalid reader
  void error(std::string_view name, const std::string& expected);
  // Records every field no accessor asked for as unknown (with a "did you mean" hint).
  void finish();

 private:
  const nlohmann::json* object_ = nullptr;
  std::string path_;
  JsonErrors& errors_;
  std::set<std::string, std::less<>> known_;  // every field name asked for
};

}  // namespace raftsim::sim

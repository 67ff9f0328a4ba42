#include "sim/scenario/json_reader.h"

#include "sim/files/text.h"

#include <algorithm>
#include <cmath>

namespace raftsim::sim {

std::string describe_json_value(const nlohmann::json& value) {
  auto shorten = [](const std::string& text) {
    constexpr std::size_t kShown = 40;
    return files::shorten_utf8(text, kShown);
  };
  switch (value.type()) {
    case nlohmann::json::value_t::null:
      return "null";
    case nlohmann::json::value_t::boolean:
      return value.get<bool>() ? "true" : "false";
    case nlohmann::json::value_t::string:
      return "the string " + shorten(value.dump());
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float:
      return "the number " + shorten(value.dump());
    case nlohmann::json::value_t::array:
      return "an array of " + std::to_string(value.size());
    case nlohmann::json::value_t::object:
      return "an object";
    default:
      return "a " + std::string(value.type_name());
  }
}

void JsonErrors::add(const std::string& path, const std::string& expected,
                     const nlohmann::json& found) {
  add_message(path, "expected " + expected + ", found " + describe_json_value(found));
}

void JsonErrors::add_message(const std::string& path, const std::string& message) {
  if (messages_.size() == kErrorsMax) {
    ++dropped_;
    return;
  }
  // Paths and messages quote the input (field names, values): escaped so they print safely.
  messages_.push_back(files::printable((path.empty() ? std::string("/") : path) + ": " + message,
                                       /*escape_backslashes=*/false));
}

Status JsonErrors::to_status(const std::string& file_name) const {
  RAFTSIM_CHECK(!messages_.empty());
  std::string text;
  for (const std::string& message : messages_) {
    if (!text.empty()) text += "\n";
    text += file_name + ": " + message;
  }
  if (dropped_ > 0) {
    text += "\n" + file_name + ": ... and " + std::to_string(dropped_) + " more errors";
  }
  return Status(StatusCode::invalid_argument, text);
}

JsonObjectReader::JsonObjectReader(const nlohmann::json* value, std::string path,
                                   JsonErrors& errors)
    : path_(std::move(path)), errors_(errors) {
  if (value == nullptr) return;
  if (!value->is_object()) {
    errors_.add(path_, "an object", *value);
    return;
  }
  object_ = value;
}

bool JsonObjectReader::has(std::string_view name) const {
  return object_ != nullptr && object_->find(name) != object_->end();
}

const nlohmann::json* JsonObjectReader::field(std::string_view name) {
  known_.insert(std::string(name));
  if (object_ == nullptr) return nullptr;
  auto found = object_->find(name);
  return found == object_->end() ? nullptr : &*found;
}

void JsonObjectReader::error(std::string_view name, const std::string& expected) {
  const nlohmann::json* value = field(name);
  if (value != nullptr) {
    errors_.add(path_of(name), expected, *value);
  } else {
    errors_.add_message(path_of(name), "expected " + expected + ", but it is missing");
  }
}

bool JsonObjectReader::read_bool(std::string_view name, bool& out) {
  const nlohmann::json* value = field(name);
  if (value == nullptr) return false;
  if (!value->is_boolean()) {
    errors_.add(path_of(name), "true or false", *value);
    return false;
  }
  out = value->get<bool>();
  return true;
}

bool JsonObjectReader::read_string(std::string_view name, std::string& out, bool non_empty) {
  const nlohmann::json* value = field(name);
  if (value == nullptr) return false;
  if (!value->is_string() || (non_empty && value->get<std::string>().empty())) {
    errors_.add(path_of(name), non_empty ? "a non-empty string" : "a string", *value);
    return false;
  }
  out = value->get<std::string>();
  return true;
}

bool JsonObjectReader::read_choice(std::string_view name, std::string& out,
                                   std::initializer_list<std::string_view> choices) {
  return read_choice(name, out, std::vector<std::string_view>(choices));
}

bool JsonObjectReader::read_choice(std::string_view name, std::string& out,
                                   const std::vector<std::string_view>& choices) {
  const nlohmann::json* value = field(name);
  if (value == nullptr) return false;
  std::string expected = "one of";
  for (std::string_view choice : choices) {
    expected += std::string(expected.back() == 'f' ? " \"" : ", \"") + std::string(choice) + "\"";
  }
  if (value->is_string()) {
    for (std::string_view choice : choices) {
      if (value->get<std::string>() == choice) {
        out = std::string(choice);
        return true;
      }
    }
  }
  errors_.add(path_of(name), expected, *value);
  return false;
}

bool JsonObjectReader::read_int(std::string_view name, std::int64_t& out, std::int64_t min,
                                std::int64_t max) {
  const nlohmann::json* value = field(name);
  if (value == nullptr) return false;
  const std::string expected =
      "an integer from " + std::to_string(min) + " to " + std::to_string(max);
  if (value->is_number_integer() && !value->is_number_unsigned()) {
    const std::int64_t number = value->get<std::int64_t>();
    if (number >= min && number <= max) {
      out = number;
      return true;
    }
  } else if (value->is_number_unsigned()) {
    const std::uint64_t number = value->get<std::uint64_t>();
    if (number <= static_cast<std::uint64_t>(INT64_MAX) &&
        static_cast<std::int64_t>(number) >= min && static_cast<std::int64_t>(number) <= max) {
      out = static_cast<std::int64_t>(number);
      return true;
    }
  }
  errors_.add(path_of(name), expected, *value);
  return false;
}

bool JsonObjectReader::read_uint(std::string_view name, std::uint64_t& out, std::uint64_t min,
                                 std::uint64_t max) {
  const nlohmann::json* value = field(name);
  if (value == nullptr) return false;
  if (value->is_number_unsigned() ||
      (value->is_number_integer() && value->get<std::int64_t>() >= 0)) {
    const std::uint64_t number = value->get<std::uint64_t>();
    if (number >= min && number <= max) {
      out = number;
      return true;
    }
  }
  errors_.add(path_of(name),
              "an integer from " + std::to_string(min) + " to " + std::to_string(max), *value);
  return false;
}

bool JsonObjectReader::read_number(std::string_view name, double& out, double min, double max) {
  const nlohmann::json* value = field(name);
  if (value == nullptr) return false;
  if (value->is_number()) {
    const double number = value->get<double>();
    if (std::isfinite(number) && number >= min && number <= max) {
      out = number;
      return true;
    }
  }
  auto format = [](double number) {
    std::string text = std::to_string(number);
    while (text.size() > 1 && text.back() == '0') text.pop_back();
    if (text.back() == '.') text.pop_back();
    return text;
  };
  errors_.add(path_of(name), "a number from " + format(min) + " to " + format(max), *value);
  return false;
}

bool JsonObjectReader::read_ms(std::string_view name, std::int64_t& out_ns, double min_ms,
                               double max_ms) {
  double ms = 0;
  if (!read_number(name, ms, min_ms, max_ms)) return false;
  // Parsing is the one place floating point is allowed: it is correctly rounded everywhere.
  out_ns = std::llround(ms * 1e6);
  return true;
}

bool JsonObjectReader::read_ms_range(std::string_view name, std::int64_t& min_ns,
                                     std::int64_t& max_ns, double min_ms, double max_ms) {
  const nlohmann::json* value = field(name);
  if (value == nullptr) return false;
  const std::string expected = "[min, max] in milliseconds, each from " +
                               std::to_string(static_cast<long long>(min_ms)) + " to " +
                               std::to_string(static_cast<long long>(max_ms)) + ", min <= max";
  if (value->is_array() && value->size() == 2 && (*value)[0].is_number() &&
      (*value)[1].is_number()) {
    const double low = (*value)[0].get<double>();
    const double high = (*value)[1].get<double>();
    if (std::isfinite(low) && std::isfinite(high) && low >= min_ms && high <= max_ms &&
        low <= high) {
      min_ns = std::llround(low * 1e6);
      max_ns = std::llround(high * 1e6);
      return true;
    }
  }
  errors_.add(path_of(name), expected, *value);
  return false;
}

bool JsonObjectReader::read_percent_ppm(std::string_view name, std::uint64_t& out_ppm) {
  double percent = 0;
  if (!read_number(name, percent, 0, 100)) return false;
  out_ppm = static_cast<std::uint64_t>(std::llround(percent * 10'000));
  return true;
}

bool JsonObjectReader::read_string_list(std::string_view name, std::vector<std::string>& out) {
  const nlohmann::json* value = field(name);
  if (value == nullptr) return false;
  // A single string is accepted as a list of one: "target": "leader" reads naturally.
  if (value->is_string()) {
    out = {value->get<std::string>()};
    return true;
  }
  bool ok = value->is_array() && !value->empty();
  if (ok) {
    for (const auto& item : *value) ok = ok && item.is_string();
  }
  if (!ok) {
    errors_.add(path_of(name), "a string or a non-empty array of strings", *value);
    return false;
  }
  out.clear();
  for (const auto& item : *value) out.push_back(item.get<std::string>());
  return true;
}

JsonObjectReader JsonObjectReader::object(std::string_view name) {
  return JsonObjectReader(field(name), path_of(name), errors_);
}

// Edit distance, for "did you mean" hints on misspelt field names.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::string closest_name(std::string_view given, const std::vector<std::string_view>& names) {
  std::string_view closest;
  std::size_t closest_distance = 4;  // suggest only near misses
  for (std::string_view name : names) {
    const std::size_t distance = edit_distance(given, name);
    if (distance < closest_distance) {
      closest = name;
      closest_distance = distance;
    }
  }
  return std::string(closest);
}

void JsonObjectReader::finish() {
  if (object_ == nullptr) return;
  for (const auto& [key, value] : object_->items()) {
    if (known_.count(key) != 0) continue;
    std::string message = "unknown field";
    std::string_view closest;
    std::size_t closest_distance = 3;  // suggest only near misses
    for (const std::string& known : known_) {
      const std::size_t distance = edit_distance(key, known);
      if (distance < closest_distance) {
        closest = known;
        closest_distance = distance;
      }
    }
    if (!closest.empty()) {
      message += " (did you mean \"" + std::string(closest) + "\"?)";
    } else if (!known_.empty()) {
      std::string allowed;
      for (const std::string& known : known_) allowed += (allowed.empty() ? "" : ", ") + known;
      message += " (allowed here: " + allowed + ")";
    }
    errors_.add_message(path_of(key), message);
  }
}

}  // namespace raftsim::sim

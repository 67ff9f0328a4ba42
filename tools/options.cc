#include "tools/options.h"

#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <typeinfo>

#include "sim/files/artifact_writer.h"
#include "sim/files/input_file.h"
#include "sim/files/text.h"

#include "tools/commands.h"

namespace raftsim::tools {

namespace po = boost::program_options;

namespace {

bool holds_unsigned(const boost::any& value) {
  const std::type_info& type = value.type();
  return type == typeid(std::uint64_t) || type == typeid(std::uint32_t) ||
         type == typeid(std::size_t) || type == typeid(unsigned);
}

// Boost converts "-1" to an unsigned option by wrapping it to 2^64-1 and accepts "nan" and "inf"
// for a double: both are refused here, for every command at once.
void check_numbers(const po::parsed_options& parsed, const po::variables_map& values) {
  for (const po::option& option : parsed.options) {
    if (option.string_key.empty() || values.count(option.string_key) == 0) continue;
    const boost::any& value = values[option.string_key].value();
    for (const std::string& token : option.value) {
      if (holds_unsigned(value) && token.find('-') != std::string::npos) {
        throw UsageError("--" + option.string_key + ": expected a non-negative integer, found '" +
                         files::printable(token) + "'");
      }
    }
    if (value.type() == typeid(double) && !std::isfinite(boost::any_cast<double>(value))) {
      throw UsageError("--" + option.string_key + ": expected a finite number, found '" +
                       files::printable(option.value.empty() ? "" : option.value.back()) + "'");
    }
  }
}

}  // namespace

po::variables_map parse_arguments(const std::vector<std::string>& arguments,
                                  const po::options_description& options,
                                  const po::positional_options_description* positional) {
  po::variables_map values;
  try {
    po::command_line_parser parser(arguments);
    parser.options(options);
    if (positional != nullptr) parser.positional(*positional);
    const po::parsed_options parsed = parser.run();
    po::store(parsed, values);
    check_numbers(parsed, values);
    po::notify(values);
  } catch (const po::error& error) {
    throw UsageError(files::printable(error.what()));
  }
  return values;
}

std::uint64_t parse_whole_number(std::string_view text, std::string_view what, std::uint64_t min,
                                 std::uint64_t max) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value < min ||
      value > max) {
    throw UsageError(std::string(what) + ": expected a whole number from " + std::to_string(min) +
                     " to " + std::to_string(max) + ", found '" + files::printable(text) + "'");
  }
  return value;
}

double parse_finite_number(std::string_view text, std::string_view what, double min, double max) {
  double value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() ||
      !std::isfinite(value) || value < min || value > max) {
    std::ostringstream range;
    range << min << " to " << max;
    throw UsageError(std::string(what) + ": expected a number from " + range.str() + ", found '" +
                     files::printable(text) + "'");
  }
  return value;
}

void add_input_limit_option(po::options_description& options) {
  options.add_options()("input-limit-mb", po::value<std::uint64_t>(),
                        "refuse input files larger than this many MiB (default: 16 for scenarios, "
                        "256 for histories and traces; at most 16384)");
}

std::size_t input_limit_bytes(const po::variables_map& values, std::size_t default_bytes) {
  if (values.count("input-limit-mb") == 0) return default_bytes;
  const std::uint64_t megabytes = values["input-limit-mb"].as<std::uint64_t>();
  if (megabytes < 1 || megabytes > (files::kInputBytesMax >> 20)) {
    throw UsageError("--input-limit-mb: expected 1 to " +
                     std::to_string(files::kInputBytesMax >> 20) + ", found " +
                     std::to_string(megabytes));
  }
  return static_cast<std::size_t>(megabytes) << 20;
}

po::variables_map parse_arguments_with_positional(const std::vector<std::string>& arguments,
                                                  const po::options_description& options,
                                                  const char* name, std::string& value) {
  po::options_description hidden;
  hidden.add_options()(name, po::value<std::string>(&value));
  po::options_description all;
  all.add(options).add(hidden);
  po::positional_options_description positional;
  positional.add(name, 1);
  return parse_arguments(arguments, all, &positional);
}

std::string help_text(const po::options_description& options) {
  std::ostringstream help;
  help << options;
  return help.str();
}

bool print_help_if_asked(const po::variables_map& values, const po::options_description& options) {
  if (values.count("help") == 0) return false;
  std::printf("%s", help_text(options).c_str());
  return true;
}

void create_out_directory(const std::string& directory) {
  if (Status prepared = files::prepare_directory(directory); !prepared.ok()) {
    throw UsageError("cannot use output directory: " + files::printable(prepared.message()));
  }
}

void check_output_file(const std::string& option, const std::string& path) {
  std::error_code error;
  const std::filesystem::path target(path);
  if (std::filesystem::is_directory(target, error)) {
    throw UsageError(option + " " + files::printable(path) + ": is a directory, expected a file");
  }
  const std::filesystem::path parent =
      target.parent_path().empty() ? std::filesystem::path(".") : target.parent_path();
  if (!std::filesystem::is_directory(parent, error)) {
    throw UsageError(option + " " + files::printable(path) + ": directory " +
                     files::printable(parent.string()) + " does not exist");
  }
}

double monotonic_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

void add_help_option(po::options_description& options) {
  options.add_options()("help,h", "show this help");
}

void add_json_option(po::options_description& options, bool& json) {
  options.add_options()("json", po::bool_switch(&json), "print one JSON object on stdout");
}

void add_bug_option(po::options_description& options, std::string& bug) {
  options.add_options()("bug", po::value<std::string>(&bug),
                        "inject this catalogued bug ('raftsim bugs' lists them; 'none': no bug, "
                        "also turning a scenario's \"bug\" off)");
}

namespace {

// A failed write as the UsageError (exit 2) every command gives: the path and the OS's reason.
void throw_if_not_written(const Status& written) {
  if (!written.ok()) throw UsageError("cannot write: " + files::printable(written.message()));
}

}  // namespace

void write_output(const std::string& path, std::string_view bytes) {
  throw_if_not_written(files::write_file(path, bytes));
}

void write_trace_output(const std::string& path, const sim::Trace& trace) {
  files::FileWriter writer(path);
  trace.write_jsonl([&writer](std::string_view line) { writer.append(line); });
  throw_if_not_written(writer.commit());
}

}  // namespace raftsim::tools

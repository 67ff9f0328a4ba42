// raftsim CLI: command-line glue shared by the subcommands: parsing (Boost.Program_options),
// --help, and the --out directory. Parse errors become UsageError (exit 2) with Boost's message,
// which names the option at fault.
#pragma once

#include <boost/program_options.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "sim/kernel/trace.h"

namespace raftsim::tools {

boost::program_options::variables_map parse_arguments(
    const std::vector<std::string>& arguments,
    const boost::program_options::options_description& options,
    const boost::program_options::positional_options_description* positional = nullptr);

// As parse_arguments, plus one positional argument stored in `value`; it is left out of the help
// text, which the command words itself (raftsim bench SUITE, raftsim render TRACE.jsonl).
boost::program_options::variables_map parse_arguments_with_positional(
    const std::vector<std::string>& arguments,
    const boost::program_options::options_description& options, const char* name,
    std::string& value);

// A whole decimal number in [min, max]: no sign, no prefix parsing ("12abc" and "1e3" are
// refused), no wrap; a failure is a UsageError naming `what` and the text.
std::uint64_t parse_whole_number(std::string_view text, std::string_view what, std::uint64_t min,
                                 std::uint64_t max);
// A finite decimal number in [min, max] (no NaN, no infinity), likewise.
double parse_finite_number(std::string_view text, std::string_view what, double min, double max);

// --input-limit-mb for every command that reads files (sim/files/input_file.h), and the cap it
// sets in bytes (`default_bytes` when absent).
void add_input_limit_option(boost::program_options::options_description& options);
std::size_t input_limit_bytes(const boost::program_options::variables_map& values,
                              std::size_t default_bytes);

std::string help_text(const boost::program_options::options_description& options);

// Seconds on the monotonic clock (steady_clock, any origin): the clock tools/ hands to the sim/
// loops that need a wall-clock guard (sim/ reads no clock itself).
double monotonic_seconds();

// The options commands share, declared once so each reads and means the same everywhere (and its
// help text cannot drift between commands). --help: every command. --json: one JSON object on
// stdout. --bug NAME: a catalogued bug ('none': no bug, also overriding a scenario's), read with
// parse_bug_option (tools/commands.h).
void add_help_option(boost::program_options::options_description& options);
void add_json_option(boost::program_options::options_description& options, bool& json);
void add_bug_option(boost::program_options::options_description& options, std::string& bug);

// Prints the options' help on stdout if --help was given; returns whether it did (the command
// then exits 0).
bool print_help_if_asked(const boost::program_options::variables_map& values,
                         const boost::program_options::options_description& options);

// Creates `directory` and its parents and checks that files can be written there (before a long
// run starts); a failure is a UsageError naming the directory and the reason.
void create_out_directory(const std::string& directory);
// Checks before a long run that `path` can be written as a file later: not a directory, in an
// existing directory. A failure is a UsageError naming `option`, the path and the reason.
void check_output_file(const std::string& option, const std::string& path);
// Writes a whole file atomically (sim/files/artifact_writer.h); a failure is a UsageError
// (exit 2) naming the path and the operating system's reason. Every file a command writes goes
// through here.
void write_output(const std::string& path, std::string_view bytes);
// The same for a recorded trace as JSON lines, streamed (a long run's trace is gigabytes).
void write_trace_output(const std::string& path, const sim::Trace& trace);

}  // namespace raftsim::tools

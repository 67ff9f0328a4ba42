// raftsim CLI: command-line glue shared by the subcommands: parsing (Boost.Program_options),
// --help, and the --out directory. Parse errors become UsageError (exit 2) with Boost's message,
// which names the option at fault.
#pragma once

#include <boost/program_options.hpp>
#include <string>
#include <vector>

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

std::string help_text(const boost::program_options::options_description& options);

// Prints the options' help on stdout if --help was given; returns whether it did (the command
// then exits 0).
bool print_help_if_asked(const boost::program_options::variables_map& values,
                         const boost::program_options::options_description& options);

// Creates `directory` and its parents; a failure is a UsageError naming --out.
void create_out_directory(const std::string& directory);

}  // namespace raftsim::tools

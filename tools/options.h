// raftsim CLI: command-line parsing shared by the subcommands (Boost.Program_options). Parse
// errors become UsageError (exit 2) with Boost's message, which names the option at fault.
#pragma once

#include <boost/program_options.hpp>
#include <string>
#include <vector>

namespace raftsim::tools {

boost::program_options::variables_map parse_arguments(
    const std::vector<std::string>& arguments,
    const boost::program_options::options_description& options,
    const boost::program_options::positional_options_description* positional = nullptr);

std::string help_text(const boost::program_options::options_description& options);

}  // namespace raftsim::tools

#include "tools/options.h"

#include <sstream>

#include "tools/commands.h"

namespace raftsim::tools {

namespace po = boost::program_options;

po::variables_map parse_arguments(const std::vector<std::string>& arguments,
                                  const po::options_description& options,
                                  const po::positional_options_description* positional) {
  po::variables_map values;
  try {
    po::command_line_parser parser(arguments);
    parser.options(options);
    if (positional != nullptr) parser.positional(*positional);
    po::store(parser.run(), values);
    po::notify(values);
  } catch (const po::error& error) {
    throw UsageError(error.what());
  }
  return values;
}

std::string help_text(const po::options_description& options) {
  std::ostringstream help;
  help << options;
  return help.str();
}

}  // namespace raftsim::tools

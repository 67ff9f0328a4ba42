#include "tools/options.h"

#include "tools/artifact/artifact_writer.h"

#include <cstdio>
#include <filesystem>
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
  if (Status prepared = artifact::prepare_directory(directory); !prepared.ok()) {
    throw UsageError("cannot use output directory: " + artifact::printable(prepared.message()));
  }
}

void write_output(const std::string& path, std::string_view bytes) {
  if (Status written = artifact::write_file(path, bytes); !written.ok()) {
    throw UsageError("cannot write: " + artifact::printable(written.message()));
  }
}

}  // namespace raftsim::tools

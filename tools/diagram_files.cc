#include "tools/diagram_files.h"

#include <cstdlib>
#include <fstream>

namespace raftsim::tools {

DiagramFiles write_diagram_files(const std::string& out_dir, const std::string& name,
                                 const std::string& dot) {
  const std::string dot_path = out_dir + "/" + name + ".dot";
  const std::string svg_path = out_dir + "/" + name + ".svg";
  std::ofstream(dot_path) << dot;
  const std::string command = "dot -Tsvg '" + dot_path + "' -o '" + svg_path + "' 2>/dev/null";
  if (std::system(command.c_str()) != 0) {
    return {false, name + ".dot (Graphviz 'dot' missing or failed: no SVG)"};
  }
  return {true, name + ".dot, " + name + ".svg"};
}

}  // namespace raftsim::tools

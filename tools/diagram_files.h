// raftsim CLI: writes a diagram's DOT text and renders it to SVG with Graphviz when `dot` exists.
// Temporary home until sim/render grows a shared Graphviz helper.
#pragma once

#include <string>

namespace raftsim::tools {

struct DiagramFiles {
  bool svg_written = false;
  std::string note;  // what was written, for the user
};

DiagramFiles write_diagram_files(const std::string& out_dir, const std::string& name,
                                 const std::string& dot);

}  // namespace raftsim::tools

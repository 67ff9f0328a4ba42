// raftsim: turning DOT text into pictures with Graphviz's `dot`, for every command that draws.
// Writes NAME.dot (always kept, so a picture can be re-rendered or diffed) and runs
// `dot -Tsvg|-Tpng` on it as a child process. A missing Graphviz or a failing `dot` comes back as
// a Status with a message fit for the user; nothing here throws or exits. Not part of a simulated
// run: it touches the real filesystem and processes.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "raft/base/status.h"

namespace raftsim::sim {

enum class ImageFormat { dot, svg, png };

const char* image_format_name(ImageFormat format);  // "dot", "svg", "png"
// The format a path's extension names (".svg", ".png", ".dot"), or nothing.
std::optional<ImageFormat> image_format_for_path(std::string_view path);

struct GraphvizOptions {
  std::string program = "dot";  // looked up on PATH unless it contains a '/'
  // A run taking longer is killed and reported (a huge graph can take Graphviz hours).
  int timeout_seconds = 120;
};

// Runs Graphviz on an existing DOT file. Status codes: unavailable when the program cannot be
// started (Graphviz not installed), io_error when it fails or writes no picture (the message
// carries the first line of its stderr). ImageFormat::dot is a no-op.
Status run_graphviz(const std::string& dot_path, const std::string& image_path, ImageFormat format,
                    const GraphvizOptions& options = {});

struct DiagramFiles {
  std::string dot_path;
  std::string image_path;  // empty when only the DOT text was asked for
};

// Writes `dot_text` to DIRECTORY/NAME.dot and renders DIRECTORY/NAME.<format>.
// Errors: io_error (cannot write the .dot, or `dot` failed), unavailable (no Graphviz); in both
// cases the .dot file may already be written, and the message says so.
Result<DiagramFiles> write_diagram(const std::string& directory, const std::string& name,
                                   const std::string& dot_text,
                                   ImageFormat format = ImageFormat::svg,
                                   const GraphvizOptions& options = {});

// The same for an explicit picture path: writes the DOT text next to it (same name, ".dot") and
// renders the picture; a ".dot" path writes only the DOT text.
Result<DiagramFiles> write_diagram_to(const std::string& image_path, const std::string& dot_text,
                                      const GraphvizOptions& options = {});

}  // namespace raftsim::sim

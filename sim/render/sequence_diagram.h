// raftsim: a message-sequence diagram of a window of a trace, as Graphviz DOT.
// One vertical lifeline per node, time flowing downwards one row per event; arrows for messages
// (send row to delivery row), a red cross for a dropped message, and boxes for crashes,
// restarts, pauses and clock changes; network changes and notes label the time column. Only
// nodes below node_count get lanes; events with other nodes (clients) are left out. A pure
// function of the trace, so a replayed run draws the same picture.
#pragma once

#include <cstdint>
#include <string>

#include "sim/kernel/trace.h"

namespace raftsim::sim {

struct DiagramOptions {
  Time from = 0;
  Time until = kTimeNever;
  // Rows beyond this are cut (the diagram says so): Graphviz and readers both give up on more.
  std::size_t rows_max = 150;
  bool show_timers = false;
  bool show_disk = false;
  std::string title;
};

std::string render_sequence_diagram(const Trace& trace, std::uint32_t node_count,
                                    const DiagramOptions& options);

}  // namespace raftsim::sim

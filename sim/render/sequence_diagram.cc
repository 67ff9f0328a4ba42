#include "sim/render/sequence_diagram.h"

#include <map>
#include <vector>

#include "raft/util/check.h"

namespace raftsim::sim {
namespace {

bool shown(const TraceEvent& event, std::uint32_t node_count, const DiagramOptions& options) {
  // Only lanes 0..node_count-1 are drawn; traffic with anything else (clients) is left out.
  if (event.node != kNoNode && event.node >= node_count) return false;
  if (event.peer != kNoNode && event.peer >= node_count) return false;
  switch (event.kind) {
    case TraceKind::timer_fire:
      return options.show_timers;
    case TraceKind::disk_write:
    case TraceKind::disk_truncate:
    case TraceKind::disk_remove:
    case TraceKind::disk_rename:
    case TraceKind::disk_sync:
      return options.show_disk;
    default:
      return true;
  }
}

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string point(std::uint32_t node, std::size_t row) {
  return "n" + std::to_string(node) + "r" + std::to_string(row);
}

std::string format_ms(Time time) {
  const Time micros = time / kMicrosecond;
  return std::to_string(micros / 1000) + "." + std::to_string(micros % 1000 / 100) + " ms";
}

// A box drawn on a node's lifeline, or empty for events drawn as arrows.
std::string box_label(const TraceEvent& event) {
  switch (event.kind) {
    case TraceKind::crash:
      return "CRASH";
    case TraceKind::restart:
      return "restart #" + std::to_string(event.a);
    case TraceKind::pause:
      return "pause";
    case TraceKind::resume:
      return "resume";
    case TraceKind::clock_change:
      return event.detail == "drift_ppm"
                 ? "drift " + std::to_string(static_cast<std::int64_t>(event.a)) + " ppm"
                 : "wall clock " + format_ms(static_cast<Time>(event.a));
    case TraceKind::timer_fire:
      return "timer " + std::to_string(event.a);
    case TraceKind::disk_sync:
      return "fsync " + event.detail;
    case TraceKind::disk_fault:
      return "disk fault " + event.detail;
    default:
      return event.kind >= TraceKind::disk_write && event.kind <= TraceKind::disk_rename
                 ? std::string(trace_kind_name(event.kind)) + " " + event.detail
                 : "";
  }
}

const char* box_color(TraceKind kind) {
  switch (kind) {
    case TraceKind::crash:
      return "#f4a6a6";
    case TraceKind::restart:
      return "#b7e4b0";
    case TraceKind::pause:
    case TraceKind::resume:
      return "#ffe08a";
    case TraceKind::clock_change:
      return "#c9d7ff";
    default:
      return "#eeeeee";
  }
}

}  // namespace

std::string render_sequence_diagram(const Trace& trace, std::uint32_t node_count,
                                    const DiagramOptions& options) {
  RAFTSIM_CHECK_MSG(trace.recording(), "a diagram needs a recorded trace");
  std::vector<const TraceEvent*> rows;
  bool truncated = false;
  for (const TraceEvent& event : trace.events()) {
    if (event.time < options.from || event.time > options.until ||
        !shown(event, node_count, options)) {
      continue;
    }
    if (rows.size() == options.rows_max) {
      truncated = true;
      break;
    }
    rows.push_back(&event);
  }

  std::string dot =
      "digraph sequence {\n  rankdir=TB; newrank=true; splines=false; nodesep=0.9; ranksep=0.25;\n"
      "  forcelabels=true;\n";
  dot +=
      "  node [fontname=\"Helvetica\", fontsize=10]; edge [fontname=\"Helvetica\", fontsize=9];\n";
  std::string title = options.title.empty() ? "raftsim trace" : options.title;
  if (truncated) title += " (cut at " + std::to_string(options.rows_max) + " rows)";
  dot += "  labelloc=t; label=\"" + escape(title) + "\";\n";

  // Header row: the time column, then one box per node, kept in order by invisible edges.
  dot += "  { rank=same; time_h [shape=plaintext, label=\"time\"];";
  for (std::uint32_t node = 0; node < node_count; ++node) {
    dot += " " + point(node, 0) +
           " [shape=box, style=filled, fillcolor=\"#dddddd\", label=\"node " +
           std::to_string(node) + "\", group=g" + std::to_string(node) + "];";
  }
  dot += " time_h -> " + point(0, 0) + " [style=invis];";
  for (std::uint32_t node = 1; node < node_count; ++node) {
    dot += " " + point(node - 1, 0) + " -> " + point(node, 0) + " [style=invis];";
  }
  dot += " }\n";

  struct Sent {
    std::size_t row;
    std::string label;  // what the payload describer said, or the message id
  };
  std::map<std::uint64_t, Sent> sends;  // message id -> its send
  std::string messages;
  for (std::size_t index = 0; index < rows.size(); ++index) {
    const TraceEvent& event = *rows[index];
    const std::size_t row = index + 1;
    std::string time_label = format_ms(event.time);
    if (event.kind == TraceKind::network_change || event.kind == TraceKind::note) {
      time_label += "  " + event.detail;
    }
    dot += "  { rank=same; time" + std::to_string(row) + " [shape=plaintext, label=\"" +
           escape(time_label) + "\"];";
    for (std::uint32_t node = 0; node < node_count; ++node) {
      const std::string label = event.node == node ? box_label(event) : "";
      if (label.empty()) {
        dot += " " + point(node, row) + " [shape=point, width=0.03, group=g" +
               std::to_string(node) + "];";
      } else {
        dot += " " + point(node, row) + " [shape=box, style=\"rounded,filled\", fillcolor=\"" +
               box_color(event.kind) + "\", label=\"" + escape(label) + "\", group=g" +
               std::to_string(node) + "];";
      }
    }
    dot += " time" + std::to_string(row) + " -> " + point(0, row) + " [style=invis];";
    for (std::uint32_t node = 1; node < node_count; ++node) {
      dot += " " + point(node - 1, row) + " -> " + point(node, row) + " [style=invis];";
    }
    dot += " }\n";
    const std::string previous_time = row == 1 ? "time_h" : "time" + std::to_string(row - 1);
    dot += "  " + previous_time + " -> time" + std::to_string(row) + " [style=invis];\n";

    if (event.kind == TraceKind::send) {
      sends[event.message] =
          Sent{row, event.detail.empty() ? "#" + std::to_string(event.message) : event.detail};
    } else if (event.kind == TraceKind::deliver || event.kind == TraceKind::drop) {
      auto sent = sends.find(event.message);
      // The sender is `peer` for both kinds; a send before the window starts has no row.
      if (sent == sends.end() || event.peer >= node_count) continue;
      const bool dropped = event.kind == TraceKind::drop;
      std::string label = sent->second.label;
      if (dropped) label += " (" + event.detail + ")";
      messages += "  " + point(event.peer, sent->second.row) + " -> " + point(event.node, row) +
                  " [constraint=false, color=\"" + (dropped ? "#d62728" : "#1f4e9a") +
                  "\", arrowhead=" + (dropped ? "tee" : "normal") + ", xlabel=\"" + escape(label) +
                  "\"];\n";
    }
  }
  // Lifelines.
  for (std::uint32_t node = 0; node < node_count; ++node) {
    for (std::size_t row = 1; row <= rows.size(); ++row) {
      dot += "  " + point(node, row - 1) + " -> " + point(node, row) +
             " [arrowhead=none, color=\"#aaaaaa\", weight=100];\n";
    }
  }
  return dot + messages + "}\n";
}

}  // namespace raftsim::sim

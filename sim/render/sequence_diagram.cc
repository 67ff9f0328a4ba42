// raftsim: the message-sequence diagram writer (see sequence_diagram.h): the rows come from
// diagram_rows.h (select, fold, window); this unit draws them as DOT.
#include "sim/render/sequence_diagram.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "raft/base/check.h"
#include "sim/markup/markup.h"
#include "sim/render/diagram_rows.h"

namespace raftsim::sim {
namespace {

using diagram::Lanes;
using diagram::Row;
using diagram::Window;

// Colours: Raft traffic, client traffic, drops, highlighted (blamed) messages, the focus line.
constexpr const char* kRaftColor = "#1f4e9a";
constexpr const char* kClientColor = "#1b9e77";
constexpr const char* kDropColor = "#d62728";
constexpr const char* kHighlightColor = "#e8590c";
constexpr const char* kFocusColor = "#c2185b";
// Rough width of one character of the 10-point time column, to left-align it at a fixed width.
constexpr double kTimeColumnInchesPerChar = 0.075;

std::string escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

std::string point(std::uint32_t lane, std::size_t row) {
  return "n" + std::to_string(lane) + "r" + std::to_string(row);
}

std::string time_node(std::size_t row) {
  return row == 0 ? "time_h" : "time" + std::to_string(row);
}

std::string format_ms(Time time) {
  const Time micros = time / kMicrosecond;
  return std::to_string(micros / 1000) + "." + std::to_string(micros % 1000 / 100) + " ms";
}

std::string node_name(std::uint32_t node) {
  return node == kNoNode ? std::string("?") : "n" + std::to_string(node);
}

// The first two words of a label ("PreVote t2", "Req c1#5"), for the arrow itself.
std::string short_label(std::string_view label) {
  const std::size_t first = label.find(' ');
  if (first == std::string_view::npos) return std::string(label);
  const std::size_t second = label.find(' ', first + 1);
  return std::string(label.substr(0, second));
}

// A box drawn on a node's lane, or empty for events drawn as arrows.
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

// "1.23": inches for Graphviz, without locale-dependent floating-point formatting.
std::string format_inches(double inches) {
  const int hundredths = static_cast<int>(inches * 100);
  const std::string fraction = std::to_string(hundredths % 100);
  return std::to_string(hundredths / 100) + "." + (fraction.size() == 1 ? "0" : "") + fraction;
}

// Writes the DOT text of rows that have been selected, folded and windowed.
class DiagramWriter {
 public:
  DiagramWriter(const Lanes& lanes, const DiagramOptions& options, std::vector<Row> rows)
      : lanes_(lanes), options_(options), rows_(std::move(rows)) {
    std::size_t chars = 4;
    for (std::size_t index = 0; index < rows_.size(); ++index) {
      const TraceEvent* event = rows_[index].event;
      if (event != nullptr && event->kind == TraceKind::send) {
        sends_[event->message] = SendRow{event, index + 1};
      }
      if (options.focus && focus_row_ == 0 && rows_[index].time >= *options.focus) {
        focus_row_ = index + 1;
      }
    }
    for (const Row& row : rows_) chars = std::max(chars, row_text(row).size() + 3);
    time_width_ = format_inches(static_cast<double>(chars) * kTimeColumnInchesPerChar);
  }

  std::string write(const std::string& graph_label) const {
    std::string dot =
        "digraph sequence {\n  rankdir=TB; newrank=true; splines=false; nodesep=0.6; "
        "ranksep=0.22;\n  forcelabels=true;\n"
        "  node [fontname=\"Helvetica\", fontsize=10, height=0.22, margin=\"0.08,0.02\"]; "
        "edge [fontname=\"Helvetica\", "
        "fontsize=9];\n";
    dot += "  labelloc=t; label=<" + graph_label + ">;\n";
    dot += header_row();
    std::string messages;
    for (std::size_t row = 1; row <= rows_.size(); ++row) {
      dot += row_nodes(row);
      messages += message_edge(row);
    }
    return dot + lifelines() + messages + "}\n";
  }

 private:
  struct SendRow {
    const TraceEvent* event;
    std::size_t row;
  };

  bool highlighted(const TraceEvent& send) const {
    for (const std::string& key : options_.highlight) {
      if (matches_highlight(key, send.detail, send.message)) return true;
    }
    return false;
  }

  bool client_message(const TraceEvent& send) const {
    return *lanes_.of(send.node) == lanes_.node_count || *lanes_.of(send.peer) == lanes_.node_count;
  }

  static std::string label_of(const TraceEvent& send) {
    return send.detail.empty() ? "#" + std::to_string(send.message) : send.detail;
  }

  // Edges between a row's nodes keep them in lane order; invisible except on the focus row.
  std::string row_order(std::size_t row, bool focus) const {
    const std::string style =
        focus ? std::string("[color=\"") + kFocusColor + "\", style=dashed, arrowhead=none]"
              : "[style=invis]";
    std::string dot = " " + time_node(row) + " -> " + point(0, row) + " " + style + ";";
    for (std::uint32_t lane = 1; lane < lanes_.count(); ++lane) {
      dot += " " + point(lane - 1, row) + " -> " + point(lane, row) + " " + style + ";";
    }
    return dot;
  }

  std::string header_row() const {
    std::string dot = "  { rank=same; " + time_node(0) +
                      " [shape=plaintext, group=gt, width=" + time_width_ + ", label=\"time\\l\"];";
    for (std::uint32_t lane = 0; lane < lanes_.count(); ++lane) {
      const bool clients = lanes_.is_client_lane(lane);
      const std::string name = clients ? "clients (n" + std::to_string(lanes_.node_count) + "+)"
                                       : "node " + std::to_string(lane);
      dot += " " + point(lane, 0) + " [shape=box, style=filled, fillcolor=\"" +
             (clients ? "#cdeee3" : "#dddddd") + "\", label=\"" + name + "\", group=g" +
             std::to_string(lane) + "];";
    }
    return dot + row_order(0, false) + " }\n";
  }

  // What the time column says for a row: the time, then who sent what to whom.
  std::string row_text(const Row& row) const {
    if (row.event == nullptr) {
      std::string text = format_ms(row.time) + " .. " + format_ms(row.time_last) + "   " +
                         std::to_string(row.folded_events) + " heartbeat events folded";
      if (row.folded_drops > 0) text += " (" + std::to_string(row.folded_drops) + " dropped)";
      return text;
    }
    const TraceEvent& event = *row.event;
    const std::string time = format_ms(event.time) + "   ";
    switch (event.kind) {
      case TraceKind::send:
        return time + node_name(event.node) + " -> " + node_name(event.peer) + "  " +
               label_of(event);
      case TraceKind::deliver:
        return time + node_name(event.node) + " <- " + node_name(event.peer) + "  " +
               short_label(label_of(*sends_.at(event.message).event));
      case TraceKind::drop:
        return time + node_name(event.node) + " x- " + node_name(event.peer) + "  " +
               short_label(label_of(*sends_.at(event.message).event)) + " dropped (" +
               event.detail + ")";
      case TraceKind::network_change:
      case TraceKind::note:
        return time + event.detail;
      default:
        return time + node_name(event.node) + " " + box_label(event);
    }
  }

  std::string time_column_node(std::size_t row) const {
    const Row& data = rows_[row - 1];
    std::string attributes = "shape=plaintext, group=gt, width=" + time_width_;
    std::string text = row_text(data);
    const TraceEvent* event = data.event;
    if (row == focus_row_) {
      text += "   << focus";
      attributes += std::string(", fontname=\"Helvetica-Bold\", fontcolor=\"") + kFocusColor + "\"";
    } else if (event == nullptr) {
      attributes += ", fontcolor=\"#777777\"";
    } else if (event->kind == TraceKind::network_change || event->kind == TraceKind::note) {
      attributes += ", fontname=\"Helvetica-Bold\"";
    } else if (diagram::is_message_event(*event) && highlighted(*sends_.at(event->message).event)) {
      attributes +=
          std::string(", fontname=\"Helvetica-Bold\", fontcolor=\"") + kHighlightColor + "\"";
    }
    return time_node(row) + " [" + attributes + ", label=\"" + escape(text) + "\\l\"];";
  }

  // A box on the lane where the event happened, a point on every other lane.
  std::string lane_node(std::size_t row, std::uint32_t lane) const {
    const TraceEvent* event = rows_[row - 1].event;
    std::string label;
    if (event != nullptr && lanes_.of(event->node) == lane) {
      label = box_label(*event);
      if (!label.empty() && lanes_.is_client_lane(lane))
        label = node_name(event->node) + " " + label;
    }
    const std::string group = ", group=g" + std::to_string(lane) + "];";
    if (label.empty()) return " " + point(lane, row) + " [shape=point, width=0.03" + group;
    return " " + point(lane, row) + " [shape=box, style=\"rounded,filled\", fillcolor=\"" +
           box_color(event->kind) + "\", label=\"" + escape(label) + "\"" + group;
  }

  std::string row_nodes(std::size_t row) const {
    std::string dot = "  { rank=same; " + time_column_node(row);
    for (std::uint32_t lane = 0; lane < lanes_.count(); ++lane) dot += lane_node(row, lane);
    dot += row_order(row, row == focus_row_) + " }\n";
    return dot + "  " + time_node(row - 1) + " -> " + time_node(row) + " [style=invis];\n";
  }

  std::string lifelines() const {
    std::string dot;
    for (std::uint32_t lane = 0; lane < lanes_.count(); ++lane) {
      for (std::size_t row = 1; row <= rows_.size(); ++row) {
        // Into a folded run: time passes with only heartbeats, so the lane is dotted.
        const bool folded = rows_[row - 1].event == nullptr;
        dot += "  " + point(lane, row - 1) + " -> " + point(lane, row) +
               " [arrowhead=none, color=\"#aaaaaa\", weight=100" +
               (folded ? ", style=dotted" : "") + "];\n";
      }
    }
    return dot;
  }

  // The arrow of a message, drawn from its send row to its delivery or drop row.
  std::string message_edge(std::size_t row) const {
    const TraceEvent* event = rows_[row - 1].event;
    if (event == nullptr || (event->kind != TraceKind::deliver && event->kind != TraceKind::drop)) {
      return "";
    }
    const SendRow& send = sends_.at(event->message);
    const bool dropped = event->kind == TraceKind::drop;
    const bool highlight = highlighted(*send.event);
    const char* color = highlight                     ? kHighlightColor
                        : dropped                     ? kDropColor
                        : client_message(*send.event) ? kClientColor
                                                      : kRaftColor;
    std::string attributes = std::string("constraint=false, color=\"") + color +
                             "\", fontcolor=\"" + color +
                             "\", arrowhead=" + (dropped ? "tee" : "normal");
    if (dropped) attributes += ", style=dashed";
    if (highlight) attributes += ", penwidth=2.5, fontname=\"Helvetica-Bold\"";
    attributes += ", xlabel=\"" + escape(short_label(label_of(*send.event))) + "\"";
    return "  " + point(*lanes_.of(event->peer), send.row) + " -> " +
           point(*lanes_.of(event->node), row) + " [" + attributes + "];\n";
  }

  Lanes lanes_;
  const DiagramOptions& options_;
  std::vector<Row> rows_;
  std::map<std::uint64_t, SendRow> sends_;  // message id -> its send row (1-based)
  std::size_t focus_row_ = 0;               // 1-based row marked as the focus; 0 for none
  std::string time_width_;
};

// The graph's title (an HTML-like label): the title, what was cut or folded, and the legend.
std::string graph_label(const DiagramOptions& options, const Lanes& lanes, std::size_t rows_total,
                        Window window, std::size_t folded_events) {
  std::string label =
      "<b>" + escape_markup(options.title.empty() ? "raftsim trace" : options.title) + "</b>";
  std::string limits;
  if (window.end - window.begin < rows_total) {
    limits += "rows " + std::to_string(window.begin + 1) + "-" + std::to_string(window.end) +
              " of " + std::to_string(rows_total) + " (cut at rows_max " +
              std::to_string(options.rows_max) + ")";
  }
  if (folded_events > 0) {
    limits += std::string(limits.empty() ? "" : "; ") + std::to_string(folded_events) +
              " heartbeat events folded";
  }
  if (!limits.empty()) label += "<br/><font point-size=\"10\">" + escape_markup(limits) + "</font>";
  label += std::string("<br/><font point-size=\"10\"><font color=\"") + kRaftColor +
           "\">Raft message</font>";
  if (lanes.clients) {
    label += std::string(" | <font color=\"") + kClientColor + "\">client request/response</font>";
  }
  label += std::string(" | <font color=\"") + kDropColor + "\">dropped (tee)</font>";
  if (!options.highlight.empty()) {
    std::string keys;
    for (const std::string& key : options.highlight) keys += (keys.empty() ? "" : ", ") + key;
    label += std::string(" | <font color=\"") + kHighlightColor +
             "\"><b>highlighted: " + escape_markup(keys) + "</b></font>";
  }
  if (options.focus) {
    label += std::string(" | <font color=\"") + kFocusColor + "\">focus " +
             escape_markup(format_ms(*options.focus)) + "</font>";
  }
  return label + "</font>";
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

std::string render_sequence_diagram(std::span<const TraceEvent> events, std::uint32_t node_count,
                                    const DiagramOptions& options) {
  RAFTSIM_CHECK_MSG(options.rows_max > 0, "a diagram needs rows_max > 0");
  RAFTSIM_CHECK_MSG(node_count > 0, "a diagram needs at least one node lane");
  RAFTSIM_CHECK_MSG(node_count <= kDiagramNodeLanesMax, "more node lanes than a diagram draws");
  const Lanes lanes{node_count, options.show_clients && diagram::has_clients(events, node_count)};
  std::size_t folded_events = 0;
  const std::vector<Row> rows = diagram::fold_heartbeats(
      diagram::select_events(events, lanes, options), options.fold_heartbeats, &folded_events);
  const Window window = diagram::choose_window(rows, options);
  const std::string label = graph_label(options, lanes, rows.size(), window, folded_events);
  return DiagramWriter(lanes, options, diagram::window_rows(rows, window)).write(label);
}

std::string render_sequence_diagram(const Trace& trace, std::uint32_t node_count,
                                    const DiagramOptions& options) {
  RAFTSIM_CHECK_MSG(trace.recording(), "a diagram needs a recorded trace");
  return render_sequence_diagram(std::span<const TraceEvent>(trace.events()), node_count, options);
}

std::uint32_t infer_cluster_node_count(std::span<const TraceEvent> events) {
  std::uint32_t disk_nodes = 0;
  std::uint32_t all_nodes = 0;
  for (const TraceEvent& event : events) {
    for (std::uint32_t node : {event.node, event.peer}) {
      if (node != kNoNode) all_nodes = std::max(all_nodes, node + 1);
    }
    const bool disk = event.kind >= TraceKind::disk_write && event.kind <= TraceKind::disk_fault;
    if (disk && event.node != kNoNode) disk_nodes = std::max(disk_nodes, event.node + 1);
  }
  return disk_nodes > 0 ? disk_nodes : all_nodes;
}

bool is_heartbeat_label(std::string_view label) {
  if (label.starts_with("HB ") || label.starts_with("HBResp ")) return true;
  return label.starts_with("App ") && label.find(" n=0 ") != std::string_view::npos;
}

bool matches_highlight(std::string_view key, std::string_view label, std::uint64_t message) {
  if (key.empty()) return false;
  if (key.starts_with("msg:")) return key.substr(4) == std::to_string(message);
  // "c1#5" must not match "c1#50" or "xc1#5": the key has to stand as a word of its own.
  const bool operation_key = key.size() >= 4 && key[0] == 'c' && key.find('#') != key.npos;
  for (std::size_t at = label.find(key); at != std::string_view::npos;
       at = label.find(key, at + 1)) {
    if (!operation_key) return true;
    const std::size_t end = at + key.size();
    const bool starts_word = at == 0 || label[at - 1] == ' ';
    const bool ends_word = end == label.size() || !is_digit(label[end]);
    if (starts_word && ends_word) return true;
  }
  return false;
}

}  // namespace raftsim::sim

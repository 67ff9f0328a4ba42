// raftsim: the message-sequence diagram writer (see sequence_diagram.h): select, fold, window,
// draw.
#include "sim/render/sequence_diagram.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "raft/base/check.h"
#include "sim/markup/markup.h"

namespace raftsim::sim {
namespace {

// Colours: Raft traffic, client traffic, drops, highlighted (blamed) messages, the focus line.
constexpr const char* kRaftColor = "#1f4e9a";
constexpr const char* kClientColor = "#1b9e77";
constexpr const char* kDropColor = "#d62728";
constexpr const char* kHighlightColor = "#e8590c";
constexpr const char* kFocusColor = "#c2185b";
// Rough width of one character of the 10-point time column, to left-align it at a fixed width.
constexpr double kTimeColumnInchesPerChar = 0.075;

// Which lane a node is drawn in: its own below node_count, the shared clients lane above.
struct Lanes {
  std::uint32_t node_count = 0;
  bool clients = false;

  std::uint32_t count() const { return node_count + (clients ? 1 : 0); }
  std::optional<std::uint32_t> of(std::uint32_t node) const {
    if (node < node_count) return node;
    if (clients && node != kNoNode) return node_count;
    return std::nullopt;
  }
  bool is_client_lane(std::uint32_t lane) const { return clients && lane == node_count; }
};

// One row of the diagram: an event, or a run of folded heartbeat events.
struct Row {
  const TraceEvent* event = nullptr;  // null for a fold row
  Time time = 0;
  Time time_last = 0;             // fold rows: time of the last folded event
  std::size_t folded_events = 0;  // fold rows
  std::size_t folded_drops = 0;   // fold rows: how many of them were drops
};

bool is_message_event(const TraceEvent& event) {
  return event.kind == TraceKind::send || event.kind == TraceKind::deliver ||
         event.kind == TraceKind::drop;
}

bool shown(const TraceEvent& event, const Lanes& lanes, const DiagramOptions& options) {
  if (event.node != kNoNode && !lanes.of(event.node)) return false;
  if (event.peer != kNoNode && !lanes.of(event.peer)) return false;
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

// The events in [from, until] that get a row. A message is kept only with both ends (its send and
// a delivery or drop): a lone end would be a row with nothing drawn on it.
std::vector<const TraceEvent*> select_events(std::span<const TraceEvent> events, const Lanes& lanes,
                                             const DiagramOptions& options) {
  auto first =
      std::lower_bound(events.begin(), events.end(), options.from,
                       [](const TraceEvent& event, Time from) { return event.time < from; });
  std::vector<const TraceEvent*> candidates;
  std::set<std::uint64_t> sent;
  std::set<std::uint64_t> received;
  for (auto it = first; it != events.end() && it->time <= options.until; ++it) {
    if (!shown(*it, lanes, options)) continue;
    if (options.clients_highlighted_only && it->kind == TraceKind::send &&
        (it->node >= lanes.node_count || it->peer >= lanes.node_count) &&
        std::none_of(options.highlight.begin(), options.highlight.end(),
                     [&](const std::string& key) {
                       return matches_highlight(key, it->detail, it->message);
                     })) {
      continue;  // its delivery goes too: a message is kept only with both ends
    }
    candidates.push_back(&*it);
    if (it->kind == TraceKind::send) sent.insert(it->message);
    if (it->kind == TraceKind::deliver || it->kind == TraceKind::drop) received.insert(it->message);
  }
  std::erase_if(candidates, [&](const TraceEvent* event) {
    if (!is_message_event(*event)) return false;
    return event->kind == TraceKind::send ? !received.contains(event->message)
                                          : !sent.contains(event->message);
  });
  return candidates;
}

// Decides, send by send, whether a message is heartbeat traffic. An AppResp "ok" is one when the
// last App its receiver sent the other way carried no entries.
class HeartbeatClassifier {
 public:
  bool on_send(const TraceEvent& send) {
    const std::string_view label = send.detail;
    if (label.starts_with("App ")) {
      const bool empty = is_heartbeat_label(label);
      last_append_empty_[{send.node, send.peer}] = empty;
      return empty;
    }
    if (label.starts_with("AppResp ")) {
      auto append = last_append_empty_.find({send.peer, send.node});
      return label.find(" ok ") != std::string_view::npos && append != last_append_empty_.end() &&
             append->second;
    }
    return is_heartbeat_label(label);
  }

 private:
  std::map<std::pair<std::uint32_t, std::uint32_t>, bool> last_append_empty_;  // (from, to)
};

// Marks the rows that lie in runs of at least kFoldRunRowsMin heartbeat events.
std::vector<bool> heartbeat_runs(const std::vector<const TraceEvent*>& events,
                                 const std::map<std::uint64_t, bool>& heartbeat) {
  auto foldable = [&](std::size_t index) {
    const TraceEvent& event = *events[index];
    if (!is_message_event(event)) return false;
    auto found = heartbeat.find(event.message);
    return found != heartbeat.end() && found->second;
  };
  std::vector<bool> in_run(events.size(), false);
  std::size_t index = 0;
  while (index < events.size()) {
    std::size_t end = index;
    while (end < events.size() && foldable(end)) ++end;
    if (end - index >= kFoldRunRowsMin)
      std::fill(in_run.begin() + index, in_run.begin() + end, true);
    index = end == index ? index + 1 : end;
  }
  return in_run;
}

// One row per event, with runs of heartbeat traffic folded into one row each. The other end of a
// folded message goes too (an arrow needs both ends), counted in the returned total.
std::vector<Row> fold_heartbeats(const std::vector<const TraceEvent*>& events, bool fold,
                                 std::size_t* folded_total) {
  std::map<std::uint64_t, bool> heartbeat;
  if (fold) {
    HeartbeatClassifier classifier;
    for (const TraceEvent* event : events) {
      if (event->kind == TraceKind::send) heartbeat[event->message] = classifier.on_send(*event);
    }
  }
  const std::vector<bool> in_run = heartbeat_runs(events, heartbeat);
  std::set<std::uint64_t> folded_messages;
  for (std::size_t index = 0; index < events.size(); ++index) {
    if (in_run[index]) folded_messages.insert(events[index]->message);
  }
  std::vector<Row> rows;
  bool fold_open = false;
  for (std::size_t index = 0; index < events.size(); ++index) {
    const TraceEvent& event = *events[index];
    const bool folded = is_message_event(event) && folded_messages.contains(event.message);
    if (folded) ++*folded_total;
    if (in_run[index]) {
      if (!fold_open) rows.push_back(Row{nullptr, event.time, event.time, 0, 0});
      fold_open = true;
      rows.back().time_last = event.time;
      ++rows.back().folded_events;
      if (event.kind == TraceKind::drop) ++rows.back().folded_drops;
    } else if (!folded) {
      rows.push_back(Row{&event, event.time, event.time, 0, 0});
      fold_open = false;
    }
  }
  return rows;
}

struct Window {
  std::size_t begin = 0;
  std::size_t end = 0;
};

// Which rows_max rows to draw: from the start, or around the focus (a fifth of them after it).
Window choose_window(const std::vector<Row>& rows, const DiagramOptions& options) {
  const std::size_t count = rows.size();
  const std::size_t limit = options.rows_max;
  if (count <= limit) return Window{0, count};
  if (!options.focus) return Window{0, limit};
  auto focus_row = std::lower_bound(rows.begin(), rows.end(), *options.focus,
                                    [](const Row& row, Time focus) { return row.time < focus; });
  const std::size_t focus_index = static_cast<std::size_t>(focus_row - rows.begin());
  const std::size_t after = std::max<std::size_t>(1, limit / 5);
  const std::size_t end = std::min(count, focus_index + after);
  const std::size_t begin = end > limit ? end - limit : 0;
  return Window{begin, std::min(count, begin + limit)};
}

// The window's rows, minus message ends whose other end fell outside it.
std::vector<Row> window_rows(const std::vector<Row>& rows, Window window) {
  std::set<std::uint64_t> sent;
  std::set<std::uint64_t> received;
  for (std::size_t index = window.begin; index < window.end; ++index) {
    const TraceEvent* event = rows[index].event;
    if (event == nullptr || !is_message_event(*event)) continue;
    (event->kind == TraceKind::send ? sent : received).insert(event->message);
  }
  std::vector<Row> kept;
  for (std::size_t index = window.begin; index < window.end; ++index) {
    const TraceEvent* event = rows[index].event;
    if (event != nullptr && is_message_event(*event) &&
        !(event->kind == TraceKind::send ? received : sent).contains(event->message)) {
      continue;
    }
    kept.push_back(rows[index]);
  }
  return kept;
}

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
    } else if (is_message_event(*event) && highlighted(*sends_.at(event->message).event)) {
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

// Whether any event involves a node outside the cluster: only then is a clients lane drawn.
bool has_clients(std::span<const TraceEvent> events, std::uint32_t node_count) {
  return std::any_of(events.begin(), events.end(), [node_count](const TraceEvent& event) {
    return (event.node != kNoNode && event.node >= node_count) ||
           (event.peer != kNoNode && event.peer >= node_count);
  });
}

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

}  // namespace

std::string render_sequence_diagram(std::span<const TraceEvent> events, std::uint32_t node_count,
                                    const DiagramOptions& options) {
  RAFTSIM_CHECK_MSG(options.rows_max > 0, "a diagram needs rows_max > 0");
  RAFTSIM_CHECK_MSG(node_count > 0, "a diagram needs at least one node lane");
  const Lanes lanes{node_count, options.show_clients && has_clients(events, node_count)};
  std::size_t folded_events = 0;
  const std::vector<Row> rows = fold_heartbeats(select_events(events, lanes, options),
                                                options.fold_heartbeats, &folded_events);
  const Window window = choose_window(rows, options);
  const std::string label = graph_label(options, lanes, rows.size(), window, folded_events);
  return DiagramWriter(lanes, options, window_rows(rows, window)).write(label);
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

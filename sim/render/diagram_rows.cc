// raftsim: the diagram's rows (see diagram_rows.h): select the shown events, fold heartbeat
// runs, choose and trim the window.
#include "sim/render/diagram_rows.h"

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>

namespace raftsim::sim::diagram {
namespace {

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

}  // namespace

bool is_message_event(const TraceEvent& event) {
  return event.kind == TraceKind::send || event.kind == TraceKind::deliver ||
         event.kind == TraceKind::drop;
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

// Whether any event involves a node outside the cluster: only then is a clients lane drawn.
bool has_clients(std::span<const TraceEvent> events, std::uint32_t node_count) {
  return std::any_of(events.begin(), events.end(), [node_count](const TraceEvent& event) {
    return (event.node != kNoNode && event.node >= node_count) ||
           (event.peer != kNoNode && event.peer >= node_count);
  });
}

}  // namespace raftsim::sim::diagram

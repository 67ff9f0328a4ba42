// raftsim: which rows a message-sequence diagram draws. From a trace it selects the events the
// options show (a message only with both its ends), folds runs of heartbeat traffic into single
// rows, and picks the window of at most rows_max rows around the focus. Pure functions of the
// events and options; sequence_diagram.cc draws the result. Internal to sim/render.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "sim/kernel/trace.h"
#include "sim/render/sequence_diagram.h"

namespace raftsim::sim::diagram {

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

struct Window {
  std::size_t begin = 0;
  std::size_t end = 0;
};

bool is_message_event(const TraceEvent& event);

// The events in [from, until] that get a row. A message is kept only with both ends (its send and
// a delivery or drop): a lone end would be a row with nothing drawn on it.
std::vector<const TraceEvent*> select_events(std::span<const TraceEvent> events, const Lanes& lanes,
                                             const DiagramOptions& options);

// One row per event, with runs of heartbeat traffic folded into one row each. The other end of a
// folded message goes too (an arrow needs both ends), counted in *folded_total.
std::vector<Row> fold_heartbeats(const std::vector<const TraceEvent*>& events, bool fold,
                                 std::size_t* folded_total);

// Which rows_max rows to draw: from the start, or around the focus (a fifth of them after it).
Window choose_window(const std::vector<Row>& rows, const DiagramOptions& options);

// The window's rows, minus message ends whose other end fell outside it.
std::vector<Row> window_rows(const std::vector<Row>& rows, Window window);

// Whether any event involves a node outside the cluster: only then is a clients lane drawn.
bool has_clients(std::span<const TraceEvent> events, std::uint32_t node_count);

}  // namespace raftsim::sim::diagram

// raftsim: a message-sequence diagram of a window of a trace, as Graphviz DOT.
// One vertical lane per cluster node (plus one "clients" lane for every node >= node_count), time
// flowing downwards one row per event; an arrow per delivered message from its send row to its
// delivery row, a red tee for a dropped one, boxes for crashes, restarts, pauses and clock
// changes; network changes and notes label the time column. Runs of heartbeat traffic fold into
// one row, and at most rows_max rows are drawn (the title says what was cut or folded).
// A pure function of the trace: a replayed run draws the same picture, byte for byte.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "sim/kernel/trace.h"

namespace raftsim::sim {

struct DiagramOptions {
  // Only events in [from, until] are considered.
  Time from = 0;
  Time until = kTimeNever;
  // A point of interest (a checker's failure, a crash). When set, the window is the rows_max rows
  // ending a fifth of rows_max after it, so most of the picture shows what led up to it; its row
  // is marked. When unset, the window is the first rows_max rows from `from`.
  std::optional<Time> focus;
  // Rows beyond this are cut (the title says so): Graphviz and readers both give up on more.
  std::size_t rows_max = 150;
  bool show_timers = false;
  bool show_disk = false;
  // Draw every node >= node_count (the simulated clients) as one "clients" lane.
  bool show_clients = true;
  // Fold runs of heartbeat traffic (HB, HBResp, empty App and the AppResp ok answering it).
  bool fold_heartbeats = true;
  // Messages to draw bold in a distinct colour: "c<client>#<seq>" matches a client operation's
  // request and response (and any label naming it), "msg:<id>" one message id, anything else a
  // substring of the message label ("Vote t3").
  std::vector<std::string> highlight;
  // Client traffic only for highlighted operations: a failure's story without the crowd.
  bool clients_highlighted_only = false;
  std::string title;
};

// Rows of heartbeat traffic fewer than this stay as they are: folding two rows into one marker
// row saves nothing and hides the arrows.
constexpr std::size_t kFoldRunRowsMin = 4;

// Node lanes a diagram draws at most (scenarios have at most 9 nodes; higher ids in a trace are
// clients unless --nodes says otherwise): it bounds the picture's width and the renderer's memory.
inline constexpr std::uint32_t kDiagramNodeLanesMax = 64;

std::string render_sequence_diagram(std::span<const TraceEvent> events, std::uint32_t node_count,
                                    const DiagramOptions& options);
std::string render_sequence_diagram(const Trace& trace, std::uint32_t node_count,
                                    const DiagramOptions& options);

// The cluster size a trace implies: nodes that touched a disk are cluster nodes (the simulated
// clients never do), so this is the highest such node + 1; without disk events, every node seen.
std::uint32_t infer_cluster_node_count(std::span<const TraceEvent> events);

// Whether a message label (as service_cluster's payload describer writes it) is heartbeat
// traffic on its own: "HB ...", "HBResp ...", or an App carrying no entries ("App ... n=0 ...").
bool is_heartbeat_label(std::string_view label);

// Whether `label` names the highlight key (see DiagramOptions::highlight); `message` is the id.
bool matches_highlight(std::string_view key, std::string_view label, std::uint64_t message);

}  // namespace raftsim::sim

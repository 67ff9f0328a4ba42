// raftsim: the record of everything that happened in a run, and its running hash.
// Every component reports its events here (send, deliver, drop, timer, crash, disk op, ...). The
// hash always covers every event; the full list is kept only when recording is on, so a benchmark
// pays for one hash step per event. A delivery or drop names the message id of its send, which
// links the two in trace.jsonl and in diagrams.
// Invariant: event numbers are 0, 1, 2, ... with no gaps, and times never decrease.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "raft/base/hash.h"
#include "raft/core/types.h"  // kNoNode
#include "sim/kernel/time.h"

namespace raftsim::sim {

enum class TraceKind : std::uint8_t {
  send,
  deliver,
  drop,
  timer_fire,
  crash,
  restart,
  pause,
  resume,
  clock_change,
  disk_write,
  disk_sync,
  disk_truncate,
  disk_remove,
  disk_rename,
  disk_fault,
  network_change,
  note,  // free-form annotation from a driver (scenario step, checker verdict, ...)
};

const char* trace_kind_name(TraceKind kind);
std::optional<TraceKind> parse_trace_kind(std::string_view name);  // nothing for an unknown name

struct TraceEvent {
  std::uint64_t number = 0;
  Time time = 0;
  TraceKind kind = TraceKind::note;
  std::uint32_t node = kNoNode;  // where it happened (sender for send, receiver for deliver)
  std::uint32_t peer = kNoNode;  // the other end of a message, if any
  std::uint64_t message = 0;     // message id linking send/deliver/drop; 0 if none
  std::uint64_t a = 0;           // kind-specific details (sizes, offsets, digests, ...)
  std::uint64_t b = 0;
  std::string detail;  // short text: file names, drop reasons, notes

  std::uint64_t hash() const;
  std::string to_json() const;   // one line of trace.jsonl
  std::string describe() const;  // one line for humans

  friend bool operator==(const TraceEvent&, const TraceEvent&) = default;
};

class Trace {
 public:
  // Recording is the default for tests and `run`; benchmarks switch it off and keep the hash.
  explicit Trace(bool recording = true) : recording_(recording) {}

  void record(Time time, TraceKind kind, std::uint32_t node, std::uint32_t peer = kNoNode,
              std::uint64_t message = 0, std::uint64_t a = 0, std::uint64_t b = 0,
              std::string_view detail = {});

  std::uint64_t hash() const { return hash_.value(); }
  std::uint64_t event_count() const { return count_; }
  bool recording() const { return recording_; }
  const std::vector<TraceEvent>& events() const { return events_; }
  // Every recorded event as JSON lines (requires recording).
  std::string to_jsonl() const;
  // The same, one line (with its newline) at a time: a long run's trace is written out without
  // building it in memory first.
  void write_jsonl(const std::function<void(std::string_view)>& write_line) const;
  // What the recorded events hold, for memory budgets: a fixed size per event plus its detail
  // text. Counted as events are recorded, so the same run gives the same figure on any machine.
  std::uint64_t held_bytes() const { return held_bytes_; }

 private:
  bool recording_;
  Hasher hash_;
  std::uint64_t count_ = 0;
  Time last_time_ = 0;
  std::uint64_t held_bytes_ = 0;
  std::vector<TraceEvent> events_;
};

// Where two traces of the same run part ways.
struct TraceDivergence {
  std::uint64_t event_number;
  std::optional<TraceEvent> first;   // absent if the first trace ended here
  std::optional<TraceEvent> second;  // absent if the second trace ended here
  std::string describe() const;
};

// The first event at which two recorded traces differ, or nothing if they are identical.
std::optional<TraceDivergence> first_divergence(const Trace& first, const Trace& second);

}  // namespace raftsim::sim

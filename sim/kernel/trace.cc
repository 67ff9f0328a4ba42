#include "sim/kernel/trace.h"

#include <bit>
#include <nlohmann/json.hpp>

#include "raft/base/check.h"
#include "raft/base/enum_names.h"

namespace raftsim::sim {

namespace {

constexpr EnumName<TraceKind> kTraceKindNames[] = {
    {TraceKind::send, "send"},
    {TraceKind::deliver, "deliver"},
    {TraceKind::drop, "drop"},
    {TraceKind::timer_fire, "timer_fire"},
    {TraceKind::crash, "crash"},
    {TraceKind::restart, "restart"},
    {TraceKind::pause, "pause"},
    {TraceKind::resume, "resume"},
    {TraceKind::clock_change, "clock_change"},
    {TraceKind::disk_write, "disk_write"},
    {TraceKind::disk_sync, "disk_sync"},
    {TraceKind::disk_truncate, "disk_truncate"},
    {TraceKind::disk_remove, "disk_remove"},
    {TraceKind::disk_rename, "disk_rename"},
    {TraceKind::disk_fault, "disk_fault"},
    {TraceKind::network_change, "network_change"},
    {TraceKind::note, "note"},
};

}  // namespace

const char* trace_kind_name(TraceKind kind) {
  return enum_name(kTraceKindNames, kind);
}

std::optional<TraceKind> parse_trace_kind(std::string_view name) {
  return enum_from_name(kTraceKindNames, name);
}

namespace {

// One digest per event. The fields are mixed in independent lanes that the CPU can evaluate in
// parallel, then combined; a serial chain of eight mixes would cost a quarter of an event's
// time budget in the benchmarks.
std::uint64_t event_digest(std::uint64_t number, Time time, TraceKind kind, std::uint32_t node,
                           std::uint32_t peer, std::uint64_t message, std::uint64_t a,
                           std::uint64_t b, std::string_view detail) {
  const std::uint64_t lane0 =
      mix64(number ^ (static_cast<std::uint64_t>(time) * 0x9e3779b97f4a7c15ULL));
  const std::uint64_t lane1 = mix64((static_cast<std::uint64_t>(kind) | (std::uint64_t{node} << 8) |
                                     (std::uint64_t{peer} << 40)) ^
                                    (message * 0xc2b2ae3d27d4eb4fULL));
  const std::uint64_t lane2 = mix64(a ^ (b * 0x165667b19e3779f9ULL) ^ 0x27d4eb2f165667c5ULL);
  std::uint64_t digest = lane0 ^ std::rotl(lane1, 21) ^ std::rotl(lane2, 42);
  if (!detail.empty()) digest ^= hash_string(detail);
  return digest;
}

}  // namespace

std::uint64_t TraceEvent::hash() const {
  return event_digest(number, time, kind, node, peer, message, a, b, detail);
}

std::string TraceEvent::to_json() const {
  nlohmann::ordered_json line;
  line["n"] = number;
  line["t_ns"] = time;
  line["kind"] = trace_kind_name(kind);
  if (node != kNoNode) line["node"] = node;
  if (peer != kNoNode) line["peer"] = peer;
  if (message != 0) line["msg"] = message;
  line["a"] = a;
  line["b"] = b;
  if (!detail.empty()) line["detail"] = detail;
  return line.dump();
}

std::string TraceEvent::describe() const {
  std::string text =
      "#" + std::to_string(number) + " t=" + std::to_string(time) + "ns " + trace_kind_name(kind);
  if (node != kNoNode) text += " node=" + std::to_string(node);
  if (peer != kNoNode) text += " peer=" + std::to_string(peer);
  if (message != 0) text += " msg=" + std::to_string(message);
  text += " a=" + std::to_string(a) + " b=" + std::to_string(b);
  if (!detail.empty()) text += " \"" + detail + "\"";
  return text;
}

void Trace::record(Time time, TraceKind kind, std::uint32_t node, std::uint32_t peer,
                   std::uint64_t message, std::uint64_t a, std::uint64_t b,
                   std::string_view detail) {
  RAFTSIM_CHECK_MSG(time >= last_time_, "trace events must not go back in time");
  last_time_ = time;
  // The running hash chains the same digest TraceEvent::hash() returns, without building one.
  hash_.add(event_digest(count_, time, kind, node, peer, message, a, b, detail));
  if (recording_) {
    events_.push_back(
        TraceEvent{count_, time, kind, node, peer, message, a, b, std::string(detail)});
    held_bytes_ += sizeof(TraceEvent) + detail.size();
  }
  ++count_;
}

std::string Trace::to_jsonl() const {
  std::string text;
  write_jsonl([&text](std::string_view line) { text += line; });
  return text;
}

void Trace::write_jsonl(const std::function<void(std::string_view)>& write_line) const {
  RAFTSIM_CHECK_MSG(recording_, "write_jsonl needs a recording trace");
  std::string line;
  for (const TraceEvent& event : events_) {
    line = event.to_json();
    line += '\n';
    write_line(line);
  }
}

std::string TraceDivergence::describe() const {
  std::string text = "traces differ at event " + std::to_string(event_number) + "\n  first:  ";
  text += first ? first->describe() : std::string("<trace ended>");
  text += "\n  second: ";
  text += second ? second->describe() : std::string("<trace ended>");
  return text;
}

std::optional<TraceDivergence> first_divergence(const Trace& first, const Trace& second) {
  RAFTSIM_CHECK_MSG(first.recording() && second.recording(), "divergence needs recorded traces");
  const auto& a = first.events();
  const auto& b = second.events();
  const std::size_t common = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < common; ++i) {
    if (a[i].hash() != b[i].hash()) return TraceDivergence{i, a[i], b[i]};
  }
  if (a.size() == b.size()) return std::nullopt;
  TraceDivergence divergence{common, std::nullopt, std::nullopt};
  if (common < a.size()) divergence.first = a[common];
  if (common < b.size()) divergence.second = b[common];
  return divergence;
}

}  // namespace raftsim::sim

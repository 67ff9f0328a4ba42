// raftsim: one simulated cluster -- scheduler, trace, network, and per node a disk, a clock and a
// host -- built from a root seed. Every random choice inside comes from a named sub-stream of that
// seed ("network", "disk/<n>", ...), so two worlds built from the same config and driven the same
// way produce the same trace hash. The world is the handle the scenario engine, the checkers and
// the tests drive faults through; it records each fault in the trace as it applies it.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "sim/kernel/clock.h"
#include "sim/kernel/disk.h"
#include "sim/kernel/host.h"
#include "sim/kernel/network.h"
#include "sim/kernel/random.h"
#include "sim/kernel/scheduler.h"
#include "sim/kernel/trace.h"

namespace raftsim::sim {

struct ClockConfig {
  Time wall_offset = 0;
  std::int64_t drift_ppm = 0;
};

struct WorldConfig {
  std::uint64_t seed = 1;
  NodeIndex node_count = 3;
  LinkConfig link;
  DiskConfig disk;
  std::vector<ClockConfig> clocks;  // empty: every clock exact; otherwise one per node
  bool record_trace = true;

  Status validate() const;
};

class World {
 public:
  // The config must validate(); use World::create for untrusted input.
  World(const WorldConfig& config, ProcessFactory factory);
  static Result<std::unique_ptr<World>> create(const WorldConfig& config, ProcessFactory factory);
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  void boot_all();
  // Boots one node (its first start); boot_all() boots every node in index order.
  void boot(NodeIndex node) { host(node).boot(); }
  std::uint64_t run_until(Time limit) { return scheduler_.run_until(limit); }
  std::uint64_t run_for(Time duration) { return scheduler_.run_until(now() + duration); }

  // --- faults, each recorded in the trace ---
  void crash(NodeIndex node) { host(node).crash(); }
  void restart(NodeIndex node) { host(node).restart(); }
  // Crashes the node if it runs and erases its disk; it stays down (restart() brings it back).
  void wipe(NodeIndex node) {
    host(node).crash();
    disk(node).wipe();
  }
  void pause(NodeIndex node) { host(node).pause(); }
  void resume(NodeIndex node) { host(node).resume(); }
  void set_clock_drift(NodeIndex node, std::int64_t drift_ppm);
  void jump_wall_clock(NodeIndex node, Time delta);
  void note(std::string_view text) {
    trace_.record(now(), TraceKind::note, kNoNode, kNoNode, 0, 0, 0, text);
  }

  Time now() const { return scheduler_.now(); }
  NodeIndex node_count() const { return config_.node_count; }
  std::uint64_t seed() const { return config_.seed; }
  Scheduler& scheduler() { return scheduler_; }
  Network& network() { return *network_; }
  Trace& trace() { return trace_; }
  const Trace& trace() const { return trace_; }
  Host& host(NodeIndex node);
  SimDisk& disk(NodeIndex node);
  NodeClock& clock(NodeIndex node);
  // Fingerprint of everything simulated: network, disks, clocks, hosts and their processes.
  std::uint64_t state_hash() const;

 private:
  WorldConfig config_;
  Trace trace_;
  Scheduler scheduler_;
  std::unique_ptr<Network> network_;
  std::vector<std::unique_ptr<SimDisk>> disks_;
  std::vector<NodeClock> clocks_;
  std::vector<std::unique_ptr<Host>> hosts_;
};

}  // namespace raftsim::sim

#include "sim/kernel/world.h"

#include <string>

#include "raft/base/check.h"

namespace raftsim::sim {

Status WorldConfig::validate() const {
  if (node_count < 1 || node_count > Network::kNodesMax) {
    return Status(StatusCode::invalid_argument,
                  "node_count must be between 1 and " + std::to_string(Network::kNodesMax));
  }
  if (Status status = link.validate(); !status.ok()) return status;
  if (Status status = disk.validate(); !status.ok()) return status;
  if (!clocks.empty() && clocks.size() != node_count) {
    return Status(StatusCode::invalid_argument, "clocks must be empty or one per node");
  }
  for (const ClockConfig& clock : clocks) {
    if (clock.drift_ppm < -NodeClock::kDriftPpmMax || clock.drift_ppm > NodeClock::kDriftPpmMax) {
      return Status(StatusCode::invalid_argument,
                    "drift_ppm must lie within +/-" + std::to_string(NodeClock::kDriftPpmMax));
    }
  }
  return Status();
}

World::World(const WorldConfig& config, ProcessFactory factory)
    : config_(config), trace_(config.record_trace) {
  RAFTSIM_CHECK_MSG(config.validate().ok(), "invalid WorldConfig (use World::create)");
  network_ = std::make_unique<Network>(config.node_count, config.link,
                                       Random::stream(config.seed, "network"), scheduler_, trace_);
  for (NodeIndex node = 0; node < config.node_count; ++node) {
    disks_.push_back(std::make_unique<SimDisk>(
        node, config.disk, Random::stream(config.seed, "disk/" + std::to_string(node)), scheduler_,
        trace_));
    const ClockConfig clock = config.clocks.empty() ? ClockConfig{} : config.clocks[node];
    clocks_.emplace_back(clock.wall_offset, clock.drift_ppm);
  }
  // Hosts keep references into clocks_, so it must not grow after this point.
  for (NodeIndex node = 0; node < config.node_count; ++node) {
    hosts_.push_back(std::make_unique<Host>(node, config.seed, scheduler_, *network_, *disks_[node],
                                            clocks_[node], trace_, factory));
  }
}

Result<std::unique_ptr<World>> World::create(const WorldConfig& config, ProcessFactory factory) {
  if (Status status = config.validate(); !status.ok()) return status;
  if (factory == nullptr) return Status(StatusCode::invalid_argument, "no process factory");
  return std::make_unique<World>(config, std::move(factory));
}

void World::boot_all() {
  for (auto& host : hosts_) host->boot();
}

Host& World::host(NodeIndex node) {
  RAFTSIM_CHECK(node < hosts_.size());
  return *hosts_[node];
}

SimDisk& World::disk(NodeIndex node) {
  RAFTSIM_CHECK(node < disks_.size());
  return *disks_[node];
}

NodeClock& World::clock(NodeIndex node) {
  RAFTSIM_CHECK(node < clocks_.size());
  return clocks_[node];
}

void World::set_clock_drift(NodeIndex node, std::int64_t drift_ppm) {
  clock(node).set_drift_ppm(now(), drift_ppm);
  trace_.record(now(), TraceKind::clock_change, node, kNoNode, 0,
                static_cast<std::uint64_t>(drift_ppm), 0, "drift_ppm");
  host(node).on_clock_changed();
}

void World::jump_wall_clock(NodeIndex node, Time delta) {
  clock(node).jump_wall(now(), delta);
  trace_.record(now(), TraceKind::clock_change, node, kNoNode, 0, static_cast<std::uint64_t>(delta),
                0, "wall_jump_ns");
}

std::uint64_t World::state_hash() const {
  Hasher hasher;  // not seeded: equal states from different seeds must fingerprint alike
  network_->hash_into(hasher);
  for (const auto& disk : disks_) disk->hash_into(hasher);
  for (const NodeClock& clock : clocks_) clock.hash_into(hasher);
  for (const auto& host : hosts_) hasher.add(host->state_hash());
  return hasher.value();
}

}  // namespace raftsim::sim

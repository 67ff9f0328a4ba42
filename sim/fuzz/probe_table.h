// raftsim: a campaign's probe table -- for every probe of raft/ and jobqueue/ (raft/base/probe.h),
// how many runs reached it and how often in all. It lists the probes never hit (every probe is
// known statically, so one never reached is still named) and those hit by fewer than 1% of runs.
// Merges across shards by summing (merge_json reads what to_json wrote); order is the probe
// list's, so reports are identical run to run.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "raft/base/probe.h"
#include "raft/base/status.h"

namespace raftsim::sim {

class ProbeTable {
 public:
  void add_run(const ProbeCounts& run);
  void merge(const ProbeTable& other);
  // Adds a table another shard wrote (to_json()); a probe this build does not know is an error.
  Status merge_json(const nlohmann::json& json);

  std::uint64_t runs() const { return runs_; }
  std::uint64_t runs_hitting(Probe probe) const { return runs_hit_[probe]; }
  std::uint64_t total_hits(Probe probe) const { return totals_[probe]; }
  std::vector<Probe> never_hit() const;
  // Probes hit, but by fewer than 1% of the runs (runs_hitting * 100 < runs).
  std::vector<Probe> rarely_hit() const;

  nlohmann::ordered_json to_json() const;
  std::string to_markdown() const;  // a probe table, then the probes never hit

 private:
  static std::size_t index(Probe probe) { return static_cast<std::size_t>(probe); }

  std::uint64_t runs_ = 0;
  ProbeCounts runs_hit_;  // per probe: runs that reached it at least once
  ProbeCounts totals_;    // per probe: hits summed over runs
};

}  // namespace raftsim::sim

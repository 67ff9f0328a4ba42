// raftsim: fault coverage for fuzz campaigns -- which fault kinds hit which protocol states
// (a crash of a leader with uncommitted entries, a partition during an election, a clock fault
// on a read-lease holder, ...). The runner calls observe() just before each fault step; counts
// merge across runs and shards. Ordered maps only, so reports are identical run to run.
#pragma once

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "sim/cluster/service_cluster.h"
#include "sim/scenario/scenario.h"

namespace raftsim::sim {

class FaultCoverage {
 public:
  // Records the states `step` hits in `cluster` now. Repairs (heal, restart, resume, the final
  // recovery) are not faults and are ignored.
  void observe(const FaultStep& step, const std::string& origin, ServiceCluster& cluster);
  void merge(const FaultCoverage& other);
  void merge_json(const nlohmann::json& json);  // what to_json() wrote (another shard)

  std::uint64_t hits(const std::string& fault, const std::string& state) const;
  std::uint64_t faults_observed() const { return faults_; }
  nlohmann::ordered_json to_json() const;
  std::string to_markdown() const;  // a fault x state table, plus the pairs never hit

 private:
  std::map<std::pair<std::string, std::string>, std::uint64_t> hits_;
  std::uint64_t faults_ = 0;
};

// Every protocol state the report names, in report order.
const std::vector<std::string>& coverage_states();
// Every fault kind the report names ("power-loss" is a crash of every node at once).
const std::vector<std::string>& coverage_faults();

}  // namespace raftsim::sim

// raftsim: runs one scenario with one seed and judges it. It builds the service cluster and
// advances time through the run's stages (sim/scenario/README.md): the fault schedule (roles
// such as "leader" resolved when a step fires) and the nemesis, recovery measured after every
// fault, then the final recovery and settling, the end-of-run checkers and the report. Raft
// safety is checked after every event and stops the run at once.
// Every fault actually applied is kept as a concrete step (node names, no roles, no nemesis), so
// a run can be exported as a scenario that replays it even after the code changes.
#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "sim/checkers/recovery.h"
#include "sim/cluster/service_cluster.h"
#include "sim/scenario/fault_applier.h"
#include "sim/scenario/report.h"
#include "sim/scenario/scenario.h"

namespace raftsim::sim {

struct RunProgress {
  Time now = 0;
  Time end = 0;  // duration (settling may go beyond it)
  std::size_t operations_ok = 0;
  std::size_t faults_applied = 0;
  bool settling = false;
};

struct ScenarioRunOptions {
  bool record_trace = true;
  // Called every 100 ms of virtual time (the caller decides whether to print).
  std::function<void(const RunProgress&)> progress;
  // Called just before each fault step (selectors not yet resolved) is applied, with the
  // cluster as it is then: fuzz campaigns classify the protocol state each fault hits.
  BeforeFault before_fault;
  // A last-resort guard polled every few thousand events (RunBudget): true stops the run with
  // the verdict "budget_exceeded". Not deterministic; the scenario's events_max is.
  std::function<bool()> should_stop;
  // Count the probes of raft/ and jobqueue/ into the report (counting never changes the run:
  // tests compare trace hashes with it on and off).
  bool count_probes = true;
};

class ScenarioRunner {
 public:
  ScenarioRunner(const Scenario& scenario, std::uint64_t seed, ScenarioRunOptions options = {});
  ~ScenarioRunner();

  ScenarioRunReport run();
  ServiceCluster& cluster() { return *cluster_; }

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
  ServiceCluster* cluster_ = nullptr;
};

// Convenience: run and return the report (the cluster is discarded).
ScenarioRunReport run_scenario(const Scenario& scenario, std::uint64_t seed,
                               ScenarioRunOptions options = {});

}  // namespace raftsim::sim

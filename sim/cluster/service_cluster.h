// raftsim: a simulated cluster running a service replicated by Raft, ready to drive: nodes
// 0..n-1 run NodeHost with the service's state machine (the KV store or the job queue), nodes
// n..n+c-1 run its closed-loop clients (KvClients recording a History, or queue producers and
// workers recording a QueueHistory). run_until() steps
// the scheduler one event at a time and runs the online safety checker after every event,
// stopping at the first violation, or at the run budget (an event count, deterministic; plus an
// optional caller check, e.g. a wall-clock guard, polled every few thousand events). Cluster
// partitions leave clients connected to every node, so a fault splits the cluster, not the
// clients from it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "raft/node/node_host.h"
#include "sim/bugs/catalogue.h"
#include "sim/checkers/raft_safety.h"
#include "sim/kernel/world.h"
#include "sim/workload/history.h"
#include "sim/workload/kv_client.h"
#include "sim/workload/queue_client.h"
#include "sim/workload/queue_history.h"

namespace raftsim::sim {

struct ServiceClusterOptions {
  std::uint64_t seed = 1;
  NodeIndex nodes = 5;
  NodeIndex clients = 3;
  RaftConfig raft;  // id, voters, random_seed and bugs are filled in per node
  // The injected bugs, per layer (sim/bugs/catalogue.h): each node's core, host and queue get
  // their own layer's set.
  LayerBugs bugs;
  std::int64_t tick_ns = milliseconds(10);
  // Nodes snapshot their state machine every this many applied entries and compact their logs
  // (0: never). Chunk size and entries kept behind a snapshot are in `raft`.
  std::uint64_t snapshot_every_entries = 0;
  LinkConfig link;
  // Clusters model fsync as a real disk does: a crash while one is in flight loses its data.
  DiskConfig disk = [] {
    DiskConfig config;
    config.crash_can_interrupt_sync = true;
    return config;
  }();
  std::vector<ClockConfig> clocks;  // empty, or one per cluster node (clients are exact)
  // What the nodes replicate and the clients do: the KV store with KV clients, or the job queue
  // with producers and workers (queue; `workload`'s timeouts and retry settings still apply).
  enum class Workload : std::uint8_t { kv, queue };
  Workload workload_type = Workload::kv;
  KvWorkload workload;
  QueueWorkload queue;
  bool record_trace = true;
  bool check_every_event = true;

  Status validate() const;
};

// What stops a run that would not end in reasonable time. Events are counted from the cluster's
// creation, so a budget of N stops every replay of the same run at the same event.
struct RunBudget {
  std::uint64_t events_max = 0;  // 0: no limit
  // Polled every kRunBudgetPollEvents events; true stops the run. Not deterministic (a wall
  // clock is the usual reason): a last-resort guard for what the event count does not bound.
  std::function<bool()> should_stop;
};
inline constexpr std::uint64_t kRunBudgetPollEvents = 4096;  // a clock read costs ~20 ns

class ServiceCluster {
 public:
  explicit ServiceCluster(const ServiceClusterOptions& options);

  void start();
  // Runs until `limit` or the first safety violation (returned).
  std::optional<Violation> run_until(Time limit);
  std::optional<Violation> run_for(Time duration) { return run_until(world_->now() + duration); }
  // Once the budget is spent run_until() returns at once, short of its limit, and
  // budget_exceeded() says why ("events" or "guard"); empty while the run may go on.
  void set_budget(RunBudget budget) { budget_ = std::move(budget); }
  const std::string& budget_exceeded() const { return budget_exceeded_; }

  World& world() { return *world_; }
  const History& history() const { return history_; }
  const QueueHistory& queue_history() const { return queue_history_; }
  RaftSafetyChecker& checker() { return checker_; }
  NodeIndex size() const { return options_.nodes; }
  const ServiceClusterOptions& options() const { return options_; }

  // The running NodeHost of a cluster node, or null if it is down or failed.
  const NodeHost* node(NodeIndex node);
  const Raft* raft(NodeIndex node);
  // The running leader with the highest term, if any.
  std::optional<NodeIndex> leader();
  // Ticks until a leader with a committed entry of its term exists, up to `within`.
  std::optional<NodeIndex> await_leader(Time within);

  void partition(const std::vector<std::vector<NodeIndex>>& groups);
  void isolate(NodeIndex node);
  void heal();

 private:
  std::unique_ptr<Process> make_process(Runtime& runtime);

  ServiceClusterOptions options_;
  History history_;
  QueueHistory queue_history_;
  std::unique_ptr<World> world_;
  RaftSafetyChecker checker_;
  RunBudget budget_;
  std::string budget_exceeded_;
};

}  // namespace raftsim::sim

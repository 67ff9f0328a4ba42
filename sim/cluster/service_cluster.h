// raftsim: a simulated cluster running a service replicated by Raft, ready to drive: server slots
// 0..m-1 (m = max_nodes, default the n bootstrap nodes) run NodeHost with the service's state
// machine (the KV store or the job queue): 0..n-1 start as the bootstrap voters, n..m-1 only when
// added (add_node: an empty disk and a joining configuration). Nodes m..m+c-1 run its closed-loop
// clients (KvClients recording a History, or queue producers and workers recording a
// QueueHistory), and with admin_client one more runs the operator console (AdminClient, recording
// an AdminHistory). Every start after a node's first is a restart (initial_start false), so a
// wiped bootstrap member is refused by its host. Client processes may be paused, crashed and
// restarted too (crash_client, restart_client): a restarted client starts new sessions under
// fresh client ids (first_client_id), never its old ids with a reset sequence. run_until() steps
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
#include "sim/checkers/configuration.h"
#include "sim/checkers/raft_safety.h"
#include "sim/kernel/world.h"
#include "sim/workload/admin_client.h"
#include "sim/workload/admin_history.h"
#include "sim/workload/history.h"
#include "sim/workload/kv_client.h"
#include "sim/workload/queue_client.h"
#include "sim/workload/queue_history.h"

namespace raftsim::sim {

// The classes the cluster's network sorts payloads into (Network::set_payload_classifier), so a
// fault can delay one kind of Raft message: 1 + the message's type. Client traffic and
// unreadable payloads are class 0, which no class delay touches.
inline std::uint8_t raft_message_class(MessageType type) {
  return static_cast<std::uint8_t>(static_cast<std::uint8_t>(type) + 1);
}
std::uint8_t classify_payload(std::span<const std::uint8_t> payload);

struct ServiceClusterOptions {
  std::uint64_t seed = 1;
  NodeIndex nodes = 5;  // the bootstrap voters, n0..n(nodes-1)
  // Server slots (0: as many as `nodes`): the largest server id a run may use is max_nodes - 1.
  // Clients are numbered from the last slot on.
  NodeIndex max_nodes = 0;
  NodeIndex clients = 3;
  // One more process after the clients: the operator console (AdminClient) that membership
  // changes and leadership transfers go through. Off: the world is exactly as without it.
  bool admin_client = false;
  ClientTiming admin_timing = default_admin_timing();
  RaftConfig raft;  // id, voters, random_seed and bugs are filled in per node
  // The injected bugs, per layer (sim/bugs/catalogue.h): each node's core, host and queue get
  // their own layer's set.
  LayerBugs bugs;
  std::int64_t tick_ns = milliseconds(10);
  // Nodes snapshot their state machine every this many applied entries and compact their logs
  // (0: never). Chunk size and entries kept behind a snapshot are in `raft`.
  std::uint64_t snapshot_every_entries = 0;
  // Each node's WAL segment size (raft/storage/wal.h; 0: the storage default, 4 MiB). Small
  // segments roll often, so sealed segments exist even in short runs.
  std::uint64_t wal_segment_bytes = 0;
  // In-code perturbation (raft/base/perturb.h): a plan drawn from `seed` that every node's core
  // and host follow, each with a stream of its own per incarnation. Off: traces as without it.
  bool perturb = false;
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
  NodeIndex server_slots() const { return max_nodes > nodes ? max_nodes : nodes; }
  // Servers may join, leave or be wiped in this run (the membership checks apply).
  bool membership_enabled() const { return server_slots() > nodes || admin_client; }
};

// What stops a run that would not end in reasonable time. Events are counted from the cluster's
// creation, so a budget of N stops every replay of the same run at the same event.
struct RunBudget {
  std::uint64_t events_max = 0;  // 0: no limit
  // Checked every kRunBudgetPollEvents events against ServiceCluster::held_bytes() (0: no limit).
  // The figure is computed from the run's own state, so the run stops at the same event on every
  // replay.
  std::uint64_t memory_bytes_max = 0;
  // Polled every kRunBudgetPollEvents events; true stops the run. Not deterministic (a wall
  // clock is the usual reason): a last-resort guard for what the event count does not bound.
  std::function<bool()> should_stop;
};
inline constexpr std::uint64_t kRunBudgetPollEvents = 4096;  // a clock read costs ~20 ns

class ServiceCluster {
 public:
  explicit ServiceCluster(const ServiceClusterOptions& options);

  // Boots the bootstrap nodes and the clients (added slots stay down until add_node).
  void start();
  // Runs until `limit` or the first safety violation (returned).
  std::optional<Violation> run_until(Time limit);
  std::optional<Violation> run_for(Time duration) { return run_until(world_->now() + duration); }
  // The online checkers, now. run_until() calls them after every event; whoever changes a host
  // between events (a fault step: crash, restart, wipe) calls this right after, so the checkers
  // see the state it left at the instant it happened. The safety checker decides whether an
  // fsync in flight returned before a crash by the time it first sees the node down.
  std::optional<Violation> check_now();
  // Once the budget is spent run_until() returns at once, short of its limit, and
  // budget_exceeded() says why ("events", "memory" or "guard"); empty while the run may go on.
  void set_budget(RunBudget budget) { budget_ = std::move(budget); }
  const std::string& budget_exceeded() const { return budget_exceeded_; }
  // What the run holds that grows with its length: the recorded trace, the history, and each
  // server's log in memory (the core's entries and data, the storage's mirror) and simulated disk.
  // An estimate of memory, not a measurement (allocator overhead and the fixed-size state are left
  // out); the same at the same event on every replay.
  std::uint64_t held_bytes();

  World& world() { return *world_; }
  const History& history() const { return history_; }
  const QueueHistory& queue_history() const { return queue_history_; }
  RaftSafetyChecker& checker() { return checker_; }
  // Null unless the membership may change.
  const ConfigurationChecker* configuration_checker() const {
    return configuration_checker_ ? &*configuration_checker_ : nullptr;
  }
  // Server slots (bootstrap nodes plus those that may be added).
  NodeIndex size() const { return options_.server_slots(); }
  // Started at least once (a slot never added is not).
  bool started(NodeIndex node) { return world_->host(node).incarnation() > 0; }
  // A bootstrap member (started with the bootstrap voters) rather than a server that joined.
  bool bootstrap_member(NodeIndex node) const { return node < options_.nodes; }
  // Starts a never-started slot as a fresh server with an empty disk and a joining configuration
  // (no voters: it learns its membership from the leader and never campaigns before).
  Status add_node(NodeIndex node);
  // The node loses its whole disk and restarts empty (as a restart: initial_start is false).
  Status wipe(NodeIndex node);
  // The operator console (null without admin_client) and what it recorded.
  AdminClient* admin_client();
  const AdminHistory& admin_history() const { return admin_history_; }
  // The world node the console runs on (requires admin_client).
  NodeIndex admin_node() const { return options_.server_slots() + options_.clients; }
  const ServiceClusterOptions& options() const { return options_; }

  // The running NodeHost of a cluster node, or null if it is down or failed.
  const NodeHost* node(NodeIndex node);
  const Raft* raft(NodeIndex node);
  // The running leader with the highest term, if any.
  std::optional<NodeIndex> leader();
  // Ticks until a leader with a committed entry of its term exists, up to `within`.
  std::optional<NodeIndex> await_leader(Time within);

  // --- client processes: c<k> is world node server_slots() + k ---
  // Restarts per client process. A restart beyond it is refused (the client stays down): each
  // incarnation takes ids of its own, and the ids must stay below AdminClient::kClientId.
  static constexpr std::uint64_t kClientRestartsMax = 255;
  bool is_client(NodeIndex node) const {
    return node >= options_.server_slots() && node < options_.server_slots() + options_.clients;
  }
  // The first client id of client `client` (0-based) in its incarnation-th start (1: the first):
  // ((incarnation - 1) * clients + client) * sessions per process, so no two incarnations of any
  // clients share an id, and the first start keeps the ids it always had.
  std::uint64_t first_client_id(NodeIndex client, std::uint64_t incarnation) const;
  // Crashes a running or paused client: every request it has in flight ends as unknown (info)
  // now, then it loses everything volatile. It stays down until restart_client (or recover_all).
  void crash_client(NodeIndex node);
  // Restarts a crashed client with fresh sessions; refused beyond kClientRestartsMax.
  Status restart_client(NodeIndex node);
  // Stalls the first `workers` worker sessions (0: all) of a running or paused queue client for
  // `duration` (QueueClient::stall_workers); refused for a down client or a KV workload.
  Result<std::uint32_t> stall_workers(NodeIndex node, Time duration, std::uint32_t workers);

  void partition(const std::vector<std::vector<NodeIndex>>& groups);
  void isolate(NodeIndex node);
  void heal();

 private:
  std::unique_ptr<Process> make_process(Runtime& runtime);

  ServiceClusterOptions options_;
  History history_;
  QueueHistory queue_history_;
  AdminHistory admin_history_;
  std::unique_ptr<World> world_;
  RaftSafetyChecker checker_;
  // Runs beside checker_ when the membership may change (options.membership_enabled()).
  std::optional<ConfigurationChecker> configuration_checker_;
  RunBudget budget_;
  std::string budget_exceeded_;
};

}  // namespace raftsim::sim

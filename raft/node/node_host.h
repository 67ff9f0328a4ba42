// raftsim: the node host -- production code that runs a Raft core against the world.
// It recovers the core from storage on start, turns local-clock timer ticks into Raft ticks,
// decodes messages from peers and clients, and acts on every Ready in the order the core
// requires: persist (write + fsync), then send, then apply committed entries to the state machine
// (through the session table, so retries apply once) and answer the clients waiting on them, then
// serve confirmed reads. It reaches the world only through Runtime and FileSystem, so it runs the
// same under the simulator or a real event loop. A node whose disk fails stops (fail-stop): it
// cannot promise anything it cannot persist.
// The Ready is acted on by the ReadyDriver (raft/node/ready_driver.h); the host is its sink.
// Snapshots: every snapshot_every_entries applied entries the host saves the session table and
// the state machine to a snapshot file and compacts the log: the core's in memory, and the WAL up
// to the previous snapshot file (so one damaged file still leaves a snapshot and the log after
// it). Recovery loads the newest valid snapshot, then the log after it.
// Administration (membership changes, leadership transfer) arrives as admin client requests and
// goes to the core; a change the core cannot take yet (its own-term entry not committed, a
// learner still catching up) is retried on every batch for up to kAdminRetryTicksMax ticks.
// Limits: kPendingRequestsMax client requests waiting per node (beyond: answered `busy`);
// kPendingAdminMax admin requests waiting to be retried or for a transfer to complete.
#pragma once

#include <cstdint>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "raft/base/map_node_pool.h"
#include "raft/core/raft.h"
#include "raft/io/runtime.h"
#include "raft/node/host_bugs.h"
#include "raft/node/ready_driver.h"
#include "raft/node/sessions.h"
#include "raft/node/state_machine.h"
#include "raft/node/wire.h"
#include "raft/storage/log_storage.h"
#include "raft/storage/snapshot_store.h"

namespace raftsim {

struct NodeHostConfig {
  RaftConfig raft;  // raft.id must equal the runtime's self(); random_seed is overridden
  std::int64_t tick_ns = 10'000'000;  // one Raft tick per 10 ms of local monotonic time
  LogStorageOptions storage;
  // Take a snapshot after this many entries applied since the last one (0: never). Needs a
  // state machine that supports snapshots.
  std::uint64_t snapshot_every_entries = 0;
  SnapshotStoreOptions snapshots;
  // Catalogued bugs to inject at the persist and answer steps (the simulator); empty in production.
  HostBugs bugs;
  // True only for a server's very first start as a bootstrap member (raft.voters non-empty),
  // like etcd's --initial-cluster-state=new. A later start that finds an empty disk while the
  // configuration names this server a bootstrap member means the disk was wiped: the host
  // refuses to run under this id (fail-stop; the server must rejoin under a new id). A joining
  // server (raft.voters empty) may start on an empty disk at any time.
  bool initial_start = true;
};

class NodeHost final : public Process, private ReadySink {
 public:
  static constexpr std::size_t kPendingRequestsMax = 10'000;
  static constexpr std::size_t kPendingAdminMax = 16;
  static constexpr std::uint64_t kAdminRetryTicksMax = 500;
  // Ready rounds for one input. A round may leave work for the next (applied entries trigger a
  // snapshot, a parked change is proposed), a few at most; a core whose Ready never drains would
  // spin inside one simulated event, where no event budget reaches it: at the limit, a check
  // fails (a failed run, not a hang).
  static constexpr std::uint32_t kReadyRoundsMax = 10'000;

  NodeHost(Runtime& runtime, const NodeHostConfig& config,
           std::unique_ptr<StateMachine> state_machine);

  void start() override;
  void on_message(NodeId from, std::span<const std::uint8_t> payload) override;
  void on_timer(std::uint64_t tag) override;
  // Acts on the core's Ready once per batch of inputs: one fsync for all of them.
  void flush() override;
  std::uint64_t state_hash() const override;

  // For checkers and tests: the core (null before start() or after a storage failure).
  const Raft* raft() const { return raft_.get(); }
  // For checkers: the log as persisted (it reaches back to the previous snapshot, so it still
  // holds entries the core appended and compacted within one batch). Null before start().
  const LogStorage* storage() const { return storage_.get(); }
  const StateMachine& state_machine() const { return *state_machine_; }
  // Why the host fail-stopped: the step that failed and its status (kept apart from the text so
  // checkers need not parse it).
  enum class FailedStep : std::uint8_t {
    none,
    recover,
    save_snapshot,
    compact,
    install_snapshot,
    persist
  };
  // The failure text starts with the step's.
  static constexpr std::string_view kFailedStepText[] = {"",
                                                         "cannot recover storage: ",
                                                         "cannot save snapshot: ",
                                                         "cannot compact the log: ",
                                                         "cannot install snapshot: ",
                                                         "storage failed: "};
  static_assert(std::size(kFailedStepText) == static_cast<std::size_t>(FailedStep::persist) + 1);
  bool failed() const { return !failure_.empty(); }
  const std::string& failure() const { return failure_; }
  FailedStep failed_step() const { return failed_step_; }
  StatusCode failure_code() const { return failure_code_; }
  // What recovery found worth saying (damaged snapshot files skipped, the snapshot loaded).
  const std::string& recovery_note() const { return recovery_note_; }
  std::uint64_t snapshots_taken() const { return snapshots_taken_; }
  std::uint64_t snapshots_installed() const { return snapshots_installed_; }
  // A witness keeps entries' positions, not their payloads: its state machine stays empty.
  bool is_witness() const;

 private:
  struct Waiting {
    NodeId endpoint = kNoNode;
    std::uint64_t client_id = 0;
    std::uint64_t sequence = 0;
    Term term = 0;                      // proposals: the term the entry was proposed in
    std::vector<std::uint8_t> payload;  // reads: the query
  };

  // An admin request parked until the core can take it, or a transfer waiting to complete.
  struct PendingAdmin {
    Waiting who;
    AdminRequest request;
    std::uint64_t deadline_tick = 0;
    bool transfer_started = false;
    Term transfer_term = 0;
  };

  void process_ready();
  void handle_client_request(NodeId from, const ClientRequest& request);
  void handle_admin_request(NodeId from, const ClientRequest& request);
  // Tries a parked admin request once more; true once it is answered or handed to the core.
  bool advance_admin(PendingAdmin& pending);
  void advance_parked_admin();
  // ReadySink: the driver's steps. A failed durable step fail-stops the host.
  Status install_snapshot(const Snapshot& snapshot,
                          const std::optional<HardState>& hard_state) override;
  Status persist(const std::optional<HardState>& hard_state, Index rewrite_from,
                 std::span<const Entry> entries) override;
  void send(const Message& message) override;
  void apply(const Entry& entry) override;
  void read_ready(const ReadState& read) override;
  void serve_reads();
  void fail_pending_reads();
  void respond(NodeId endpoint, std::uint64_t client_id, std::uint64_t sequence,
               ClientStatus status, std::span<const std::uint8_t> payload = {});
  void fail_stop(FailedStep step, const Status& status);
  Status recover();
  // Snapshot bytes: the session table, then the state machine.
  // `membership`: the snapshot's (Raft::snapshot_membership), empty for the bootstrap one.
  SharedBytes encode_snapshot(const SharedBytes& membership) const;
  // Restores the sessions and state machine; returns the membership the file records.
  Result<SharedBytes> restore_from(const Snapshot& snapshot);
  Status save_snapshot(const Snapshot& snapshot, const std::optional<HardState>& hard_state);
  void maybe_take_snapshot();

  Runtime& runtime_;
  NodeHostConfig config_;
  ReadyDriver driver_;
  std::unique_ptr<StateMachine> state_machine_;
  std::unique_ptr<LogStorage> storage_;
  std::unique_ptr<SnapshotStore> snapshots_;
  std::unique_ptr<Raft> raft_;
  SessionTable sessions_;
  std::string failure_;
  FailedStep failed_step_ = FailedStep::none;
  StatusCode failure_code_ = StatusCode::ok;
  std::string recovery_note_;
  std::uint64_t snapshots_taken_ = 0;
  std::uint64_t snapshots_installed_ = 0;
  bool was_leader_ = false;
  std::uint64_t ticks_ = 0;
  // The run's perturbation plan with this incarnation's own stream (config_.raft.perturbation),
  // and whether a Ready round is being held back by it (a deferred-flush timer is running).
  Perturbation perturbation_;
  bool flush_deferred_ = false;
  std::vector<PendingAdmin> parked_admin_;
  std::uint64_t next_read_id_ = 1;
  using WaitingByIndex = std::map<Index, Waiting>;
  using WaitingByReadId = std::map<std::uint64_t, Waiting>;
  using ConfirmedReads = std::multimap<Index, Waiting>;
  WaitingByIndex waiting_proposals_;  // by log index
  WaitingByReadId waiting_reads_;     // by read id, until confirmed
  ConfirmedReads confirmed_reads_;    // by read index, until applied
  MapNodePool<WaitingByIndex> spare_proposals_;
  MapNodePool<WaitingByReadId> spare_reads_;
  MapNodePool<ConfirmedReads> spare_confirmed_reads_;

  // Buffers reused from one input to the next, so steady-state traffic does not allocate.
  Ready ready_;
  Message received_message_;
  ClientRequest received_request_;
  ClientResponse response_;
  std::vector<std::uint8_t> send_buffer_;
  std::vector<std::uint8_t> command_buffer_;
  std::vector<std::uint8_t> stamp_buffer_;  // a client command being stamped (StateMachine::stamp)
  std::vector<std::uint8_t> query_reply_;
};

}  // namespace raftsim

// raftsim: the Raft consensus core as a pure state machine (no I/O, no clocks, no threads).
// Inputs: tick() (one tick of the node's local clock), step(message), propose(data),
// read_index(request). Outputs come out of ready() as one value: what to persist, what to send,
// what is committed and which reads may be served. The host MUST act on a Ready in this order:
// persist hard_state and entries (durably), then send messages, then apply committed entries,
// then serve read_states once applied, then call advance(ready). Messages in a Ready may depend
// on the persisted state in the same Ready (vote grants, append acknowledgements).
// Implements leader election with randomized timeouts, PreVote, CheckQuorum (with the thesis'
// rule that a follower hearing from a leader ignores disruptive vote requests), log replication
// with fast backtracking, batching and pipelining, the §5.4.2 commit rule (a leader commits only
// entries of its own term by counting), a no-op on election, ReadIndex and optional lease reads,
// and log compaction behind state-machine snapshots, which a leader sends in bounded chunks to a
// follower that needs compacted entries (paper §7).
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <vector>

#include "raft/base/perturb.h"
#include "raft/base/status.h"
#include "raft/core/log.h"
#include "raft/core/messages.h"
#include "raft/core/raft_bugs.h"
#include "raft/core/types.h"
#include "raft/membership/membership.h"
#include "raft/tracker/tracker.h"

namespace raftsim {

struct RaftConfig {
  NodeId id = 0;
  // The bootstrap membership, in force until the log or a snapshot holds a configuration entry.
  // A server that joins a running cluster starts with all three empty: it never campaigns and
  // learns its membership from the leader's log (or snapshot).
  std::vector<NodeId> voters;     // voters at bootstrap
  std::vector<NodeId> learners;   // learners at bootstrap
  std::vector<NodeId> witnesses;  // voters at bootstrap that are witnesses
  // Joint consensus: a leader leaves C_old,new on its own once it commits (see ConfChange).
  bool joint_auto_leave = true;
  // Election timeouts are drawn uniformly from [min, max) ticks after every reset.
  std::uint32_t election_timeout_ticks_min = 30;
  std::uint32_t election_timeout_ticks_max = 60;
  std::uint32_t heartbeat_ticks = 10;
  bool pre_vote = true;
  bool check_quorum = true;
  // Serve reads from a leader lease instead of a heartbeat round. Safe only while clocks drift
  // less than the gap between the lease and the election timeout; off by default (see docs).
  bool lease_read = false;
  // The clock drift (rate error) lease reads tolerate, in parts per million: the lease is cut
  // short so it ends before any follower's election timeout while drift stays within it.
  std::uint32_t clock_drift_max_ppm = 300'000;
  std::size_t entries_per_message_max = 64;
  std::size_t message_bytes_max = std::size_t{1} << 20;  // payload bytes of entries per append
  std::uint32_t inflight_messages_max = 16;
  std::size_t apply_entries_per_ready_max = 1024;
  std::size_t pending_reads_max = 4096;  // beyond it read_index() fails with no_space
  // Snapshot transfer: bytes of snapshot per install_snapshot message, and the largest snapshot
  // a follower accepts (a larger one is ignored, so the leader's transfer never completes: size
  // the limit above any real state).
  std::size_t snapshot_chunk_bytes_max = std::size_t{256} << 10;
  std::size_t snapshot_bytes_max = std::size_t{1} << 31;
  // Entries kept in memory behind a new snapshot, so a follower a little behind still gets
  // appends rather than the whole snapshot.
  std::size_t entries_kept_after_snapshot = 1024;
  // A learner may be promoted once it is at most this many entries behind the leader's log
  // (the catch-up rule; until then propose_conf_change(promote) answers unavailable).
  std::uint64_t promote_lag_entries_max = 256;
  std::uint64_t random_seed = 1;
  // Catalogued bugs to inject (tests and the simulator); empty in production.
  RaftBugs bugs;
  // The run's perturbation plan (raft/base/perturb.h; the simulator); off in production. The
  // core perturbs with a stream of its own (seeded from random_seed), and so does the host.
  Perturbation perturbation;

  Status validate() const;
  // The bootstrap membership these fields describe (empty for a joining server).
  Membership bootstrap_membership() const;
};

enum class Role : std::uint8_t { follower, pre_candidate, candidate, leader };
const char* role_name(Role role);

struct ReadState {
  std::uint64_t request_id = 0;
  Index read_index = 0;  // serve the read once the state machine has applied this index
  friend bool operator==(const ReadState&, const ReadState&) = default;
};

// entries and committed_entries view the core's log: they stay valid until the next call on the
// Raft object other than advance(ready), which is all the host needs (no copies per entry).
struct Ready {
  // A snapshot the leader sent, now complete: persist it and restore the state machine from it
  // before anything else in this Ready (the log already starts after it).
  std::optional<Snapshot> snapshot;
  std::optional<HardState> hard_state;  // persist if present
  Index rewrite_from = 0;               // if nonzero, storage drops entries >= this first
  std::span<const Entry> entries;       // to append to storage
  std::vector<Message> messages;
  std::span<const Entry> committed_entries;
  std::vector<ReadState> read_states;
};

class Raft {
 public:
  // recovered_state / recovered_entries: what storage held (both empty for a fresh node).
  Raft(const RaftConfig& config, const HardState& recovered_state,
       std::vector<Entry> recovered_entries);
  // A node recovered from a snapshot (already restored into its state machine) and the stable
  // entries after it.
  Raft(const RaftConfig& config, const HardState& recovered_state, Snapshot recovered_snapshot,
       std::vector<Entry> recovered_entries);

  void tick();
  void step(const Message& message);
  // Appends a command if this node is the leader; unavailable otherwise (see leader()).
  Result<Index> propose(SharedBytes data);
  // Starts a linearizable read; its ReadState comes out of a later Ready. Fails if not leader.
  Status read_index(std::uint64_t request_id);
  // Appends a configuration entry (the leader only); it takes effect as soon as it is appended.
  // Refused for now (unavailable: try again shortly) before an entry of this leader's term has
  // committed (the 2015 correction to single-server changes), during a leadership transfer, or
  // while a learner to promote lags (promote_lag_entries_max); refused as asked
  // (failed_precondition) while another configuration entry is uncommitted or if the step is
  // illegal (apply_conf_change).
  // `context` rides in the entry unread (kConfigContextBytesMax; see encode_config_entry).
  Result<Index> propose_conf_change(const ConfChange& change,
                                    std::span<const std::uint8_t> context = {});
  // What propose_conf_change would answer, without proposing: the membership it would make.
  Result<Membership> check_conf_change(const ConfChange& change) const;
  // Leadership transfer (dissertation §3.10): stop taking proposals, bring `target` up to date,
  // then tell it to campaign at once. Aborted after an election timeout (the leader resumes).
  Status transfer_leadership(NodeId target);

  bool has_ready() const;
  Ready ready();
  // The same, into a Ready the caller keeps from one round to the next, so its vectors' capacity
  // is reused (a host calls this once per batch of inputs; no allocation in steady state).
  void ready(Ready& ready);
  void advance(const Ready& ready);
  // The host took (and made durable) a snapshot of the state machine at snapshot.meta.index,
  // which it has applied: the core keeps it to send to followers and compacts its log behind it
  // (keeping entries_kept_after_snapshot). An older snapshot than the current one is ignored.
  void snapshot_taken(Snapshot snapshot);
  // The newest snapshot this node has (meta.index 0: none).
  const Snapshot& snapshot() const { return snapshot_; }

  NodeId id() const { return config_.id; }
  Role role() const { return role_; }
  Term term() const { return term_; }
  NodeId vote() const { return vote_; }
  NodeId leader() const { return leader_; }
  const RaftLog& log() const { return log_; }
  const RaftConfig& config() const { return config_; }
  std::size_t quorum() const { return tracker_.voters().incoming().quorum(); }
  // The membership in force (the latest configuration in the log; see RaftConfig) and the index
  // of its entry (0: the bootstrap or snapshot membership).
  const Membership& membership() const;
  Index membership_index() const;
  // The membership in force at `index` (>= the snapshot index): what a snapshot there carries.
  const Membership& membership_at(Index index) const;
  // membership_at(index) as a snapshot carries it: encoded, or empty if it is the bootstrap one.
  // Needs snapshot_possible_at(index).
  SharedBytes snapshot_membership(Index index) const;
  // Whether this server knows the membership at `index`, so may snapshot there: a server that
  // joined a running cluster does not, before the first configuration it holds (it never saw the
  // bootstrap membership the entries before it were replicated under).
  bool snapshot_possible_at(Index index) const;
  // A leadership transfer in progress (leader only): its target, else kNoNode.
  NodeId transfer_target() const { return transfer_target_; }
  std::uint64_t state_hash() const;
  // state_hash() plus the volatile state that decides future behaviour (votes, progress, pending
  // flags), for the model checker's fingerprints; leaves out the clock and read bookkeeping.
  std::uint64_t full_state_hash() const;

 private:
  struct PendingRead {
    std::uint64_t request_id;
    Index index;
    // Confirmed once a quorum (self included) answered a heartbeat with context >= round
    // (ProgressTracker::read_round_confirmed).
    std::uint64_t round;
  };

  // Role changes.
  void become_follower(Term term, NodeId leader);
  void become_pre_candidate();
  void become_candidate();
  void become_leader();
  void campaign(bool pre_vote);
  void reset_election_timer();

  // Message handlers.
  bool check_term(const Message& message);
  void handle_vote_request(const Message& message);
  void handle_vote_response(const Message& message);
  void follow_leader_of_this_term(NodeId from);
  void handle_append(const Message& message);
  void handle_heartbeat(const Message& message);
  void handle_append_response(const Message& message);
  void handle_heartbeat_response(const Message& message);
  void handle_install_snapshot(const Message& message);
  void handle_install_snapshot_response(const Message& message);

  // Leader duties.
  void tick_leader();
  void send_append(NodeId peer, bool allow_empty);
  void send_snapshot_chunk(NodeId peer_id, Progress& peer);
  void broadcast_append(bool allow_empty);
  void broadcast_heartbeat();
  bool maybe_commit();
  bool lease_valid() const;
  bool committed_in_current_term() const;
  void start_read_round(std::uint64_t request_id);
  void release_confirmed_reads();

  void send(Message message);
  std::uint64_t next_random(std::uint64_t bound);

  // Membership (raft_membership.cc). configs_ mirrors the config entries in the log after the
  // snapshot; sync_configs() follows the log after it changed, refresh_membership() points the
  // tracker at the membership now in force.
  void sync_configs(std::span<const Entry> appended);
  void refresh_membership();
  void after_commit_as_leader();  // auto leave, removed-leader step-down
  bool may_campaign() const;
  bool learner_caught_up(NodeId learner) const;
  bool strips_payloads_for(NodeId peer, Index index) const;
  void handle_timeout_now(const Message& message);
  // Sends TimeoutNow if `peer` is the transfer's target and holds the whole log.
  bool maybe_send_timeout_now(NodeId peer);
  // A leader whose removal committed steps down (true), unless it carries the injected bug.
  bool step_down_if_removed();
  // The snapshot's membership for the install message to `peer`: empty when the receiver can
  // take its bootstrap membership (see messages.h, install_snapshot).
  SharedBytes membership_for_peer(const Snapshot& snapshot, NodeId peer) const;

  RaftConfig config_;
  Membership bootstrap_;  // config_'s bootstrap membership
  // The membership at the snapshot (bootstrap_ if no snapshot changed it), then one record per
  // config entry in the log after it, in index order.
  struct ConfigRecord {
    Index index = 0;
    Term term = 0;
    Membership membership;
  };
  Membership base_membership_;
  std::vector<ConfigRecord> configs_;
  Index tracker_config_index_ = 0;     // the record the tracker was configured from (0: base)
  std::uint64_t base_generation_ = 0;  // bumped when base_membership_ changes
  std::uint64_t tracker_base_generation_ = UINT64_MAX;
  NodeId transfer_target_ = kNoNode;
  std::uint32_t transfer_elapsed_ = 0;
  bool forced_campaign_ = false;  // this campaign answers a TimeoutNow
  Term term_ = 0;
  NodeId vote_ = kNoNode;
  NodeId leader_ = kNoNode;
  Role role_ = Role::follower;
  RaftLog log_;
  HardState persisted_;
  std::uint64_t random_state_;
  Perturbation perturbation_;  // config_.perturbation with the core's own stream

  std::uint64_t ticks_ = 0;
  std::uint32_t election_elapsed_ = 0;
  std::uint32_t heartbeat_elapsed_ = 0;
  std::uint32_t randomized_election_timeout_ = 0;

  ProgressTracker tracker_;  // the voters, their progress (leader only) and this campaign's votes

  bool broadcast_entries_pending_ = false;
  bool broadcast_commit_pending_ = false;
  bool heartbeat_pending_ = false;
  std::uint64_t heartbeat_sequence_ = 0;
  std::deque<std::pair<std::uint64_t, std::uint64_t>> heartbeat_ticks_;  // (sequence, tick)
  std::deque<PendingRead> pending_reads_;
  std::deque<std::uint64_t> reads_waiting_for_commit_;
  std::vector<ReadState> read_states_;
  std::vector<Message> outbox_;

  Snapshot snapshot_;             // the newest snapshot held (taken here or installed)
  bool pending_install_ = false;  // snapshot_ was just installed; the next Ready hands it out
  // A snapshot arriving in chunks (follower). Volatile: a restart starts the transfer again.
  struct IncomingSnapshot {
    SnapshotMeta meta;
    SharedBytes buffer;  // `total` bytes, filled up to `received`
    std::uint8_t* bytes = nullptr;
    std::uint64_t total = 0;
    std::uint64_t received = 0;
  };
  std::optional<IncomingSnapshot> incoming_;
  // Entry vectors of sent appends, taken back when the caller's Ready is reused: the next
  // appends are built in them instead of fresh ones. At most kSpareEntryVectorsMax are kept.
  std::vector<std::vector<Entry>> spare_entry_vectors_;
};

}  // namespace raftsim

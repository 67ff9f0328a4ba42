#include "raft/node/node_host.h"

#include "raft/base/check.h"
#include "raft/base/endian.h"
#include "raft/base/hash.h"
#include "raft/base/probe.h"
#include "raft/core/codec.h"

namespace raftsim {

namespace {
constexpr std::uint64_t kTickTimer = 1;
// A Ready round held back by perturbation (node_persist_delayed) runs when this fires.
constexpr std::uint64_t kDeferredFlushTimer = 2;
constexpr std::int64_t kDeferredFlushNsMax = 5'000'000;  // a delay of 1-5 ms
// Snapshot files: "HNS1" sessions, then machine (the bootstrap membership); "HNS2" the
// membership, then as HNS1; "HNW1" a witness's: the membership only (it keeps no state).
constexpr std::uint32_t kSnapshotFormat = 0x31534e48;
constexpr std::uint32_t kSnapshotFormatWithMembership = 0x32534e48;
constexpr std::uint32_t kSnapshotFormatWitness = 0x31574e48;
}  // namespace

NodeHost::NodeHost(Runtime& runtime, const NodeHostConfig& config,
                   std::unique_ptr<StateMachine> state_machine)
    : runtime_(runtime),
      config_(config),
      driver_(config.bugs),
      state_machine_(std::move(state_machine)) {
  RAFTSIM_CHECK_MSG(config_.raft.id == runtime.self(), "raft.id must be the runtime's node");
  RAFTSIM_CHECK(state_machine_ != nullptr && config_.tick_ns > 0);
  config_.raft.random_seed = runtime.random_seed();
  perturbation_ = config_.raft.perturbation.reseeded(runtime.random_seed() ^ 0x4057ULL);
}

void NodeHost::fail_stop(FailedStep step, const Status& status) {
  RAFTSIM_CHECK(step != FailedStep::none && !status.ok());
  RAFTSIM_PROBE(node_fail_stop);
  failure_ = std::string(kFailedStepText[static_cast<std::size_t>(step)]) + status.to_string();
  failed_step_ = step;
  failure_code_ = status.code();
  ready_ = Ready{};  // its views point into the core, which goes now
  raft_.reset();
  waiting_proposals_.clear();
  waiting_reads_.clear();
  confirmed_reads_.clear();
}

void NodeHost::start() {
  if (Status recovered = recover(); !recovered.ok()) {
    fail_stop(FailedStep::recover, recovered);
    return;
  }
  runtime_.start_timer(config_.tick_ns, kTickTimer);
}

Status NodeHost::recover() {
  auto storage = LogStorage::open(runtime_.file_system(), config_.storage);
  if (!storage.ok()) return storage.status();
  storage_ = std::move(storage).value();
  snapshots_ = std::make_unique<SnapshotStore>(runtime_.file_system(), config_.snapshots);
  if (Status s = snapshots_->remove_partial_saves(); !s.ok()) return s;
  auto loaded = snapshots_->load_newest();
  if (!loaded.ok()) return loaded.status();
  Snapshot snapshot = std::move(loaded.value().snapshot);
  for (const std::string& damaged : loaded.value().damaged) {
    RAFTSIM_PROBE(node_damaged_snapshot_skipped);
    recovery_note_ += "skipped damaged snapshot (" + damaged + "); ";
  }
  const SnapshotMeta base = storage_->base();
  const bool disk_empty = snapshot.meta.index == 0 && storage_->hard_state() == HardState{} &&
                          storage_->entries().empty();
  const bool bootstrap_member = !config_.raft.bootstrap_membership().members().empty();
  if (disk_empty && bootstrap_member && !config_.initial_start &&
      !config_.bugs.has(HostBug::rejoin_after_wipe)) {
    // Our votes and acknowledgements are gone with the disk: voting again under this id could
    // elect a second leader in a term we voted in, or help commit without entries we had
    // acknowledged. The server must be removed and rejoin under a new id.
    return Status(StatusCode::failed_precondition,
                  "the disk is empty but this server was a bootstrap member (wiped?): remove it "
                  "and add it back under a new id");
  }
  if (snapshot.meta.index < base.index) {
    return Status(StatusCode::corruption,
                  "the log starts after entry " + std::to_string(base.index) +
                      " but no valid snapshot covers it (" + recovery_note_ + ")");
  }
  if (snapshot.meta.index > 0) {
    auto membership = restore_from(snapshot);
    if (!membership.ok()) return membership.status();
    snapshot.membership = std::move(membership).value();
    // A crash between saving a snapshot and compacting the log leaves a log that may reach past
    // the snapshot or disagree with it: keep only what follows it.
    RAFTSIM_PROBE(node_recovered_from_snapshot);
    if (snapshot.meta.index > base.index) {
      RAFTSIM_PROBE(node_log_cut_after_snapshot);
      if (Status s = storage_->apply_snapshot(snapshot.meta); !s.ok()) return s;
    }
    recovery_note_ += "loaded snapshot " + std::to_string(snapshot.meta.index) + "/t" +
                      std::to_string(snapshot.meta.term);
  }
  std::vector<Entry> entries = storage_->entries();
  if (!entries.empty() && entries.back().index > snapshot.meta.index) {
    RAFTSIM_PROBE(node_recovered_unapplied_log);
  }
  raft_ = std::make_unique<Raft>(config_.raft, storage_->hard_state(), std::move(snapshot),
                                 std::move(entries));
  return Status();
}

SharedBytes NodeHost::encode_snapshot(const SharedBytes& membership) const {
  std::vector<std::uint8_t> bytes;
  if (!membership.empty()) {
    put_u32(bytes, kSnapshotFormatWithMembership);
    put_u32(bytes, static_cast<std::uint32_t>(membership.size()));
    put_bytes(bytes, membership);
  } else {
    put_u32(bytes, kSnapshotFormat);
  }
  const std::size_t length_at = bytes.size();
  put_u64(bytes, 0);
  sessions_.save(bytes);
  const std::uint64_t session_bytes = bytes.size() - length_at - 8;
  store_little_endian(bytes.data() + length_at, session_bytes);
  state_machine_->snapshot_into(bytes);
  return SharedBytes(bytes);
}

Result<SharedBytes> NodeHost::restore_from(const Snapshot& snapshot) {
  ByteReader reader(std::span<const std::uint8_t>(snapshot.data.begin(), snapshot.data.size()));
  auto malformed = [&] {
    return Status(StatusCode::corruption,
                  "snapshot " + std::to_string(snapshot.meta.index) + " is not a node snapshot");
  };
  std::uint32_t format = 0;
  if (!reader.read_u32(format)) return malformed();
  std::span<const std::uint8_t> membership;
  if (format == kSnapshotFormatWithMembership || format == kSnapshotFormatWitness) {
    std::uint32_t size = 0;
    if (!reader.read_u32(size) || !reader.read_view(size, membership) ||
        (size != 0 && !decode_membership(membership))) {
      return malformed();
    }
    if (format == kSnapshotFormatWitness) {
      if (reader.remaining() != 0) return malformed();
      return SharedBytes(membership);
    }
  } else if (format != kSnapshotFormat) {
    return malformed();
  }
  std::uint64_t session_bytes = 0;
  std::span<const std::uint8_t> sessions;
  if (!reader.read_u64(session_bytes) ||
      !reader.read_view(static_cast<std::size_t>(session_bytes), sessions)) {
    return malformed();
  }
  std::span<const std::uint8_t> machine;
  const bool read = reader.read_view(reader.remaining(), machine);
  RAFTSIM_CHECK(read);
  if (Status s = state_machine_->restore_snapshot(machine); !s.ok()) return s;
  if (Status s = sessions_.load(sessions); !s.ok()) return s;
  return SharedBytes(membership);
}

Status NodeHost::save_snapshot(const Snapshot& snapshot,
                               const std::optional<HardState>& hard_state) {
  // Durable order: the term that came with it (a snapshot's term must never be ahead of the
  // stored term), the snapshot file, then the log cut behind it.
  if (hard_state) {
    if (Status s = storage_->save(hard_state, 0, {}); !s.ok()) return s;
  }
  // A witness is sent positions without state (empty data): its file records the membership.
  Snapshot file = snapshot;
  if (snapshot.data.empty()) {
    std::vector<std::uint8_t> bytes;
    put_u32(bytes, kSnapshotFormatWitness);
    put_u32(bytes, static_cast<std::uint32_t>(snapshot.membership.size()));
    put_bytes(bytes, snapshot.membership);
    file.data = SharedBytes(bytes);
  }
  const std::vector<SnapshotMeta> held = snapshots_->list();
  if (held.empty() || held.back().index < snapshot.meta.index) {
    if (Status s = snapshots_->save(file.meta, file.data); !s.ok()) return s;
  }
  if (Status s = storage_->apply_snapshot(snapshot.meta); !s.ok()) return s;
  ++snapshots_installed_;
  if (snapshot.data.empty()) return Status();
  return restore_from(file).status();
}

void NodeHost::maybe_take_snapshot() {
  if (config_.snapshot_every_entries == 0 || !state_machine_->supports_snapshots()) return;
  if (is_witness()) return;  // nothing to snapshot: the log holds positions only
  const Index applied = raft_->log().applied();
  // Perturbation: a snapshot at any applied index past the last one is as legal as the usual.
  if (applied < raft_->snapshot().meta.index + config_.snapshot_every_entries &&
      !(applied > raft_->snapshot().meta.index &&
        RAFTSIM_PERTURB(perturbation_, node_snapshot_early))) {
    return;
  }
  if (!raft_->snapshot_possible_at(applied)) return;  // joined later: not before its config
  const SnapshotMeta meta{applied, *raft_->log().term_at(applied)};
  SharedBytes data = encode_snapshot(raft_->snapshot_membership(applied));
  if (Status s = snapshots_->save(meta, data); !s.ok()) {
    fail_stop(FailedStep::save_snapshot, s);
    return;
  }
  // The WAL keeps the log from the previous snapshot on, so that losing the newest file to
  // damage still leaves a snapshot and every entry after it.
  const std::vector<SnapshotMeta> held = snapshots_->list();
  if (held.size() >= 2) {
    const SnapshotMeta& previous = held[held.size() - 2];
    if (previous.index > storage_->base().index) {
      if (Status s = storage_->apply_snapshot(previous); !s.ok()) {
        fail_stop(FailedStep::compact, s);
        return;
      }
    }
  }
  ++snapshots_taken_;
  RAFTSIM_PROBE(node_snapshot_taken);
  raft_->snapshot_taken(Snapshot{meta, std::move(data), {}});
}

void NodeHost::on_timer(std::uint64_t tag) {
  if (tag == kDeferredFlushTimer) {
    flush_deferred_ = false;  // the round runs in the flush() that ends this batch
    return;
  }
  RAFTSIM_CHECK(tag == kTickTimer);
  if (failed()) return;
  ++ticks_;
  raft_->tick();
  runtime_.start_timer(config_.tick_ns, kTickTimer);
}

void NodeHost::on_message(NodeId from, std::span<const std::uint8_t> payload) {
  if (failed()) return;
  const std::optional<Channel> channel = peek_channel(payload);
  if (channel == Channel::raft) {
    const Status decoded = decode_message_into(channel_body(payload), received_message_);
    // Garbage or misaddressed messages are dropped: the network is not trusted to be tidy.
    if (!decoded.ok() || received_message_.to != runtime_.self() ||
        received_message_.from != from) {
      return;
    }
    raft_->step(received_message_);
  } else if (channel == Channel::client_request) {
    if (!decode_client_request_into(payload, received_request_)) return;
    handle_client_request(from, received_request_);
  }
}

void NodeHost::flush() {
  if (failed() || flush_deferred_) return;
  // Perturbation: the round (persist, then send, apply) happens 1-5 ms later, as if the disk
  // were slow to complete; inputs meanwhile are stepped and join the same round. Legal: nothing
  // the round would send leaves before its persist, whenever that is.
  if (raft_->has_ready() && RAFTSIM_PERTURB(perturbation_, node_persist_delayed)) {
    flush_deferred_ = true;
    const std::int64_t delay_ns =
        1'000'000 + static_cast<std::int64_t>(perturbation_.draw(kDeferredFlushNsMax - 999'999));
    runtime_.start_timer(delay_ns, kDeferredFlushTimer);
    return;
  }
  process_ready();
}

void NodeHost::respond(NodeId endpoint, std::uint64_t client_id, std::uint64_t sequence,
                       ClientStatus status, std::span<const std::uint8_t> payload) {
  response_.client_id = client_id;
  response_.sequence = sequence;
  response_.status = status;
  if (status == ClientStatus::not_leader) RAFTSIM_PROBE(node_client_not_leader);
  response_.leader_hint = raft_ == nullptr                      ? kNoNode
                          : raft_->transfer_target() != kNoNode ? raft_->transfer_target()
                                                                : raft_->leader();
  response_.payload.assign(payload.begin(), payload.end());
  encode_client_response_into(response_, send_buffer_);
  runtime_.send_buffer(endpoint, send_buffer_);
}

void NodeHost::handle_client_request(NodeId from, const ClientRequest& request) {
  if (raft_->role() != Role::leader) {
    respond(from, request.client_id, request.sequence, ClientStatus::not_leader);
    return;
  }
  if (request.admin) {
    handle_admin_request(from, request);
    return;
  }
  if (waiting_proposals_.size() + waiting_reads_.size() + confirmed_reads_.size() >=
      kPendingRequestsMax) {
    respond(from, request.client_id, request.sequence, ClientStatus::busy);
    return;
  }
  auto remember = [&](Waiting& waiting) {
    waiting.endpoint = from;
    waiting.client_id = request.client_id;
    waiting.sequence = request.sequence;
    waiting.term = raft_->term();
    waiting.payload.clear();
  };
  if (request.read_only) {
    const std::uint64_t read_id = next_read_id_++;
    if (!raft_->read_index(read_id).ok()) {
      respond(from, request.client_id, request.sequence, ClientStatus::busy);
      return;
    }
    Waiting& waiting = spare_reads_.insert(waiting_reads_, read_id)->second;
    remember(waiting);
    waiting.payload.assign(request.payload.begin(), request.payload.end());
    return;
  }
  // A retry of a command this leader still has in its log just waits for it: proposing it again
  // would add an entry per retry, and once replication falls behind (a long catch-up after a
  // restart) the retries grow the log faster than it commits, so no command ever commits within
  // its client's timeout. The session table applies a command once either way.
  for (auto& [index, who] : waiting_proposals_) {
    if (who.client_id == request.client_id && who.sequence == request.sequence &&
        raft_->log().matches(index, who.term)) {
      who.endpoint = from;
      return;
    }
  }
  std::span<const std::uint8_t> payload = request.payload;
  if (state_machine_->stamps_commands()) {
    stamp_buffer_.assign(payload.begin(), payload.end());
    state_machine_->stamp(stamp_buffer_, runtime_.wall_now_ns());
    payload = stamp_buffer_;
  }
  encode_session_command_into(request.client_id, request.sequence, payload, command_buffer_);
  auto index = raft_->propose(SharedBytes(command_buffer_));
  if (!index.ok()) {  // a leadership transfer in progress takes no proposals: ask the target
    respond(from, request.client_id, request.sequence, ClientStatus::not_leader);
    return;
  }
  // An older proposal waiting at this index was truncated away by another leader: it is dead.
  if (auto stale = waiting_proposals_.find(index.value()); stale != waiting_proposals_.end()) {
    respond(stale->second.endpoint, stale->second.client_id, stale->second.sequence,
            ClientStatus::failed);
    spare_proposals_.erase(waiting_proposals_, stale);
  }
  remember(spare_proposals_.insert(waiting_proposals_, index.value())->second);
}

void NodeHost::handle_admin_request(NodeId from, const ClientRequest& request) {
  auto reject = [&](const std::string& why) {
    respond(from, request.client_id, request.sequence, ClientStatus::rejected,
            std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(why.data()),
                                          why.size()));
  };
  std::optional<AdminRequest> admin = decode_admin_request(request.payload);
  if (!admin) {
    reject("malformed admin request");
    return;
  }
  // A retry of a change already applied gets its answer again; one still in the log or parked
  // here just waits for it (proposing it twice would be refused as a change in flight).
  if (admin->kind == AdminRequest::Kind::conf_change) {
    const SessionTable::Lookup lookup = sessions_.check(request.client_id, request.sequence);
    if (lookup.verdict != SessionTable::Verdict::apply) {
      respond(from, request.client_id, request.sequence,
              lookup.verdict == SessionTable::Verdict::duplicate ? ClientStatus::ok
                                                                 : ClientStatus::failed);
      return;
    }
    for (auto& [index, who] : waiting_proposals_) {
      if (who.client_id == request.client_id && who.sequence == request.sequence) {
        who.endpoint = from;
        return;
      }
    }
  }
  for (PendingAdmin& parked : parked_admin_) {
    if (parked.who.client_id == request.client_id && parked.who.sequence == request.sequence) {
      parked.who.endpoint = from;
      return;
    }
  }
  if (parked_admin_.size() >= kPendingAdminMax) {
    respond(from, request.client_id, request.sequence, ClientStatus::busy);
    return;
  }
  PendingAdmin pending;
  pending.who.endpoint = from;
  pending.who.client_id = request.client_id;
  pending.who.sequence = request.sequence;
  pending.who.term = raft_->term();
  pending.request = std::move(*admin);
  pending.deadline_tick = ticks_ + kAdminRetryTicksMax;
  if (!advance_admin(pending)) parked_admin_.push_back(std::move(pending));
}

bool NodeHost::advance_admin(PendingAdmin& pending) {
  const Waiting& who = pending.who;
  auto answer = [&](ClientStatus status, const std::string& why = {}) {
    respond(who.endpoint, who.client_id, who.sequence, status,
            std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(why.data()),
                                          why.size()));
    return true;
  };
  if (pending.transfer_started) {
    // Done once the target leads; over (failed) once we stopped transferring without it.
    if (raft_->leader() == pending.request.target && raft_->term() > pending.transfer_term) {
      return answer(ClientStatus::ok);
    }
    if (raft_->role() == Role::leader && raft_->transfer_target() == kNoNode) {
      return answer(ClientStatus::failed, "the transfer timed out; this server still leads");
    }
    if (raft_->role() != Role::leader && raft_->leader() != kNoNode) {
      return answer(ClientStatus::failed, "another server took over");
    }
    return ticks_ > pending.deadline_tick ? answer(ClientStatus::failed, "transfer timed out")
                                          : false;
  }
  if (raft_->role() != Role::leader) return answer(ClientStatus::not_leader);
  Status status;
  if (pending.request.kind == AdminRequest::Kind::transfer_leadership) {
    status = raft_->transfer_leadership(pending.request.target);
    if (status.ok()) {
      pending.transfer_started = true;
      pending.transfer_term = raft_->term();
      return false;
    }
  } else {
    // The session rides in the config entry, so every replica records it (exactly once).
    encode_session_command_into(who.client_id, who.sequence, {}, command_buffer_);
    auto index = raft_->propose_conf_change(pending.request.change, command_buffer_);
    if (index.ok()) {
      if (auto stale = waiting_proposals_.find(index.value()); stale != waiting_proposals_.end()) {
        respond(stale->second.endpoint, stale->second.client_id, stale->second.sequence,
                ClientStatus::failed);
        spare_proposals_.erase(waiting_proposals_, stale);
      }
      Waiting& waiting = spare_proposals_.insert(waiting_proposals_, index.value())->second;
      waiting = who;
      waiting.term = raft_->term();
      return true;
    }
    status = index.status();
  }
  // unavailable: the core cannot take it yet (try again); anything else is a refusal.
  if (status.code() != StatusCode::unavailable) {
    return answer(ClientStatus::rejected, status.message());
  }
  if (ticks_ > pending.deadline_tick) {
    return answer(ClientStatus::rejected, "timed out waiting: " + status.message());
  }
  return false;
}

void NodeHost::advance_parked_admin() {
  std::erase_if(parked_admin_, [&](PendingAdmin& pending) { return advance_admin(pending); });
}

bool NodeHost::is_witness() const {
  if (raft_ == nullptr) return false;
  const Membership& membership = raft_->membership();
  return membership.is_witness(raft_->id()) || membership.is_former_witness(raft_->id());
}

void NodeHost::process_ready() {
  for (std::uint32_t round = 0; !failed() && raft_->has_ready(); ++round) {
    RAFTSIM_CHECK_MSG(round < kReadyRoundsMax, "the core's Ready does not drain");
    // Persist, send, apply, hand over reads, advance (a failed durable step fail-stops us).
    if (!driver_.run_round(*raft_, ready_, *this).ok()) return;
    serve_reads();
    maybe_take_snapshot();
  }
  if (failed()) return;
  const bool is_leader = raft_->role() == Role::leader;
  if (was_leader_ && !is_leader) fail_pending_reads();
  was_leader_ = is_leader;
  if (!parked_admin_.empty()) {
    advance_parked_admin();
    // A parked change handed to the core this round has a Ready to act on.
    if (!failed() && raft_->has_ready()) process_ready();
  }
}

Status NodeHost::install_snapshot(const Snapshot& snapshot,
                                  const std::optional<HardState>& hard_state) {
  Status saved = save_snapshot(snapshot, hard_state);
  if (!saved.ok()) fail_stop(FailedStep::install_snapshot, saved);
  return saved;
}

Status NodeHost::persist(const std::optional<HardState>& hard_state, Index rewrite_from,
                         std::span<const Entry> entries) {
  Status saved = storage_->save(hard_state, rewrite_from, entries);
  if (!saved.ok()) fail_stop(FailedStep::persist, saved);
  return saved;
}

void NodeHost::send(const Message& message) {
  encode_raft_payload_into(message, send_buffer_);
  runtime_.send_buffer(message.to, send_buffer_);
}

void NodeHost::read_ready(const ReadState& read) {
  // A read confirmed by a heartbeat round waits until its index is applied (serve_reads).
  auto waiting = waiting_reads_.find(read.request_id);
  if (waiting == waiting_reads_.end()) return;
  Waiting& confirmed = spare_confirmed_reads_.insert(confirmed_reads_, read.read_index)->second;
  std::swap(confirmed, waiting->second);  // both keep a payload buffer
  spare_reads_.erase(waiting_reads_, waiting);
}

void NodeHost::apply(const Entry& entry) {
  std::optional<SessionCommandView> command;
  std::optional<std::span<const std::uint8_t>> reply;
  if (entry.type == EntryType::normal && entry.data.empty()) {
    // A witness's copy (payload stripped): nothing to apply, no session to record.
    RAFTSIM_CHECK_MSG(is_witness() || raft_->membership_at(entry.index).is_witness(raft_->id()),
                      "only a witness holds entries without payload");
    return;
  }
  if (entry.type == EntryType::config) {
    // The session of the admin request that asked for it (none for an automatic leave).
    std::optional<ConfigEntryView> config = decode_config_entry(entry.data);
    RAFTSIM_CHECK_MSG(config.has_value(), "a committed config entry must decode");
    if (!config->context.empty()) {
      command = decode_session_command_view(config->context);
      RAFTSIM_CHECK_MSG(command.has_value(), "a config entry's context is a session");
      const SessionTable::Lookup lookup = sessions_.check(command->client_id, command->sequence);
      if (lookup.verdict == SessionTable::Verdict::apply) {
        reply = sessions_.record(command->client_id, command->sequence, entry.index);
      } else if (lookup.verdict == SessionTable::Verdict::duplicate) {
        reply = lookup.cached_reply;
      }
    }
  } else if (entry.type == EntryType::normal) {
    command = decode_session_command_view(entry.data);
    RAFTSIM_CHECK_MSG(command.has_value(), "a committed entry the leader wrote must decode");
    const SessionTable::Lookup lookup = sessions_.check(command->client_id, command->sequence);
    if (lookup.verdict == SessionTable::Verdict::apply) {
      std::vector<std::uint8_t>& answer =
          sessions_.record(command->client_id, command->sequence, entry.index);
      state_machine_->apply_into(entry.index, command->payload, answer);
      reply = answer;
    } else if (lookup.verdict == SessionTable::Verdict::duplicate) {
      RAFTSIM_PROBE(node_client_retry_answered);
      reply = lookup.cached_reply;
    }
  }
  auto waiting = waiting_proposals_.find(entry.index);
  if (waiting == waiting_proposals_.end()) return;
  const Waiting& who = waiting->second;
  const bool ours = entry.term == who.term && command && command->client_id == who.client_id &&
                    command->sequence == who.sequence;
  if (ours && reply) {
    respond(who.endpoint, who.client_id, who.sequence, ClientStatus::ok, *reply);
  } else {
    // Another leader's entry took this index: ours was never committed, anywhere (entries do
    // not move between indices), so the client learns it definitely did not happen.
    RAFTSIM_PROBE(node_client_index_lost);
    respond(who.endpoint, who.client_id, who.sequence, ClientStatus::failed);
  }
  spare_proposals_.erase(waiting_proposals_, waiting);
}

void NodeHost::serve_reads() {
  const Index applied = raft_->log().applied();
  while (!confirmed_reads_.empty() && confirmed_reads_.begin()->first <= applied) {
    const Waiting& who = confirmed_reads_.begin()->second;
    query_reply_.clear();
    state_machine_->query_into(who.payload, query_reply_);
    respond(who.endpoint, who.client_id, who.sequence, ClientStatus::ok, query_reply_);
    spare_confirmed_reads_.erase(confirmed_reads_, confirmed_reads_.begin());
  }
}

void NodeHost::fail_pending_reads() {
  // A read has no effect, so failing it is always a definite answer.
  for (auto& [id, who] : waiting_reads_) {
    respond(who.endpoint, who.client_id, who.sequence, ClientStatus::failed);
  }
  for (auto& [index, who] : confirmed_reads_) {
    respond(who.endpoint, who.client_id, who.sequence, ClientStatus::failed);
  }
  spare_reads_.clear(waiting_reads_);
  spare_confirmed_reads_.clear(confirmed_reads_);
}

std::uint64_t NodeHost::state_hash() const {
  Hasher hasher;
  hasher.add(failed() ? 1 : 0);
  if (raft_ != nullptr) hasher.add(raft_->state_hash());
  hasher.add(state_machine_->state_hash()).add(sessions_.state_hash());
  hasher.add(waiting_proposals_.size()).add(waiting_reads_.size()).add(confirmed_reads_.size());
  if (snapshots_taken_ + snapshots_installed_ != 0) {
    hasher.add(snapshots_taken_).add(snapshots_installed_);
  }
  return hasher.value();
}

}  // namespace raftsim

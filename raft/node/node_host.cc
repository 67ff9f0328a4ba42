#include "raft/node/node_host.h"

#include "raft/core/codec.h"
#include "raft/util/check.h"
#include "raft/util/hash.h"

namespace raftsim {

namespace {
constexpr std::uint64_t kTickTimer = 1;
}

NodeHost::NodeHost(Runtime& runtime, const NodeHostConfig& config,
                   std::unique_ptr<StateMachine> state_machine)
    : runtime_(runtime), config_(config), state_machine_(std::move(state_machine)) {
  RAFTSIM_CHECK_MSG(config_.raft.id == runtime.self(), "raft.id must be the runtime's node");
  RAFTSIM_CHECK(state_machine_ != nullptr && config_.tick_ns > 0);
  config_.raft.random_seed = runtime.random_seed();
}

void NodeHost::fail_stop(const std::string& why) {
  failure_ = why;
  raft_.reset();
  waiting_proposals_.clear();
  waiting_reads_.clear();
  confirmed_reads_.clear();
}

void NodeHost::start() {
  auto storage = LogStorage::open(runtime_.file_system(), config_.storage);
  if (!storage.ok()) {
    fail_stop("cannot recover storage: " + storage.status().to_string());
    return;
  }
  storage_ = std::move(storage).value();
  raft_ = std::make_unique<Raft>(config_.raft, storage_->hard_state(), storage_->entries());
  runtime_.start_timer(config_.tick_ns, kTickTimer);
}

void NodeHost::on_timer(std::uint64_t tag) {
  RAFTSIM_CHECK(tag == kTickTimer);
  if (failed()) return;
  raft_->tick();
  runtime_.start_timer(config_.tick_ns, kTickTimer);
}

void NodeHost::on_message(NodeId from, std::span<const std::uint8_t> payload) {
  if (failed()) return;
  const std::optional<Channel> channel = peek_channel(payload);
  if (channel == Channel::raft) {
    auto message = decode_message(channel_body(payload));
    // Garbage or misaddressed messages are dropped: the network is not trusted to be tidy.
    if (!message.ok() || message.value().to != runtime_.self() || message.value().from != from) {
      return;
    }
    raft_->step(message.value());
  } else if (channel == Channel::client_request) {
    auto request = decode_client_request(payload);
    if (!request) return;
    handle_client_request(from, *request);
  }
}

void NodeHost::flush() {
  if (!failed()) process_ready();
}

void NodeHost::respond(NodeId endpoint, std::uint64_t client_id, std::uint64_t sequence,
                       ClientStatus status, std::vector<std::uint8_t> payload) {
  ClientResponse response;
  response.client_id = client_id;
  response.sequence = sequence;
  response.status = status;
  response.leader_hint = raft_ != nullptr ? raft_->leader() : kNoNode;
  response.payload = std::move(payload);
  runtime_.send(endpoint, encode_client_response(response));
}

void NodeHost::handle_client_request(NodeId from, const ClientRequest& request) {
  if (raft_->role() != Role::leader) {
    respond(from, request.client_id, request.sequence, ClientStatus::not_leader);
    return;
  }
  if (waiting_proposals_.size() + waiting_reads_.size() + confirmed_reads_.size() >=
      kPendingRequestsMax) {
    respond(from, request.client_id, request.sequence, ClientStatus::busy);
    return;
  }
  Waiting waiting{from, request.client_id, request.sequence, raft_->term(), {}};
  if (request.read_only) {
    const std::uint64_t read_id = next_read_id_++;
    if (!raft_->read_index(read_id).ok()) {
      respond(from, request.client_id, request.sequence, ClientStatus::busy);
      return;
    }
    waiting.payload = request.payload;
    waiting_reads_.emplace(read_id, std::move(waiting));
    return;
  }
  SessionCommand command{request.client_id, request.sequence, request.payload};
  state_machine_->stamp(command.payload, runtime_.wall_now_ns());
  auto index = raft_->propose(encode_session_command(command));
  RAFTSIM_CHECK(index.ok());  // we are the leader
  // An older proposal waiting at this index was truncated away by another leader: it is dead.
  if (auto stale = waiting_proposals_.find(index.value()); stale != waiting_proposals_.end()) {
    respond(stale->second.endpoint, stale->second.client_id, stale->second.sequence,
            ClientStatus::failed);
  }
  waiting_proposals_[index.value()] = std::move(waiting);
}

void NodeHost::process_ready() {
  while (!failed() && raft_->has_ready()) {
    Ready ready = raft_->ready();
    // 1. Persist: nothing below may leave the node before its state is durable.
    Status saved = storage_->save(ready.hard_state, ready.rewrite_from, ready.entries);
    if (!saved.ok()) {
      fail_stop("storage failed: " + saved.to_string());
      return;
    }
    // 2. Send.
    for (const Message& message : ready.messages) {
      runtime_.send(message.to, encode_raft_payload(message));
    }
    // 3. Apply.
    for (const Entry& entry : ready.committed_entries) apply(entry);
    // 4. Reads confirmed by a heartbeat round wait until their index is applied.
    for (const ReadState& read : ready.read_states) {
      auto waiting = waiting_reads_.find(read.request_id);
      if (waiting == waiting_reads_.end()) continue;
      confirmed_reads_.emplace(read.read_index, std::move(waiting->second));
      waiting_reads_.erase(waiting);
    }
    raft_->advance(ready);
    serve_reads();
  }
  if (failed()) return;
  const bool is_leader = raft_->role() == Role::leader;
  if (was_leader_ && !is_leader) fail_pending_reads();
  was_leader_ = is_leader;
}

void NodeHost::apply(const Entry& entry) {
  std::optional<std::vector<std::uint8_t>> reply;
  std::optional<SessionCommand> command;
  if (entry.type == EntryType::normal) {
    command = decode_session_command(entry.data);
    RAFTSIM_CHECK_MSG(command.has_value(), "a committed entry the leader wrote must decode");
    const SessionTable::Lookup lookup = sessions_.check(command->client_id, command->sequence);
    if (lookup.verdict == SessionTable::Verdict::apply) {
      reply = state_machine_->apply(entry.index, command->payload);
      sessions_.record(command->client_id, command->sequence, entry.index, *reply);
    } else if (lookup.verdict == SessionTable::Verdict::duplicate) {
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
    respond(who.endpoint, who.client_id, who.sequence, ClientStatus::failed);
  }
  waiting_proposals_.erase(waiting);
}

void NodeHost::serve_reads() {
  const Index applied = raft_->log().applied();
  while (!confirmed_reads_.empty() && confirmed_reads_.begin()->first <= applied) {
    const Waiting& who = confirmed_reads_.begin()->second;
    respond(who.endpoint, who.client_id, who.sequence, ClientStatus::ok,
            state_machine_->query(who.payload));
    confirmed_reads_.erase(confirmed_reads_.begin());
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
  waiting_reads_.clear();
  confirmed_reads_.clear();
}

std::uint64_t NodeHost::state_hash() const {
  Hasher hasher;
  hasher.add(failed() ? 1 : 0);
  if (raft_ != nullptr) hasher.add(raft_->state_hash());
  hasher.add(state_machine_->state_hash()).add(sessions_.state_hash());
  hasher.add(waiting_proposals_.size()).add(waiting_reads_.size()).add(confirmed_reads_.size());
  return hasher.value();
}

}  // namespace raftsim
